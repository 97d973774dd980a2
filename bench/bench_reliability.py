"""Reliability on a bad day (issue 13, point 9): concurrent editors and pushes, and SIGKILL of the real processes.

Everything runs on loopback against the processes `make run` starts (scripts/serve): gunicorn serving
`sinergi.wsgi` (2 workers x 4 threads) and `sinergi worker` (the task worker that checks and applies imports).

1. **Concurrency** (through the HTTP API of the running server, and the referral service in threads):
   N editors PATCH the same persons with the version they read (optimistic lock: every stale edit refused with
   409 and a message, no lost update: the versions of the accepted edits are distinct and consecutive);
   N batch pushes (`POST /api/v1/persons:batch`) at once: pairs with the same `Idempotency-Key`, pairs of first
   pushes naming a new source, and pushes of overlapping records (same source and ids) — no 500 (a busy database
   answers 503 + Retry-After), no duplicate person or source record; N receivers accept the same referrals at
   once — exactly one winner each.
2. **SIGKILL of the worker** at random moments while it checks a file (matching it against the registry: the
   linkage) and while it imports it, restarted each time: the import must end DONE by itself (automatic resume),
   every row applied exactly once or reported as an error, no duplicate person, no file left in `var/imports/`.
3. **SIGKILL of the web server** (master and workers) at a random point of a multi-megabyte upload, restarted:
   what it leaves (temporary uploads, stored files, batches) and that the worker's orphan cleanup removes it.

Quick mode (CI): SQLite only, 10-way concurrency, one kill per stage. Full: SQLite and PostgreSQL (an admin URL
in SINERGI_RELIAB_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres; a database sinergi_reliab_<pid>
is created and dropped), 50-way concurrency, several kills. PostgreSQL is skipped when it does not answer.
"""

from __future__ import annotations

import contextlib
import csv
import http.client
import io
import json
import multiprocessing
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench.postgres_admin import pg_admin, postgres_answers

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 1)
STALL_SECONDS = 8  # a killed run is taken for dead after this (production default: 300)


@dataclass(frozen=True)
class Sizes:
    threads: int
    registry: int
    file_rows: int
    kills_per_stage: int
    upload_kills: int
    upload_mb: int


QUICK = Sizes(threads=10, registry=300, file_rows=600, kills_per_stage=1, upload_kills=2, upload_mb=4)
FULL = Sizes(threads=50, registry=2_000, file_rows=3_000, kills_per_stage=3, upload_kills=5, upload_mb=12)


