"""Under load (issue 14, part 5): the production web server with logged-in users in a closed loop.

The server is gunicorn as `make serve` starts it (scripts/gunicorn.conf.py: 2 × cores worker processes × 4
threads, DEBUG off, static files by WhiteNoise, database connections kept between requests) on loopback, on
PostgreSQL: a database of its own, migrated, the regions loaded and `sinergi demo --persons N` (accounts,
persons, cases, referrals at every step, notifications), all through the ordinary commands.

The load generator is this process: one thread per simulated user, each with its own keep-alive connection,
logged in through the real login form (a session cookie after a POST with the CSRF token) as one of five demo
staff accounts of three agencies, or holding an API token of its agency. In a closed loop it picks a request
kind by weight — person search, person detail (audited: a `person.viewed` event per read), case list, referral
inbox, notifications, API search, API person — waits for the answer, then thinks (0 s or 1 s) and goes again.
Requests that start after the warm-up and end before the window closes are counted.

Reported per scenario and kind: requests, req/s, p50/p95/p99 latency, errors (any status but 200, or no
answer); CPU seconds of the gunicorn processes (master and workers, from /proc) and of the PostgreSQL backends
serving it, per request; the load generator's own CPU (it runs on the same two cores: it takes CPU from the
server, so it is reported beside it); the load average.

Quick mode (CI): 5 users for 10 s against a small demo (30 persons, no cases), on PostgreSQL when it answers,
else SQLite.
Full: PostgreSQL only (skipped with a message when it does not answer): 1 user; saturated (16 users, no think
time); 50 users with 1 s think time; 200 users with 1 s think time.

Environment: SINERGI_LOAD_PG_URL (an admin URL, default postgres://postgres@127.0.0.1:5432/postgres; "off"
for none), SINERGI_LOAD_DB (the database, default sinergi_load_bench: created, used, dropped), SINERGI_LOAD_REUSE=1
(keep the database between runs and reuse it when it is already built: the demo of 2,000 persons takes minutes),
SINERGI_LOAD_PERSONS, SINERGI_LOAD_SECONDS, SINERGI_LOAD_SCENARIOS (e.g. "saturated,50"), SINERGI_LOAD_BEFORE
(a checkout of older code: each scenario runs against it too, in the same run, for before/after figures) and
SINERGI_LOAD_BEFORE_ENV (how that code was served, e.g. "SINERGI_WEB_WORKERS=2 SINERGI_DB_CONN_MAX_AGE=0").
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from bench.postgres_admin import pg_admin, postgres_answers

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "sinergi-demo"
# Bench-only keys (the demo data is synthetic): fixed, so a reused database opens with the next run's server.
FIELD_KEY = "c2luZXJnaS1sb2FkLWJlbmNoLWZpZWxkLWtleS0wMDA="
SECRET_KEY = "sinergi-load-bench-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
ACCOUNTS = ("bp3mi.petugas", "bp3mi.kepala", "sentra.peksos", "sentra.kepala", "dinsos.petugas")
AGENCY_OF = {
    "bp3mi.petugas": "bp3mi-sulteng",
    "bp3mi.kepala": "bp3mi-sulteng",
    "sentra.peksos": "sentra-nipotowe",
    "sentra.kepala": "sentra-nipotowe",
    "dinsos.petugas": "dinsos-palu",
}
# The mixed workload of issue 14: (kind, weight).
KINDS = (
    ("person search", 20),
    ("person detail", 20),
    ("case list", 15),
    ("referral inbox", 10),
    ("notifications", 10),
    ("API search", 10),
    ("API person", 15),
)
WARM_UP = 3.0
# Common given names to find each agency's persons with; the names found are what the users then search for.
SEED_NAMES = ("siti", "muhammad", "nur", "ahmad", "wayan", "andi", "sri", "dewi", "abdul", "putu", "ni", "moh")


@dataclass(frozen=True)
class Scenario:
    key: str
    label: str
    users: int
    think: float
    seconds: float


QUICK = (Scenario("quick", "5 users, no think time", 5, 0.0, 10),)
FULL = (
    Scenario("one", "1 user, no think time", 1, 0.0, 15),
    Scenario("saturated", "saturated: 16 users, no think time", 16, 0.0, 30),
    Scenario("50", "50 users, 1 s think time", 50, 1.0, 40),
    Scenario("200", "200 users, 1 s think time", 200, 1.0, 40),
)


def run(*, quick: bool = False) -> None:
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(line_buffering=True)  # each table as it is measured, also into a file
    admin_url = os.environ.get("SINERGI_LOAD_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    pg = admin_url != "off" and postgres_answers(admin_url)
    if not pg:
        if not quick:
            print(f"PostgreSQL at {admin_url.rsplit('@', 1)[-1]} does not answer: the load benchmark is skipped")
            return
        print("PostgreSQL does not answer: quick run on SQLite")
    persons = int(os.environ.get("SINERGI_LOAD_PERSONS") or (30 if quick else 2000))
    scenarios: tuple[Scenario, ...] = QUICK if quick else FULL
    only = set(filter(None, os.environ.get("SINERGI_LOAD_SCENARIOS", "").split(",")))
    scenarios = tuple(s for s in scenarios if not only or s.key in only)
    if os.environ.get("SINERGI_LOAD_SECONDS"):
        seconds = float(os.environ["SINERGI_LOAD_SECONDS"])
        scenarios = tuple(Scenario(s.key, s.label, s.users, s.think, seconds) for s in scenarios)
    reuse = os.environ.get("SINERGI_LOAD_REUSE") == "1" and not quick
    database = os.environ.get("SINERGI_LOAD_DB") or ("sinergi_load_quick" if quick else "sinergi_load_bench")
    roots = [("", ROOT)]
    if os.environ.get("SINERGI_LOAD_BEFORE"):
        roots.insert(0, ("before", Path(os.environ["SINERGI_LOAD_BEFORE"]).resolve()))
        roots[1] = ("after", ROOT)
    # e.g. "SINERGI_WEB_WORKERS=2 SINERGI_DB_CONN_MAX_AGE=0": how the older code was served.
    before_env = dict(item.split("=", 1) for item in os.environ.get("SINERGI_LOAD_BEFORE_ENV", "").split())
    with tempfile.TemporaryDirectory(prefix="sinergi-load-") as directory:
        sqlite_url = f"sqlite:///{directory}/load.sqlite3"
        database_url = admin_url.rsplit("/", 1)[0] + "/" + database if pg else sqlite_url
        env = _environment(database_url, Path(directory))
        try:
            built = _build(
                env, pg=pg, admin_url=admin_url, database=database, persons=persons, reuse=reuse, quick=quick
            )
            print(f"dataset: {built}")
            tokens = _tokens(env)
            for scenario in scenarios:
                for label, root in roots:
                    server_env = dict(env, **(before_env if label == "before" else {}))
                    with _Server(root, server_env, Path(directory)) as server:
                        result = _measure(server, scenario, tokens)
                    _report(scenario, label, result)
        finally:
            if pg and not reuse:
                pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# --- the database and the server --------------------------------------------------------------------------------


def _environment(database_url: str, directory: Path) -> dict[str, str]:
    var = directory / "var"
    var.mkdir()
    collected = ROOT / "var" / "static"
    if (collected / "staticfiles.json").exists():
        (var / "static").symlink_to(collected, target_is_directory=True)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        SINERGI_VAR_DIR=str(var),
        SINERGI_DEBUG="0",
        SINERGI_MFA_REQUIRED_ROLES="",
        SINERGI_LOG_LEVEL="WARNING",
        SINERGI_SECRET_KEY=SECRET_KEY,
        SINERGI_FIELD_KEYS=os.environ.get("SINERGI_FIELD_KEYS") or FIELD_KEY,
        SINERGI_LOGIN_FAILURE_LIMIT="1000",
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _sinergi(env: dict[str, str], root: Path, *args: str) -> str:
    command_env = dict(env, PYTHONPATH=str(root))
    done = subprocess.run(
        [sys.executable, "-m", "sinergi", *args], cwd=root, env=command_env, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise RuntimeError(f"sinergi {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _build(
    env: dict[str, str], *, pg: bool, admin_url: str, database: str, persons: int, reuse: bool, quick: bool
) -> str:
    started = time.perf_counter()
    if pg:
        exists = _pg_scalar(admin_url, f"SELECT count(*) FROM pg_database WHERE datname = '{database}'")
        if exists and reuse:
            url = env["DATABASE_URL"]
            count = _pg_scalar(url, "SELECT count(*) FROM registry_person")
            if count >= persons:
                _sinergi(env, ROOT, "migrate", "--no-input", "-v", "0")
                pg_admin(url, "ANALYZE")
                return f"PostgreSQL database {database} reused: {_sizes(env)}"
        pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        pg_admin(admin_url, f'CREATE DATABASE "{database}"')
    if not (Path(env["SINERGI_VAR_DIR"]) / "static").exists():
        _sinergi(env, ROOT, "collectstatic", "--no-input", "-v", "0")
    _sinergi(env, ROOT, "migrate", "--no-input", "-v", "0")
    migrated = time.perf_counter()
    if quick:
        # Quick: the demo's accounts and persons only (it loads Sulawesi Tengah's regions itself); the lists
        # are then short, which is all CI needs to keep the harness working.
        _sinergi(env, ROOT, "demo", "--persons", str(persons), "--no-work")
    else:
        _sinergi(env, ROOT, "load_regions")  # every province
        _sinergi(env, ROOT, "demo", "--persons", str(persons))
    if pg:
        # Planner statistics, as autovacuum keeps them on a production server; without them (autovacuum off, or
        # minutes after a bulk load) the sharing rule's referral query took 23 ms instead of 0.2 ms.
        pg_admin(env["DATABASE_URL"], "ANALYZE")
    kind = f"PostgreSQL database {database}" if pg else "SQLite"
    took = f"{time.perf_counter() - started:.0f} s (migrate {migrated - started:.0f} s)"
    return f"{kind} built in {took}: {_sizes(env)}"


def _sizes(env: dict[str, str]) -> str:
    script = (
        "from sinergi.registry.models import Person; from sinergi.cases.models import Case; "
        "from sinergi.referrals.models import Referral; from sinergi.notifications.models import Notification; "
        "print(f'{Person.objects.count():,} persons, {Case.objects.count():,} cases, '"
        "f'{Referral.objects.count():,} referrals, {Notification.objects.count():,} notifications')"
    )
    return _sinergi(env, ROOT, "shell", "--no-imports", "-c", script).strip()


def _pg_scalar(url: str, sql: str) -> int:
    import psycopg

    with psycopg.connect(url, autocommit=True, connect_timeout=3) as connection:
        row = connection.execute(sql.encode()).fetchone()  # our own fixed statements
    return int(row[0]) if row else 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Server:
    """gunicorn with scripts/gunicorn.conf.py, serving the code in `root` (this checkout, or an older one)."""

    def __init__(self, root: Path, env: dict[str, str], directory: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.env = dict(env, PYTHONPATH=str(root), HOST="127.0.0.1", PORT=str(self.port))
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> _Server:
        config = ROOT / "scripts" / "gunicorn.conf.py"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(config), "sinergi.wsgi:application"],
            cwd=self.root,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.directory / f"gunicorn-{self.port}.log", "wb"),  # closed with the process
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return self
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        self.__exit__()
        log = (self.directory / f"gunicorn-{self.port}.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"gunicorn did not answer /healthz:\n{log}")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def pids(self) -> list[int]:
        assert self.process is not None
        master = self.process.pid
        return [master, *_children(master)]


def _tokens(env: dict[str, str]) -> dict[str, str]:
    """A read token of each demo agency (`sinergi token create`, once for the whole run)."""
    tokens = {}
    for agency in sorted(set(AGENCY_OF.values())):
        output = _sinergi(
            env,
            ROOT,
            "token",
            "create",
            "--agency",
            agency,
            "--name",
            f"load-{agency}-{os.getpid()}",
            "--scopes",
            "persons:read",
        )
        tokens[agency] = next(line.strip() for line in output.splitlines() if line.strip().startswith("sng_"))
    return tokens


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


def _cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _postgres_backends(database: str) -> list[int]:
    """PostgreSQL's backend processes connected to `database` (their title names it)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            if title.startswith("postgres: ") and f" {database} " in title:
                found.append(int(entry.name))
    return found


