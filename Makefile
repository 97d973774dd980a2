# Sinergi: `make run` serves the platform with demo data; `make test` runs the whole suite.
# Everything else is set up by these targets; see README.md.

SHELL := /bin/sh
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PERSONS ?= 300
# The suite runs in one process per core (pytest-xdist; at most 4: each loads Spark, DuckDB and a browser).
# TEST_WORKERS=0 runs it in this process, as a debugger needs.
TEST_WORKERS ?= auto

.PHONY: run serve install install-dev assets messages test lint bench bench-quick clean serve-prep

$(VENV)/.installed: pyproject.toml constraints.txt
	@PYTHON_BIN=$$(scripts/find-python) || exit 1; \
	if [ ! -x $(PY) ] || ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
		echo "Creating $(VENV) with $$PYTHON_BIN"; rm -rf $(VENV); "$$PYTHON_BIN" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip==25.3"
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed to fetch the pinned front-end packages (Debian: apt-get install npm)"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed messages
	@$(BIN)/sinergi collectstatic --no-input --verbosity 0

assets: node_modules/.installed

# Compiled translations are build output (not committed); Babel compiles them without GNU gettext.
# The project catalogue is locale/; an app may keep its own strings in sinergi/<app>/locale/ (Django reads both).
messages: $(VENV)/.installed
	$(BIN)/pybabel compile --domain django --directory locale --statistics
	@for dir in sinergi/*/locale; do \
		[ -d "$$dir" ] || continue; \
		$(BIN)/pybabel compile --domain django --directory "$$dir" --statistics || exit 1; \
	done

serve-prep: install
	$(BIN)/sinergi migrate --no-input
	$(BIN)/sinergi load_regions
	$(BIN)/sinergi demo --persons $(DEMO_PERSONS)

# Served as in production: DEBUG off (Indonesian 404/403/500 pages, no URL list), static files collected at
# install and served by WhiteNoise. SINERGI_DEBUG=1 make run gives Django's debug pages while developing.
# The demo does not force two-factor setup on the demo supervisors (production does: see README).
run: serve-prep
	SINERGI_DEBUG=$${SINERGI_DEBUG:-0} SINERGI_MFA_REQUIRED_ROLES=$${SINERGI_MFA_REQUIRED_ROLES-} \
		SINERGI_WEB_WORKERS=$${SINERGI_WEB_WORKERS:-2} HOST=$(HOST) PORT=$(PORT) scripts/serve

# Production: the web server and the two task workers against DATABASE_URL (SQLite in var/ when unset), after
# migrating and collecting static files; no demo data. Workers, threads and timeouts come from the environment
# (SINERGI_WEB_WORKERS, default 2 × cores; SINERGI_WEB_THREADS, default 4; ...): docs/operations.md "The web server".
serve: install
	$(BIN)/sinergi migrate --no-input
	$(BIN)/sinergi collectstatic --no-input --verbosity 0
	SINERGI_DEBUG=0 HOST=$(HOST) PORT=$(PORT) scripts/serve

test: install
	@scripts/ensure-chromium
	@scripts/ensure-java
	$(BIN)/pytest --numprocesses $(TEST_WORKERS) --maxprocesses 4

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/sinergi makemigrations --check --dry-run

bench: install
	$(PY) -m bench

bench-quick: install
	$(PY) -m bench --quick

clean:
	rm -rf $(VENV) node_modules var/static .pytest_cache .mypy_cache .ruff_cache
