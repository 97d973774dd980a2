"""Imports: how fast does an agency export go through check, preview and import, and what does a re-import cost?

Dataset: a BP3MI registry of synthetic Sulawesi Tengah persons (50,000; quick: 1,000) and a Sisko P2MI-like
export (100,000 rows; quick: 300): 60 % persons new to the registry, 20 % registry persons with their NIK (linked
by NIK), 20 % registry persons whose export row lost its NIK (scored by the matching model: a link or a review
pair). The import runs the real path: upload, column mapping, analysis and apply as tasks on the database
backend, run by `db_worker --batch` (chunks of 200 rows, one transaction each). Then the same file again
(every row unchanged).

Peers, measured in the same run on the same rows:

- django-import-export (the usual Django import library): a ``ModelResource`` for the registry's Person with
  ``clean_model_instances`` (Django's model validation, one ``full_clean`` per row), importing the same file
  (CSV or XLSX) into the same model, every row a new person (it matches nothing: that favours it). It is slow,
  so it takes the file's first ``SINERGI_BENCH_PEER_ROWS`` rows (5,000; quick: 300) and the rates are compared
  per row.
- a plain Django `bulk_create` of the export's rows as persons (with their name index), with no validation,
  matching, provenance, audit or change feed: the floor an import cannot go below.

The registry grows with the file (at least half as many persons as the file has rows): 40 % of the rows are
registry persons, and a 100,000-row file against 20,000 persons would not have them.
"""

from __future__ import annotations

import cProfile
import csv
import io
import multiprocessing
import os
import tempfile
import time
from datetime import date
from typing import Any

from bench.postgres_admin import pg_admin, postgres_answers

TODAY = date(2026, 11, 1)