# --- the load generator -----------------------------------------------------------------------------------------


@dataclass
class _Result:
    samples: list[tuple[str, float, bool]] = field(default_factory=list)  # kind, seconds, ok
    failures: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    window: float = 0.0
    server_cpu: float = 0.0
    database_cpu: float = 0.0
    client_cpu: float = 0.0
    machine_busy: float = 0.0
    loadavg: tuple[float, float, float] = (0.0, 0.0, 0.0)
    workers: int = 0
    worker_rss_mb: float = 0.0


class _User:
    def __init__(self, port: int, account: str, token: str, persons: list[int], names: list[str]) -> None:
        self.port = port
        self.account = account
        self.token = token
        self.persons = persons
        self.names = names
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None, *, api: bool = False) -> tuple[int, bytes]:
        headers = {"Host": "127.0.0.1"}
        if api:
            headers["Authorization"] = f"Bearer {self.token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}/akun/login/"
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                content = response.read()
                break
            except (http.client.HTTPException, OSError):
                # The server closed an idle keep-alive connection: reconnect once (a failure the second time
                # counts as an error).
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt:
                    raise
        if not api:
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, content

    def login(self) -> None:
        status, page = self.request("GET", "/akun/login/")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or match is None:
            raise RuntimeError(f"login page: {status}")
        form = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "login": self.account, "password": PASSWORD})
        status, _body = self.request("POST", "/akun/login/", form)
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login of {self.account} failed: {status}")

    def one(self, kind: str, rng: random.Random) -> int:
        if kind == "person search":
            return self.request("GET", f"/orang/?q={quote(rng.choice(self.names))}")[0]
        if kind == "person detail":
            return self.request("GET", f"/orang/{rng.choice(self.persons)}/")[0]
        if kind == "case list":
            return self.request("GET", "/kasus/")[0]
        if kind == "referral inbox":
            return self.request("GET", "/rujukan/")[0]
        if kind == "notifications":
            return self.request("GET", "/notifikasi/")[0]
        if kind == "API search":
            return self.request("GET", f"/api/v1/persons?q={quote(rng.choice(self.names))}", api=True)[0]
        return self.request("GET", f"/api/v1/persons/{rng.choice(self.persons)}", api=True)[0]


