"""Imports: how fast does an agency export go through check, preview and import, and what does a re-import cost?

Dataset: a BP3MI registry of synthetic Sulawesi Tengah persons (20,000; quick: 1,000) and a Sisko P2MI-like
export (5,000 rows; quick: 300): 60 % persons new to the registry, 20 % registry persons with their NIK (linked
by NIK), 20 % registry persons whose export row lost its NIK (scored by the matching model: a link or a review
pair). The import runs the real path: upload, column mapping, analysis and apply as tasks on the database
backend, run by `db_worker --batch` (chunks of 200 rows, one transaction each). Then the same file again
(every row unchanged).

Peer, measured in the same run on the same rows: a plain Django `bulk_create` of the export's rows as persons
(with their name index), with no validation, matching, provenance, audit or change feed: the floor an import
cannot go below.
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

TODAY = date(2026, 11, 1)


def run(*, quick: bool = False) -> None:
    registry_size, file_rows = (1_000, 300) if quick else (20_000, 5_000)
    # Other sizes and PostgreSQL: SINERGI_BENCH_IMPORT_ROWS=100000, SINERGI_BENCH_REGISTRY=20000,
    # SINERGI_BENCH_DATABASE_URL=postgres://.../db (an empty database the benchmark may fill).
    file_rows = int(os.environ.get("SINERGI_BENCH_IMPORT_ROWS", file_rows))
    registry_size = int(os.environ.get("SINERGI_BENCH_REGISTRY", registry_size))
    # Django is set up once per process, on its own database: run in a fresh interpreter.
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    process = context.Process(target=_child, args=(registry_size, file_rows, queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    if "error" in result:
        raise RuntimeError(f"imports benchmark failed: {result['error']}")
    print(
        f"registry: {registry_size:,} persons; export: {file_rows:,} rows "
        f"({result['file_kb']:,.0f} KB CSV); database: {result['database']}; peak RSS {result['rss_mb']:,.0f} MB"
    )
    print("| step | wall time (s) | rows/s | outcome |")
    print("|---|---:|---:|---|")
    for name, seconds, outcome in result["steps"]:
        print(f"| {name} | {seconds:.1f} | {file_rows / seconds:,.0f} | {outcome} |")


def _child(registry_size: int, file_rows: int, queue: Any) -> None:
    try:
        with tempfile.TemporaryDirectory() as directory:
            queue.put(_measure(directory, registry_size, file_rows))
    except Exception as error:  # reported by the parent
        queue.put({"error": repr(error)})


def _measure(directory: str, registry_size: int, file_rows: int) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = os.environ.get("SINERGI_BENCH_DATABASE_URL") or f"sqlite:///{directory}/bench.sqlite3"
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
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    content = text.getvalue().encode()
    mapping = {
        "id": "No",
        "full_name": "Nama Lengkap",
        "nik": "NIK",
        "birth_place": "Tempat Lahir",
        "birth_date": "Tgl Lahir",
        "sex": "JK",
        "region_code": "Kode Wilayah",
    }

    steps: list[tuple[str, float, str]] = []
    for attempt in ("first import", "same file again"):
        started = time.perf_counter()
        batch = imports.start_import(
            actor=operator,
            upload=SimpleUploadedFile("ekspor-sisko.csv", content, content_type="text/csv"),
            source_name="Ekspor Sisko P2MI",
        )
        imports.choose_mapping(actor=operator, batch_id=batch.pk, mapping=mapping)
        check_path = os.environ.get("SINERGI_BENCH_PROFILE") if attempt == "first import" else None
        checker = cProfile.Profile() if check_path else None
        if checker is not None:
            checker.enable()
        call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)
        if checker is not None and check_path:
            checker.disable()
            checker.dump_stats(f"{check_path}.check")
        batch = ImportBatch.objects.get(pk=batch.pk)
        analysed = time.perf_counter() - started
        steps.append((f"{attempt}: upload, check and preview", analysed, _counts(batch.counts)))
        started = time.perf_counter()
        imports.confirm_import(actor=operator, batch_id=batch.pk)
        # SINERGI_BENCH_PROFILE=file.prof: a cProfile of the first import's apply (`python -m pstats file.prof`),
        # and of its check (file.prof.check).
        profile_path = os.environ.get("SINERGI_BENCH_PROFILE") if attempt == "first import" else None
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
        steps.append((f"{attempt}: apply ({batch.status})", seconds, f"{_counts(batch.counts)}; review pairs {pairs}"))

    # The peer: the same rows as plain persons, nothing checked.
    peer_agency = Agency.objects.create(code="peer", name="Peer", kind=AgencyKind.BP3MI)
    started = time.perf_counter()
    _bulk_persons(newcomers, peer_agency, operator, Person, NameToken, normalize_name, phonetic_key, transaction)
    steps.append(("peer: plain bulk_create, no checks", time.perf_counter() - started, f"{file_rows:,} persons"))
    import resource

    from django.db import connection

    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    server: Any = connection  # the backend's own attributes
    if connection.vendor == "sqlite":
        database = "SQLite " + ".".join(map(str, server.Database.sqlite_version_info))
    else:
        database = f"PostgreSQL {server.pg_version}"
    return {"steps": steps, "file_kb": len(content) / 1024, "rss_mb": rss_mb, "database": database}


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