def run(*, quick: bool = False) -> None:
    """Quick: 300 rows (CSV, SQLite). Full: the issue's plan, 100,000 rows against 50,000 persons, CSV and XLSX,
    on SQLite and on PostgreSQL (a database of its own, dropped afterwards; skipped if the server does not answer).

    The environment narrows or resizes it: SINERGI_BENCH_IMPORT_ROWS=5000, SINERGI_BENCH_REGISTRY=20000,
    SINERGI_BENCH_IMPORT_FORMAT=csv|xlsx (only that format), SINERGI_BENCH_DATABASE_URL=postgres://.../db (only
    that database: an empty one the benchmark may fill), SINERGI_BENCH_PG_URL (the server's admin URL, or ``off``).
    """
    registry_size, file_rows = (1_000, 300) if quick else (50_000, 100_000)
    file_rows = int(os.environ.get("SINERGI_BENCH_IMPORT_ROWS", file_rows))
    registry_size = int(os.environ.get("SINERGI_BENCH_REGISTRY", registry_size))
    registry_size = max(registry_size, file_rows // 2)
    chosen_format = os.environ.get("SINERGI_BENCH_IMPORT_FORMAT", "").lower()
    if chosen_format not in ("", "csv", "xlsx"):
        raise ValueError(f"SINERGI_BENCH_IMPORT_FORMAT must be csv or xlsx, not {chosen_format!r}")
    formats = [chosen_format] if chosen_format else (["csv"] if quick else ["csv", "xlsx"])
    peer_rows = min(file_rows, int(os.environ.get("SINERGI_BENCH_PEER_ROWS", 300 if quick else 5_000)))
    databases: list[tuple[str, str | None]] = []  # (label, database URL; None: a temporary SQLite file)
    given = os.environ.get("SINERGI_BENCH_DATABASE_URL")
    admin_url = os.environ.get("SINERGI_BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    if given:
        databases.append(("given", given))
    else:
        databases.append(("SQLite", None))
        if not quick and admin_url != "off":
            if postgres_answers(admin_url):
                databases.append(("PostgreSQL", admin_url.rsplit("/", 1)[0] + "/" + PG_DATABASE))
            else:
                print(f"PostgreSQL at {admin_url.rsplit('@', 1)[-1]} does not answer: the PostgreSQL runs are skipped")
    for label, url in databases:
        for file_format in formats:
            print(f"-- {label}, {file_format.upper()}", flush=True)
            fresh = label == "PostgreSQL"
            if fresh:
                pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
                pg_admin(admin_url, f'CREATE DATABASE "{PG_DATABASE}"')
            try:
                _run_one(url, registry_size, file_rows, file_format, peer_rows)
            finally:
                if fresh:
                    pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


PG_DATABASE = "sinergi_bench_imports"


def _run_one(url: str | None, registry_size: int, file_rows: int, file_format: str, peer_rows: int) -> None:
    # Django is set up once per process, on its own database: run in a fresh interpreter.
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    process = context.Process(target=_child, args=(url, registry_size, file_rows, file_format, peer_rows, queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    if "error" in result:
        raise RuntimeError(f"imports benchmark failed: {result['error']}")
    print(
        f"registry: {registry_size:,} persons; export: {file_rows:,} rows "
        f"({result['file_kb']:,.0f} KB {file_format.upper()}); database: {result['database']}; "
        f"peak RSS of the Sinergi import {result['rss_mb']:,.0f} MB (its largest preparation process "
        f"{result['child_rss_mb']:,.0f} MB); load average {result['load']}"
    )
    # CPU: of the benchmark's process and its preparation processes (on SQLite the database works in it;
    # PostgreSQL's server is not counted).
    print("| step | rows | wall time (s) | rows/s | CPU of the process (s) | outcome |")
    print("|---|---:|---:|---:|---:|---|")
    for name, rows, seconds, cpu, outcome in result["steps"]:
        print(f"| {name} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {cpu:.1f} | {outcome} |")
    sinergi_rate = file_rows / result["first_total"]
    peer_rate = result["peer_rows"] / result["peer_seconds"]
    print(
        f"upload to done: first import {result['first_total']:.1f} s, same file again {result['again_total']:.1f} s; "
        f"Sinergi {sinergi_rate:,.0f} rows/s vs django-import-export {peer_rate:,.0f} rows/s: "
        f"{sinergi_rate / peer_rate:,.1f}x",
        flush=True,
    )


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (the check's preparation processes)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _child(url: str | None, registry_size: int, file_rows: int, file_format: str, peer_rows: int, queue: Any) -> None:
    try:
        with tempfile.TemporaryDirectory() as directory:
            queue.put(_measure(url, directory, registry_size, file_rows, file_format, peer_rows))
    except Exception as error:  # reported by the parent
        queue.put({"error": repr(error)})


def _measure(
    url: str | None, directory: str, registry_size: int, file_rows: int, file_format: str, peer_rows: int
) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = url or f"sqlite:///{directory}/bench.sqlite3"
    os.environ["SINERGI_VAR_DIR"] = directory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.settings")
    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import transaction

    from sinergi.accounts.models import Agency, AgencyKind, User
    from sinergi.accounts.roles import Role
    from sinergi.identity.names import normalize_name, phonetic_key
    from sinergi.imports import services as imports
    from sinergi.imports.models import BatchStatus, ImportBatch
    from sinergi.matching.models import MatchCandidate
    from sinergi.regions.loading import load_regions
    from sinergi.registry.models import NameToken, Person
    from sinergi.synthetic import generate_persons

    call_command("migrate", verbosity=0)
    load_regions(provinces={"72"})
    agency = Agency.objects.create(code="bp3mi-bench", name="BP3MI Bench", kind=AgencyKind.BP3MI)
    operator = User.objects.create(username="operator", agency=agency)
    operator.set_roles([Role.OPERATOR_DATA])

    registry = generate_persons(registry_size, seed=11, today=TODAY)
    _bulk_persons(registry, agency, operator, Person, NameToken, normalize_name, phonetic_key, transaction)

    newcomers = generate_persons(file_rows, seed=12, today=TODAY)
    known = registry[: file_rows * 2 // 5]
    rows: list[dict[str, str]] = []
    for index in range(file_rows):
        if index % 5 < 3:
            person, nik = newcomers[index], newcomers[index].nik or ""
        elif index % 5 == 3:
            person, nik = known[index // 5 * 2], known[index // 5 * 2].nik or ""
        else:
            person, nik = known[index // 5 * 2 + 1], ""
        rows.append(
            {
                "No": f"SP-{index + 1:06d}",
                "Nama Lengkap": person.full_name,
                "NIK": nik,
                "Tempat Lahir": person.birth_place,
                "Tgl Lahir": person.birth_date.strftime("%d/%m/%Y"),
                "JK": person.sex,
                "Kode Wilayah": person.region_code or "",
            }
        )
    content = _file_content(rows, file_format)
    file_name, content_type = (
        ("ekspor-sisko.csv", "text/csv")
        if file_format == "csv"
        else ("ekspor-sisko.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    mapping = {
        "id": "No",
        "full_name": "Nama Lengkap",
        "nik": "NIK",
        "birth_place": "Tempat Lahir",
        "birth_date": "Tgl Lahir",
        "sex": "JK",
        "region_code": "Kode Wilayah",
    }

    steps: list[tuple[str, int, float, float, str]] = []
    totals: dict[str, float] = {}
    # SINERGI_BENCH_PROFILE=file.prof: cProfiles of each step (`python -m pstats file.prof`): the first import's
    # apply (file.prof) and check (file.prof.check), the same file's again (file.prof.again, .again.check).
    profile_base = os.environ.get("SINERGI_BENCH_PROFILE")
    for attempt in ("first import", "same file again"):
        suffix = "" if attempt == "first import" else ".again"
        started, cpu_started = time.perf_counter(), _cpu()
        batch = imports.start_import(
            actor=operator,
            upload=SimpleUploadedFile(file_name, content, content_type=content_type),
            source_name="Ekspor Sisko P2MI",
        )
        imports.choose_mapping(actor=operator, batch_id=batch.pk, mapping=mapping)
        check_path = f"{profile_base}{suffix}.check" if profile_base else None
        checker = cProfile.Profile() if check_path else None
        if checker is not None:
            checker.enable()
        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
        if checker is not None and check_path:
            checker.disable()
            checker.dump_stats(check_path)
        batch = ImportBatch.objects.get(pk=batch.pk)
        analysed = time.perf_counter() - started
        steps.append(
            (
                f"{attempt}: upload, check and preview",
                file_rows,
                analysed,
                _cpu() - cpu_started,
                _counts(batch.counts),
            )
        )
        started, cpu_started = time.perf_counter(), _cpu()
        imports.confirm_import(actor=operator, batch_id=batch.pk)
        profile_path = f"{profile_base}{suffix}" if profile_base else None
        profiler = cProfile.Profile() if profile_path else None
        if profiler is not None:
            profiler.enable()
        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
        if profiler is not None and profile_path:
            profiler.disable()
            profiler.dump_stats(profile_path)
        batch = ImportBatch.objects.get(pk=batch.pk)
        seconds = time.perf_counter() - started
        # A figure for an import that did not finish (a worker that took no task, say) would be meaningless.
        if batch.status != BatchStatus.DONE:
            raise RuntimeError(f"{attempt}: the import ended {batch.status}, not DONE: {batch.error or ''}")
        pairs = MatchCandidate.objects.count()
        steps.append(
            (
                f"{attempt}: apply ({batch.status})",
                file_rows,
                seconds,
                _cpu() - cpu_started,
                f"{_counts(batch.counts)}; review pairs {pairs}",
            )
        )
        totals[attempt] = analysed + seconds
    import resource

    # Measured before the peers run: the peak of the Sinergi import (upload, check, apply, twice).
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    # The check prepares large inputs in one process per core; the largest of those, separately.
    child_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

    # Peer 1: django-import-export, the file's first `peer_rows` rows, validation on.
    peer_agency = Agency.objects.create(code="peer-iie", name="Peer IIE", kind=AgencyKind.BP3MI)
    peer_content = _file_content(rows[:peer_rows], file_format)
    started, cpu_started = time.perf_counter(), _cpu()
    outcome = _import_export(peer_content, file_format, peer_agency, operator)
    peer_seconds = time.perf_counter() - started
    steps.append(
        (
            "peer: django-import-export, validation on (file to done)",
            peer_rows,
            peer_seconds,
            _cpu() - cpu_started,
            outcome,
        )
    )

    # Peer 2: the same rows as plain persons, nothing checked.
    floor_agency = Agency.objects.create(code="peer", name="Peer", kind=AgencyKind.BP3MI)
    started, cpu_started = time.perf_counter(), _cpu()
    _bulk_persons(newcomers, floor_agency, operator, Person, NameToken, normalize_name, phonetic_key, transaction)
    steps.append(
        (
            "peer: plain bulk_create, no checks",
            file_rows,
            time.perf_counter() - started,
            _cpu() - cpu_started,
            f"{file_rows:,} persons",
        )
    )

    from django.db import connection

    server: Any = connection  # the backend's own attributes
    if connection.vendor == "sqlite":
        database = "SQLite " + ".".join(map(str, server.Database.sqlite_version_info))
    else:
        database = f"PostgreSQL {server.pg_version}"
    return {
        "steps": steps,
        "file_kb": len(content) / 1024,
        "rss_mb": rss_mb,
        "child_rss_mb": child_rss_mb,
        "database": database,
        "first_total": totals["first import"],
        "again_total": totals["same file again"],
        "peer_rows": peer_rows,
        "peer_seconds": peer_seconds,
        "load": " ".join(f"{value:.1f}" for value in os.getloadavg()),
    }


def _file_content(rows: list[dict[str, str]], file_format: str) -> bytes:
    if file_format == "csv":
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        return text.getvalue().encode()
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Ekspor")
    sheet.append(list(rows[0]))
    for row in rows:
        sheet.append(list(row.values()))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _import_export(content: bytes, file_format: str, agency: Any, user: Any) -> str:
    """django-import-export's import of the file into Person, as its documentation shows (a ModelResource with
    column names and widgets; model validation on); every row a new person of `agency`."""
    import tablib  # type: ignore[import-untyped]
    from import_export import fields, resources, widgets  # type: ignore[import-untyped]

    from sinergi.identity.names import normalize_name
    from sinergi.regions.models import Region
    from sinergi.registry.models import Person

    class PersonResource(resources.ModelResource):
        full_name = fields.Field(attribute="full_name", column_name="Nama Lengkap")
        # A blank cell of a workbook is None, not "": these columns are blank=True, not null=True.
        nik = fields.Field(attribute="nik", column_name="NIK", widget=widgets.CharWidget(allow_blank=True))
        birth_place = fields.Field(
            attribute="birth_place", column_name="Tempat Lahir", widget=widgets.CharWidget(allow_blank=True)
        )
        birth_date = fields.Field(
            attribute="birth_date", column_name="Tgl Lahir", widget=widgets.DateWidget(format="%d/%m/%Y")
        )
        sex = fields.Field(attribute="sex", column_name="JK", widget=widgets.CharWidget(allow_blank=True))
        region = fields.Field(
            attribute="region", column_name="Kode Wilayah", widget=widgets.ForeignKeyWidget(Region, field="code")
        )

        class Meta:
            model = Person
            fields = ("full_name", "nik", "birth_place", "birth_date", "sex", "region")
            clean_model_instances = True  # Person.full_clean() on every row: field, choice and foreign-key checks
            use_transactions = True

        def get_instance(self, instance_loader: Any, row: Any) -> None:
            return None  # the file has no registry ids: every row is a new person

        def init_instance(self, row: Any = None) -> Any:
            return Person(registered_by_agency=agency, created_by=user)

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            instance.name_key = normalize_name(instance.full_name).key

    if file_format == "csv":
        dataset = tablib.Dataset().load(content.decode(), format="csv")
    else:
        dataset = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
    result = PersonResource().import_data(dataset, dry_run=False, raise_errors=False)
    totals = result.totals
    if os.environ.get("SINERGI_BENCH_DEBUG") and result.invalid_rows:
        print(result.invalid_rows[0].error_dict, flush=True)
    return (
        f"new {totals.get('new', 0):,}, invalid {totals.get('invalid', 0):,}, error {totals.get('error', 0):,} "
        f"(matches nothing: no links, review pairs, provenance, audit or change feed)"
    )


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name.lower()} {value:,}" for name, value in sorted(counts.items()) if value)


def _bulk_persons(
    people: Any, agency: Any, user: Any, person: Any, token: Any, normal: Any, phonetic: Any, tx: Any
) -> None:
    with tx.atomic():
        rows = [
            person(
                full_name=p.full_name,
                name_key=normal(p.full_name).key,
                sex=p.sex,
                birth_date=p.birth_date,
                birth_place=p.birth_place,
                nik=p.nik or "",
                region_id=p.region_code,
                registered_by_agency=agency,
                created_by=user,
            )
            for p in people
        ]
        person.objects.bulk_create(rows, batch_size=2000)
        tokens = [
            token(person_id=row.pk, token=t, phonetic=phonetic(t)) for row in rows for t in set(row.name_key.split())
        ]
        token.objects.bulk_create(tokens, batch_size=5000)