def run(*, quick: bool = False) -> None:
    sizes = QUICK if quick else FULL
    targets: list[tuple[str, str | None]] = [("SQLite", None)]
    admin_url = os.environ.get("SINERGI_RELIAB_PG_URL", "")
    if admin_url != "off" and (not quick or admin_url):
        admin_url = admin_url or "postgres://postgres@127.0.0.1:5432/postgres"
        if postgres_answers(admin_url):
            targets.append(("PostgreSQL", admin_url))
        else:
            print(f"PostgreSQL at {admin_url.rsplit('@', 1)[-1]} does not answer: skipped")
    failures = 0
    for label, admin in targets:
        database_name = f"sinergi_reliab_{os.getpid()}"
        if admin:
            pg_admin(admin, f'CREATE DATABASE "{database_name}"')
        try:
            result = _in_child(sizes, admin.rsplit("/", 1)[0] + "/" + database_name if admin else None)
        finally:
            if admin:
                pg_admin(admin, f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
        failures += _report(label, result)
    if failures:
        raise RuntimeError(f"reliability: {failures} check(s) failed (see the tables above)")


# --- reporting ---------------------------------------------------------------------------------------------------


def _report(label: str, result: dict[str, Any]) -> int:
    if "error" in result:
        raise RuntimeError(f"reliability on {label} failed: {result['error']}")
    print(f"-- {label} ({result['database']}); total {result['seconds']:.0f} s")
    print("| trial | runs | outcome | time (s) | checks |")
    print("|---|---:|---|---:|---|")
    failures = 0
    for trial in result["trials"]:
        bad = [name for name, ok in trial["checks"].items() if not ok]
        failures += len(bad)
        checks = "all held" if not bad else "FAILED: " + ", ".join(bad)
        print(f"| {trial['name']} | {trial['runs']} | {trial['outcome']} | {trial['seconds']:.1f} | {checks} |")
    for note in result.get("notes", []):
        print(f"  note: {note}")
    return failures


# --- the child: one database, Django set up once --------------------------------------------------------------


def _in_child(sizes: Sizes, database_url: str | None) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    process = context.Process(target=_child, args=(sizes, database_url, queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    return result


def _child(sizes: Sizes, database_url: str | None, queue: Any) -> None:
    try:
        with tempfile.TemporaryDirectory(prefix="sinergi-reliab-") as directory:
            queue.put(_measure(sizes, database_url, Path(directory)))
    except Exception as error:  # reported by the parent
        import traceback

        queue.put({"error": f"{error!r}\n{traceback.format_exc()}"})


def _measure(sizes: Sizes, database_url: str | None, directory: Path) -> dict[str, Any]:
    started = time.perf_counter()
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{directory}/reliab.sqlite3"
    os.environ["SINERGI_VAR_DIR"] = str(directory / "var")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.reliability_settings"
    os.environ["SINERGI_IMPORT_STALL_SECONDS"] = str(STALL_SECONDS)
    os.environ["SINERGI_IMPORT_CHUNK_ROWS"] = "20"
    os.environ["SINERGI_IMPORT_ANALYSIS_ROWS"] = "200"
    os.environ["SINERGI_LOG_LEVEL"] = "WARNING"
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    # The collected static files, as `make install` leaves them (the 500 page needs their manifest).
    collected = ROOT / "var" / "static"
    if (collected / "staticfiles.json").exists():
        Path(settings.STATIC_ROOT).symlink_to(collected, target_is_directory=True)
    else:
        call_command("collectstatic", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)
    world = _World.build(sizes, directory)
    server: Any = connection
    if connection.vendor == "sqlite":
        database = "SQLite " + ".".join(map(str, server.Database.sqlite_version_info))
    else:
        database = f"PostgreSQL {server.pg_version // 10000}"
    processes = _Processes(directory)
    trials: list[dict[str, Any]] = []
    notes: list[str] = []
    try:
        processes.start_web()
        # SINERGI_RELIAB_TRIALS=pushes,worker runs only those (names: edits, pushes, accepts, web, worker).
        only = set(filter(None, os.environ.get("SINERGI_RELIAB_TRIALS", "").split(",")))
        if not only or "edits" in only:
            trials.append(_concurrent_edits(world, processes.port, sizes.threads))
        if not only or "pushes" in only:
            trials.extend(_concurrent_pushes(world, processes.port, sizes.threads))
        if not only or "accepts" in only:
            trials.append(_concurrent_accepts(world, sizes.threads))
        if not only or "web" in only:
            trials.append(_kill_web_mid_upload(world, processes, sizes, notes))
        if not only or "worker" in only:
            trials.append(_kill_worker_mid_import(world, processes, sizes, notes))
    finally:
        processes.stop_all()
        notes.extend(_errors_logged(directory / "processes.log"))
    return {"database": database, "trials": trials, "notes": notes, "seconds": time.perf_counter() - started}


def _errors_logged(log: Path) -> list[str]:
    """The last line of each traceback the server and workers logged (what a 500 was), counted."""
    found: Counter[str] = Counter()
    inside = False
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("Traceback (most recent call last)"):
            inside = True
        elif inside and line and not line.startswith((" ", "\t", "During handling", "The above exception")):
            found[line.strip()[:200]] += 1
            inside = False
    return [f"logged {count}×: {error}" for error, count in found.most_common()]


# --- the world: agencies, users, a registry, a token ------------------------------------------------------------


@dataclass
class _World:
    directory: Path
    agency: Any
    operator: Any
    token: str
    persons: list[int]
    sender: Any
    receivers: list[Any]

    @classmethod
    def build(cls, sizes: Sizes, directory: Path) -> _World:
        from django.db import transaction

        from bench.bench_imports import _bulk_persons
        from sinergi.accounts.models import Agency, AgencyKind, User
        from sinergi.accounts.roles import Role
        from sinergi.accounts.tokens import create_system_token
        from sinergi.demo.sop_seeding import seed_sop
        from sinergi.identity.names import normalize_name, phonetic_key
        from sinergi.regions.loading import load_regions
        from sinergi.registry.models import NameToken, Person
        from sinergi.synthetic import generate_persons
        from sinergi.testing.factories import make_person

        load_regions(provinces={"72"})
        agency = Agency.objects.create
        bp3mi = agency(code="bp3mi-sulteng", name="BP3MI Sulawesi Tengah", kind=AgencyKind.BP3MI)
        sentra = agency(code="sentra-nipotowe", name="Sentra Nipotowe Palu", kind=AgencyKind.SENTRA_KEMENSOS)
        agency(code="dinsos-palu", name="Dinas Sosial Kota Palu", kind=AgencyKind.DINSOS_KABKOTA)

        def user(username: str, home: Agency, role: Role) -> User:
            account = User.objects.create(username=username, agency=home)
            account.set_roles([role])
            return account

        seed_sop()
        operator = user("olive", bp3mi, Role.OPERATOR_DATA)
        sender = user("alice", bp3mi, Role.PETUGAS)
        receivers = [user(f"penerima{index}", sentra, Role.PEKERJA_SOSIAL) for index in range(5)]
        registry = generate_persons(sizes.registry, seed=21, today=TODAY)
        _bulk_persons(registry, bp3mi, operator, Person, NameToken, normalize_name, phonetic_key, transaction)
        edited = [make_person(operator, full_name=f"Siti Aminah {tag}").pk for tag in ("Satu", "Dua", "Tiga")]
        _token, secret = create_system_token(
            actor=None, agency=bp3mi, name="SIKS-NG", scopes=["persons:read", "persons:write"]
        )
        return cls(directory, bp3mi, operator, secret, edited, sender, receivers)


# --- the real processes -----------------------------------------------------------------------------------------


class _Processes:
    """gunicorn and `sinergi worker` as `make run` starts them, each in its own process group (kill -9 all of it)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.port = _free_port()
        self.web: subprocess.Popen[bytes] | None = None
        self.worker: subprocess.Popen[bytes] | None = None
        self.log = open(directory / "processes.log", "ab")  # noqa: SIM115  # closed in stop_all

    def _start(self, argv: list[str]) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            argv, cwd=ROOT, env=dict(os.environ), stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def start_web(self) -> None:
        self.web = self._start(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "sinergi.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--graceful-timeout",
                "5",
                "--no-control-socket",
                "--timeout",
                "120",
            ]
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                status, _body = _request(self.port, "GET", "/healthz", timeout=2)
                if status == 200:
                    return
            time.sleep(0.3)
        self.log.flush()
        printed = (self.directory / "processes.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the web server did not answer /healthz within 90 s; its log ends:\n{printed}")

    def start_worker(self) -> None:
        self.worker = self._start(
            [
                sys.executable,
                "-m",
                "sinergi",
                "worker",
                "--interval",
                "0.3",
                "--no-startup-delay",
                "--queue-name",
                "default,imports-small,imports-large",
                "--maintenance-interval",
                "1",
            ]
        )

    @staticmethod
    def kill(process: subprocess.Popen[bytes] | None) -> None:
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)

    def stop_all(self) -> None:
        for process in (self.web, self.worker):
            if process is not None and process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.kill(process)
        self.log.close()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _request(
    port: int,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 60,
) -> tuple[int, Any]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        raw = response.read()
    finally:
        connection.close()
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw[:200]


def _api(world: _World, port: int, method: str, path: str, payload: Any = None, **headers: str) -> tuple[int, Any]:
    all_headers = {"Authorization": f"Bearer {world.token}", "Content-Type": "application/json", **headers}
    body = json.dumps(payload).encode() if payload is not None else None
    return _request(port, method, f"/api/v1{path}", body=body, headers=all_headers)


def _together(count: int, work: Any) -> tuple[list[Any], float]:
    """Run work(index) in `count` threads released at the same moment; the answers in index order."""
    barrier = threading.Barrier(count)
    answers: list[Any] = [None] * count

    def one(index: int) -> None:
        from django.db import connection

        try:
            barrier.wait(timeout=60)
            answers[index] = work(index)
        except Exception as error:
            answers[index] = ("exception", repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=one, args=(index,)) for index in range(count)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers, time.perf_counter() - started


def _trial(name: str, runs: int, outcome: str, seconds: float, **checks: bool) -> dict[str, Any]:
    return {"name": name, "runs": runs, "outcome": outcome, "seconds": seconds, "checks": checks}


def _statuses(answers: list[Any]) -> str:
    counts: dict[str, int] = {}
    for answer in answers:
        key = str(answer[0])
        counts[key] = counts.get(key, 0) + 1
    return ", ".join(f"{count}× {key}" for key, count in sorted(counts.items()))


# --- 1. concurrency ---------------------------------------------------------------------------------------------


def _concurrent_edits(world: _World, port: int, threads: int) -> dict[str, Any]:
    from sinergi.registry.models import Person

    before = {pk: Person.objects.get(pk=pk).version for pk in world.persons}

    def edit(index: int) -> tuple[int, Any, int]:
        person_id = world.persons[index % len(world.persons)]
        status, read = _api(world, port, "GET", f"/persons/{person_id}")
        if status != 200:
            return status, read, person_id
        status, answer = _api(
            world, port, "PATCH", f"/persons/{person_id}", {"version": read["version"], "birth_place": f"Palu {index}"}
        )
        return status, answer, person_id

    answers, seconds = _together(threads, edit)
    accepted: dict[int, list[int]] = {pk: [] for pk in world.persons}
    refusals_clear = True
    for status, answer, person_id in (a if len(a) == 3 else (a[0], a[1], 0) for a in answers):
        if status == 200:
            accepted[person_id].append(answer["version"])
        elif status == 409:
            refusals_clear = refusals_clear and bool(answer.get("detail"))
    no_lost_update = True
    for pk, versions in accepted.items():
        person = Person.objects.get(pk=pk)
        expected = list(range(before[pk] + 1, before[pk] + 1 + len(versions)))
        # Every accepted edit made its own version, and the stored one is the last of them.
        no_lost_update &= sorted(versions) == expected and person.version == before[pk] + len(versions)
        no_lost_update &= person.history.count() >= len(versions) + 1
    return _trial(
        f"{threads} editors PATCH 3 persons (read, then write with the version read)",
        threads,
        _statuses(answers),
        seconds,
        # 503 (+ Retry-After) is the API's answer to a busy database: the client retries; a 500 is a bug.
        no_500=all(isinstance(a[0], int) and (a[0] < 500 or a[0] == 503) for a in answers),
        only_200_or_409=all(a[0] in (200, 409) for a in answers),
        stale_refused_with_message=refusals_clear,
        no_lost_update=no_lost_update,
    )


def _push_record(index: int) -> dict[str, str]:
    """A valid record: the NIK carries the birth date (day + 40 for a woman) of a district of Palu."""
    born = date(1980 + index % 20, 1 + index % 12, 1 + index % 28)
    woman = index % 2 == 1
    return {
        "id": f"SIKS-{index:05d}",
        "full_name": f"Wa Ode Reliab {_spell(index)}",
        "nik": f"727105{born.day + (40 if woman else 0):02d}{born.month:02d}{born.year % 100:02d}{index + 1:04d}",
        "birth_date": born.isoformat(),
        "sex": "P" if woman else "L",
    }


def _spell(number: int) -> str:
    digits = ["Nol", "Satu", "Dua", "Tiga", "Empat", "Lima", "Enam", "Tujuh", "Delapan", "Sembilan"]
    return " ".join(digits[int(d)] for d in str(number))


def _concurrent_pushes(world: _World, port: int, threads: int) -> list[dict[str, Any]]:
    from django.db.models import Count

    from sinergi.registry.models import Person
    from sinergi.sources.models import DataSource, SourceRecord

    pool = 40  # overlapping records: every push sends 10 of these 40, the same ids under the same source

    def push(index: int) -> tuple[int, Any, dict[str, str]]:
        kind = index % 5
        if kind == 0:  # a pair with the same key and body (a retry racing the first try)
            key, source, records = f"pair-{index // 10}", "SIKS-NG", [_push_record(1000 + index // 10)]
        elif kind == 1:  # a pair of first pushes naming the same new source, different keys
            key, source, records = str(uuid.uuid4()), f"Sumber Baru {index // 10}", [_push_record(2000 + index // 10)]
        else:  # overlapping records under one source
            key, source = str(uuid.uuid4()), "SIKS-NG"
            records = [_push_record((index * 7 + step * 3) % pool) for step in range(10)]
        status, answer = _api(
            world, port, "POST", "/persons:batch", {"source": source, "records": records}, **{"Idempotency-Key": key}
        )
        return status, answer, {"kind": str(kind)}

    sent: dict[str, str] = {}  # NIK -> id of every record some push carried
    for index in range(threads):
        kind = index % 5
        number = 1000 + index // 10 if kind == 0 else 2000 + index // 10 if kind == 1 else None
        numbers = [number] if number is not None else [(index * 7 + step * 3) % pool for step in range(10)]
        sent.update({_push_record(n)["nik"]: _push_record(n)["id"] for n in numbers})
    answers, seconds = _together(threads, push)
    agency_persons = Person.objects.filter(registered_by_agency=world.agency, merged_into__isnull=True)
    per_nik = dict(agency_persons.filter(nik__in=sent).values_list("nik").annotate(n=Count("id")))
    duplicate_records = (
        SourceRecord.objects.values("source_id", "external_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )
    stored_ids = set(SourceRecord.objects.filter(source__agency=world.agency).values_list("external_id", flat=True))
    new_sources = DataSource.objects.filter(agency=world.agency, name__startswith="Sumber Baru").count()
    expected_sources = len({index // 10 for index in range(threads) if index % 5 == 1})
    pairs_ok = True
    for pair in {index // 10 for index in range(threads) if index % 5 == 0}:
        # The two answers of a key: one did the work; the other replayed it or was told the first still runs.
        two = [answers[i] for i in range(threads) if i % 5 == 0 and i // 10 == pair]
        pairs_ok &= sum(1 for a in two if a[0] == 200) >= 1 and all(a[0] in (200, 409) for a in two)
        person_ids = {r["person_id"] for a in two if a[0] == 200 for r in a[1]["records"]}
        pairs_ok &= len(person_ids) == 1
    return [
        _trial(
            f"{threads} batch pushes at once (same key twice, two first pushes per new source, overlapping records)",
            threads,
            _statuses(answers),
            seconds,
            # 503 (+ Retry-After) is the API's answer to a busy database: the client retries; a 500 is a bug.
            no_500=all(isinstance(a[0], int) and (a[0] < 500 or a[0] == 503) for a in answers),
            same_key_done_once=pairs_ok,
            new_source_created_once=new_sources == expected_sources,
            one_person_per_pushed_nik=all(per_nik.get(nik) == 1 for nik in sent),
            no_duplicate_source_record=duplicate_records == 0,
            every_pushed_record_stored=set(sent.values()) <= stored_ids,
        )
    ]


def _concurrent_accepts(world: _World, threads: int) -> dict[str, Any]:
    from sinergi.referrals import services
    from sinergi.referrals.models import Referral, ReferralStatus
    from sinergi.testing.referral_fixtures import sent_referral

    referrals = [sent_referral(world.sender).pk for _ in range(max(1, threads // 10))]

    def accept(index: int) -> tuple[str, str]:
        referral_id = referrals[index % len(referrals)]
        receiver = world.receivers[index % len(world.receivers)]
        try:
            services.accept_referral(actor=receiver, referral_id=referral_id)
        except services.ReferralError as refusal:
            return "refused", str(refusal)
        return "accepted", ""

    answers, seconds = _together(threads, accept)
    winners = [
        sum(1 for i, a in enumerate(answers) if a[0] == "accepted" and i % len(referrals) == n)
        for n in range(len(referrals))
    ]
    accepted = Referral.objects.filter(pk__in=referrals, status=ReferralStatus.ACCEPTED).count()
    return _trial(
        f"{threads} receivers accept {len(referrals)} referrals at once",
        threads,
        _statuses(answers),
        seconds,
        exactly_one_winner_each=winners == [1] * len(referrals) and accepted == len(referrals),
        losers_told_why=all(a[1] for a in answers if a[0] == "refused"),
        no_exception=all(a[0] in ("accepted", "refused") for a in answers),
    )


# --- 2. SIGKILL of the web server mid-upload -------------------------------------------------------------------


def _export_csv(rows: int, *, seed: int, registry_size: int) -> bytes:
    """An agency export: 60 % new persons, 20 % registry persons with their NIK, 20 % without it."""
    from sinergi.synthetic import generate_persons

    newcomers = generate_persons(rows, seed=seed, today=TODAY)
    known = generate_persons(registry_size, seed=21, today=TODAY)  # the registry (same seed as _World)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(["No", "Nama Lengkap", "NIK", "Tempat Lahir", "Tgl Lahir", "JK", "Kode Wilayah"])
    for index in range(rows):
        if index % 5 < 3 or not known:
            person, nik = newcomers[index], newcomers[index].nik or ""
        else:
            person = known[index % len(known)]
            nik = person.nik or "" if index % 5 == 3 else ""
        writer.writerow(
            [
                f"SP-{seed}-{index + 1:06d}",
                person.full_name,
                nik,
                person.birth_place,
                person.birth_date.strftime("%d/%m/%Y"),
                person.sex,
                person.region_code or "",
            ]
        )
    return text.getvalue().encode()


MAPPING = {
    "id": "No",
    "full_name": "Nama Lengkap",
    "nik": "NIK",
    "birth_place": "Tempat Lahir",
    "birth_date": "Tgl Lahir",
    "sex": "JK",
    "region_code": "Kode Wilayah",
}


def _multipart(content: bytes, source: str) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="source"\r\n\r\n{source}\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="mapping"\r\n\r\n{json.dumps(MAPPING)}\r\n'.encode(),
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="ekspor.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode(),
        content,
        f"\r\n--{boundary}--\r\n".encode(),
    ]
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _files(directory: Path) -> list[Path]:
    return [path for path in directory.iterdir() if path.is_file()] if directory.is_dir() else []


def _kill_web_mid_upload(world: _World, processes: _Processes, sizes: Sizes, notes: list[str]) -> dict[str, Any]:
    from sinergi.imports import services
    from sinergi.imports.models import ImportBatch

    var = Path(os.environ["SINERGI_VAR_DIR"])
    rows = sizes.upload_mb * 1024 * 1024 // 75  # about 75 bytes a row
    content = _export_csv(rows, seed=31, registry_size=0)
    body, content_type = _multipart(content, "Ekspor Sisko P2MI")
    randomness = random.Random(13)
    started = time.perf_counter()
    left: list[str] = []
    batches_before = ImportBatch.objects.count()
    for trial in range(sizes.upload_kills):
        # Spread over the body, and once after the last byte (while the server stores and reads the file).
        fraction = 1.0 if trial == sizes.upload_kills - 1 else randomness.uniform(0.05, 0.98)
        cut = int(len(body) * fraction)
        connection = http.client.HTTPConnection("127.0.0.1", processes.port, timeout=60)
        connection.putrequest("POST", "/api/v1/imports")
        connection.putheader("Authorization", f"Bearer {world.token}")
        connection.putheader("Content-Type", content_type)
        connection.putheader("Content-Length", str(len(body)))
        connection.endheaders()
        step = 256 * 1024
        for offset in range(0, cut, step):
            connection.send(body[offset : min(offset + step, cut)])
            time.sleep(0.01)
        if fraction >= 1.0:
            connection.send(body[cut:])
            time.sleep(randomness.uniform(0.05, 0.4))
        processes.kill(processes.web)
        connection.close()
        temporary, stored = _files(var / "tmp"), _files(var / "imports")
        left.append(
            f"kill {trial + 1} at {fraction:.0%} of {len(body) / 1e6:.1f} MB: {len(temporary)} temporary upload(s) "
            f"({sum(p.stat().st_size for p in temporary) / 1e6:.1f} MB), {len(stored)} stored file(s), "
            f"{ImportBatch.objects.count() - batches_before} batch(es)"
        )
        processes.start_web()
    # After the kills: a whole upload still works on the restarted server.
    status, answer = _request(
        processes.port,
        "POST",
        "/api/v1/imports",
        body=body,
        headers={"Authorization": f"Bearer {world.token}", "Content-Type": content_type},
    )
    last_ok = status == 201
    finished = {answer.get("id")} if last_ok else set()
    # The worker's cleanup, as it runs an hour later (its grace for uploads still being received).
    report = services.cleanup_orphan_files(older_than=timedelta(0))
    stray_batches = [
        (batch.pk, batch.status, services.run_is_alive(batch) or services.can_resume(batch))
        for batch in ImportBatch.objects.exclude(pk__in=finished).exclude(status__in=["FAILED", "DONE", "CANCELLED"])
    ]
    live = {
        str(Path(p).resolve())
        for p in ImportBatch.objects.exclude(stored_path="").values_list("stored_path", flat=True)
    }
    orphans = [p for p in _files(var / "tmp") + _files(var / "imports") if str(p.resolve()) not in live]
    notes.extend(left)
    notes.append(f"cleanup after the web kills: {report}")
    if stray_batches:
        notes.append(f"batches a web kill left (id, status, queued or resumed by the worker): {stray_batches}")
    for pk in finished | {pk for pk, _s, _p in stray_batches}:
        with contextlib.suppress(Exception):
            services.cancel_import(actor=world.operator, batch_id=pk)  # leave the next trial a quiet queue
    return _trial(
        f"SIGKILL of gunicorn mid-upload ({sizes.upload_mb} MB CSV), restart",
        sizes.upload_kills,
        f"{sizes.upload_kills} kills; upload after restart {status}; cleanup: {report}",
        time.perf_counter() - started,
        upload_after_restart=last_ok,
        no_orphan_after_cleanup=not orphans,
        # A batch the kill interrupted is over, queued, or one the worker resumes by itself: never stuck.
        no_stuck_batch=all(alive for _pk, _status, alive in stray_batches),
    )


# --- 3. SIGKILL of the worker mid-check (linkage) and mid-import ------------------------------------------------


def _kill_worker_mid_import(world: _World, processes: _Processes, sizes: Sizes, notes: list[str]) -> dict[str, Any]:

    from sinergi.imports.models import BatchStatus, ImportBatch, ImportRow, RowAction
    from sinergi.imports.models import BatchStatus as S
    from sinergi.registry.models import Person
    from sinergi.sources.models import SourceRecord

    var = Path(os.environ["SINERGI_VAR_DIR"])
    content = _export_csv(sizes.file_rows, seed=41, registry_size=sizes.registry)
    body, content_type = _multipart(content, "Ekspor Sisko Kill")
    persons_before = Person.objects.count()
    niks_before = Counter(Person.objects.filter(registered_by_agency=world.agency).values_list("nik", flat=True))
    started = time.perf_counter()
    status, answer = _request(
        processes.port,
        "POST",
        "/api/v1/imports",
        body=body,
        headers={"Authorization": f"Bearer {world.token}", "Content-Type": content_type},
    )
    if status != 201:
        raise RuntimeError(f"upload for the worker trial answered {status}: {answer}")
    batch_id = answer["id"]
    randomness = random.Random(17)
    planned: dict[str, int] = {S.ANALYSING: sizes.kills_per_stage, S.APPLYING: sizes.kills_per_stage}
    kills: list[str] = []
    processes.start_worker()
    # A kill lands after the restarted run has made progress (a chunk reported), then a random delay later.
    seen: tuple[str, int] | None = None
    kill_at: float | None = None
    deadline = time.monotonic() + 900
    applied_asked = False
    while time.monotonic() < deadline:
        batch = ImportBatch.objects.get(pk=batch_id)
        progress = batch.rows_done if batch.status == S.APPLYING else batch.total_rows
        if batch.status == S.PREVIEW and not applied_asked:
            status, answer = _api(world, processes.port, "POST", f"/imports/{batch_id}/apply")
            applied_asked = status == 202
        elif batch.status in (S.DONE, S.FAILED, S.CANCELLED):
            break
        elif planned.get(batch.status, 0) > 0:
            if seen is None or seen[0] != batch.status:
                seen, kill_at = (batch.status, progress), None
            elif kill_at is None and progress > seen[1]:
                kill_at = time.monotonic() + randomness.uniform(0.0, 0.6)
            elif kill_at is not None and time.monotonic() >= kill_at:
                processes.kill(processes.worker)
                planned[batch.status] -= 1
                kills.append(f"{batch.status.lower()} at row {progress}")
                processes.start_worker()
                # A check starts again from its first row; an import continues after its last chunk.
                seen, kill_at = (batch.status, 0 if batch.status == S.ANALYSING else progress), None
        time.sleep(0.2)
    seconds = time.perf_counter() - started
    processes.kill(processes.worker)
    batch = ImportBatch.objects.get(pk=batch_id)
    rows = ImportRow.objects.filter(batch=batch)
    errors = rows.filter(action=RowAction.ERROR).count()
    unapplied = rows.exclude(action=RowAction.ERROR).filter(applied=False).count()
    ids = list(rows.exclude(action=RowAction.ERROR).values_list("external_id", flat=True))
    records = SourceRecord.objects.filter(source=batch.source)
    # Each NIK is held by the persons it had before plus one per row the check planned as new: no more.
    planned_new = Counter(row.values.get("nik", "") for row in rows.filter(action=RowAction.CREATE))
    niks_after = Counter(Person.objects.filter(registered_by_agency=world.agency).values_list("nik", flat=True))
    extra = sum(
        1 for nik, count in niks_after.items() if nik and count != niks_before.get(nik, 0) + planned_new.get(nik, 0)
    )
    created = int(batch.counts.get("CREATE", 0))
    leftovers = [p.name for p in _files(var / "imports")]
    notes.append(
        f"worker trial: kills {', '.join(kills) or 'none landed'}; final counts {batch.counts}; persons "
        f"+{Person.objects.count() - persons_before} (created {created}); NIKs with more persons than planned: {extra}"
    )
    return _trial(
        f"SIGKILL of the worker mid-check and mid-import ({sizes.file_rows:,} rows), restart",
        len(kills),
        f"{batch.status} after {len(kills)} kills ({', '.join(kills)})"
        + ("" if all(n == 0 for n in planned.values()) else f"; kills that found no run to hit: {planned}"),
        seconds,
        done_by_itself=batch.status == BatchStatus.DONE,
        every_row_once=rows.count() == sizes.file_rows and unapplied == 0,
        each_row_one_source_record=records.count() == len(set(ids)) == sizes.file_rows - errors,
        no_duplicate_person=extra == 0 and Person.objects.count() - persons_before == created,
        no_file_left=not leftovers,
        no_batch_stuck=not ImportBatch.objects.filter(
            status__in=[BatchStatus.ANALYSING, BatchStatus.APPLYING]
        ).exists(),
    )