def _prepare(server: _Server, users: int, tokens: dict[str, str]) -> list[_User]:
    seen: dict[str, tuple[list[int], list[str]]] = {}
    for agency, token in tokens.items():
        probe = _User(server.port, "", token, [], [])
        persons: list[int] = []
        found: set[str] = set()
        for seed in SEED_NAMES:
            status, body = probe.request("GET", f"/api/v1/persons?q={seed}&limit=200", api=True)
            if status != 200:
                raise RuntimeError(f"API search for {agency}: {status} {body[:200]!r}")
            for hit in json.loads(body):
                if hit.get("id"):
                    persons.append(hit["id"])
                    found.update(word for word in hit["full_name"].split()[:1] if len(word) > 2)
        if not persons:
            # A small demo (the quick run's) may give an agency no person these names find: its staff sit out.
            print(f"  no persons of {agency} found through the API: its accounts are left out of this run")
            continue
        # Names to search for: the given names found (a small demo may have none longer than two letters).
        seen[agency] = (sorted(set(persons)), sorted(found) or list(SEED_NAMES))
    accounts = [account for account in ACCOUNTS if AGENCY_OF[account] in seen]
    if not accounts:
        raise RuntimeError("no agency's persons found through the API")
    prepared = []
    for index in range(users):
        account = accounts[index % len(accounts)]
        agency = AGENCY_OF[account]
        persons, names = seen[agency]
        prepared.append(_User(server.port, account, tokens[agency], persons, names))
    errors: list[BaseException] = []

    def login_all(chunk: list[_User]) -> None:
        try:
            for user in chunk:
                user.login()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=login_all, args=(prepared[i::8],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return prepared


def _measure(server: _Server, scenario: Scenario, tokens: dict[str, str]) -> _Result:
    users = _prepare(server, scenario.users, tokens)
    result = _Result()
    kinds = [kind for kind, _ in KINDS]
    weights = [weight for _, weight in KINDS]
    stop = threading.Event()
    lock = threading.Lock()
    start_at = time.monotonic() + 0.5
    window_start = start_at + WARM_UP
    window_end = window_start + scenario.seconds

    def loop(user: _User, seed: int) -> None:
        rng = random.Random(seed)
        time.sleep(max(0.0, start_at - time.monotonic()) + rng.random() * min(1.0, scenario.think or 0.2))
        while not stop.is_set():
            kind = rng.choices(kinds, weights)[0]
            began = time.monotonic()
            try:
                status = user.one(kind, rng)
            except (http.client.HTTPException, OSError) as error:
                status, failure = 0, type(error).__name__
            else:
                failure = f"HTTP {status}"
            ended = time.monotonic()
            if began >= window_start and ended <= window_end:
                with lock:
                    result.samples.append((kind, ended - began, status == 200))
                    if status != 200:
                        result.failures[failure] += 1
            if scenario.think:
                time.sleep(scenario.think)

    threads = [threading.Thread(target=loop, args=(user, index), daemon=True) for index, user in enumerate(users)]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, window_start - time.monotonic()))
    database = server.env["DATABASE_URL"].rsplit("/", 1)[-1]
    pids, backends = server.pids(), _postgres_backends(database)
    server_before = _cpu_seconds(pids)
    database_before = {pid: _cpu_seconds([pid]) for pid in backends}
    client_before, machine_before = time.process_time(), _machine_ticks()
    time.sleep(max(0.0, window_end - time.monotonic()))
    result.server_cpu = _cpu_seconds(pids) - server_before
    # Backends that stayed connected the whole window (with connections kept, that is all of them; with one
    # connection per request this misses most of PostgreSQL's work).
    stayed = [pid for pid in _postgres_backends(database) if pid in database_before]
    result.database_cpu = _cpu_seconds(stayed) - sum(database_before[pid] for pid in stayed)
    result.client_cpu = time.process_time() - client_before
    busy, total = (after - before for after, before in zip(_machine_ticks(), machine_before, strict=True))
    result.machine_busy = busy / total if total else 0.0
    result.loadavg = os.getloadavg()
    result.window = scenario.seconds
    result.workers = len(pids) - 1
    result.worker_rss_mb = max((_rss_mb(pid) for pid in pids[1:]), default=0.0)
    stop.set()
    for thread in threads:
        thread.join(timeout=65)
    return result


