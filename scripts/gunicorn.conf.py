"""gunicorn's configuration for Sinergi (`make serve`, `make run`, bench/bench_load.py): every value from the
environment, with production defaults. docs/operations.md "The web server" explains each choice.

    .venv/bin/gunicorn -c scripts/gunicorn.conf.py sinergi.wsgi:application
"""

import os

# Bind: behind a reverse proxy on the same host, loopback only.
bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
# Worker processes × threads: a request spends part of its time waiting for PostgreSQL, so a few threads per
# process keep the cores busy; processes (not threads) are what use more than one core under the GIL.
workers = int(os.environ.get("SINERGI_WEB_WORKERS") or 2 * (os.cpu_count() or 1))
threads = int(os.environ.get("SINERGI_WEB_THREADS") or 4)
worker_class = "gthread"
# A request that takes longer than this is killed with its worker (an export or a PDF is well under it);
# SIGTERM lets running requests finish for graceful_timeout seconds.
timeout = int(os.environ.get("SINERGI_WEB_TIMEOUT") or 60)
graceful_timeout = int(os.environ.get("SINERGI_WEB_GRACEFUL_TIMEOUT") or 5)
# Keep-alive connections from the reverse proxy (or from browsers, on loopback): idle ones close after this.
keepalive = int(os.environ.get("SINERGI_WEB_KEEPALIVE") or 5)
# A worker is replaced after about this many requests (0: never), which bounds a slow memory leak.
max_requests = int(os.environ.get("SINERGI_WEB_MAX_REQUESTS") or 0)
max_requests_jitter = max_requests // 10
# "-" is stdout; "" turns the access log off (the reverse proxy logs requests too).
accesslog = os.environ.get("SINERGI_WEB_ACCESS_LOG", "-") or None
errorlog = "-"
control_socket_disable = True
# Database connections are kept by each worker thread between requests (a new PostgreSQL connection per
# request costs more CPU than most pages); the environment may still set another age (0: one per request).
os.environ.setdefault("SINERGI_DB_CONN_MAX_AGE", "60")
# A logged read (person.viewed) costs its request one INSERT; the worker's sealer thread links the reads of each
# half second into the audit chain together (sinergi/audit/chain.py: seal_soon).
os.environ.setdefault("SINERGI_AUDIT_SEAL_DELAY_MS", "500")