def _rss_mb(pid: int) -> float:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _machine_ticks() -> tuple[int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


# --- reporting ---------------------------------------------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000 if ordered else 0.0


def _report(scenario: Scenario, label: str, result: _Result) -> None:
    heading = f"-- {scenario.label}" + (f" [{label}]" if label else "")
    print(
        f"{heading}: {result.window:.0f} s window after {WARM_UP:.0f} s warm-up, {result.workers} gunicorn workers "
        f"(largest RSS {result.worker_rss_mb:.0f} MB)"
    )
    print("| kind | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    by_kind: dict[str, list[float]] = defaultdict(list)
    errors: dict[str, int] = defaultdict(int)
    for kind, seconds, ok in result.samples:
        by_kind[kind].append(seconds)
        errors[kind] += not ok
    for kind, _weight in KINDS:
        times = by_kind.get(kind, [])
        print(
            f"| {kind} | {len(times)} | {len(times) / result.window:.1f} | {_percentile(times, 0.5):.0f} | "
            f"{_percentile(times, 0.95):.0f} | {_percentile(times, 0.99):.0f} | {errors[kind]} |"
        )
    every = [seconds for _kind, seconds, _ok in result.samples]
    count = len(every)
    print(
        f"| **all** | {count} | **{count / result.window:.1f}** | {_percentile(every, 0.5):.0f} | "
        f"**{_percentile(every, 0.95):.0f}** | {_percentile(every, 0.99):.0f} | **{sum(errors.values())}** |"
    )
    per = 1000 / count if count else 0.0
    print(
        f"CPU per request: gunicorn {result.server_cpu * per:.1f} ms, "
        f"PostgreSQL backends {result.database_cpu * per:.1f} ms, "
        f"load generator {result.client_cpu * per:.1f} ms (same 2 cores); machine busy {result.machine_busy:.0%}; "
        f"load average {result.loadavg[0]:.2f} {result.loadavg[1]:.2f} {result.loadavg[2]:.2f}"
    )
    if result.failures:
        print("errors: " + ", ".join(f"{name} × {n}" for name, n in sorted(result.failures.items())))
