"""The bulk paths of a check and an apply: their queries do not grow with the rows, a re-import's unchanged rows
go in long chunks that still look again at the registry, and a crash in such a chunk resumes like any other."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.audit.models import AuditEvent
from sinergi.changes.models import ChangeEvent
from sinergi.imports.models import BatchStatus, ImportBatch, ImportRow, RowAction
from sinergi.imports.tests.conftest import apply, check, csv_bytes, person_row, start
from sinergi.matching.engine import forget_prepared_registries
from sinergi.registry.models import Person
from sinergi.sources import services as sources
from sinergi.sources.models import SourceRecord

S = BatchStatus
CHUNK = 3
CHEAP = 8


@pytest.fixture(autouse=True)
def small_chunks(settings):
    settings.SINERGI_IMPORT_CHUNK_ROWS = CHUNK
    settings.SINERGI_IMPORT_CHEAP_CHUNK_ROWS = CHEAP


def export(rows: int, *, first: int = 1) -> bytes:
    lines = [person_row(n) for n in range(first, first + rows)]
    lines[1] = person_row(first + 1, **{"NIK": "7.27106E+15"})  # an error row among the others
    return csv_bytes(lines)


def imported(tasks, actor, content: bytes) -> ImportBatch:
    batch = check(tasks, actor, start(actor, content))
    assert batch.status == S.PREVIEW
    batch = apply(tasks, actor, batch)
    assert batch.status == S.DONE
    return batch


def chunks_applied(batch: ImportBatch) -> int:
    """Each chunk writes one source.records_applied event naming its batch."""
    return AuditEvent.objects.filter(action="source.records_applied", detail__import=batch.pk).count()


def queries_to_check(tasks, actor, content: bytes) -> int:
    forget_prepared_registries()  # both checks prepare the registry the same way
    batch = start(actor, content)
    with CaptureQueriesContext(connection) as captured:
        batch = check(tasks, actor, batch)
    assert batch.status == S.PREVIEW
    return len(captured)


def test_the_checks_queries_do_not_grow_with_the_files_rows(olive, tasks):
    queries_to_check(tasks, olive, export(3, first=500))  # what a process's first check reads once
    small = queries_to_check(tasks, olive, export(5))
    large = queries_to_check(tasks, olive, export(40, first=100))
    assert ImportRow.objects.count() == 48
    # The preview rows of a chunk go in with one prepared statement (run for every row: one entry here).
    assert large == small, (small, large)


def test_the_preview_rows_hold_what_the_plans_said(olive, tasks):
    batch = check(tasks, olive, start(olive, export(4)))
    # The file's "No" column is not chosen as the id: its row numbers are (the header is row 1).
    rows = {row.external_id: row for row in ImportRow.objects.filter(batch=batch)}
    assert {external_id: row.action for external_id, row in rows.items()} == {
        "2": RowAction.CREATE,
        "3": RowAction.ERROR,
        "4": RowAction.CREATE,
        "5": RowAction.CREATE,
    }
    error = rows["3"]
    assert error.errors and error.errors[0]["field"] == "nik" and not error.applied
    assert error.values["nik"] == "7.27106E+15"
    created = rows["2"]
    assert created.values["full_name"] == "Pekerja Migran BA Nomor1" and created.row_number == 2
    assert created.person_id is None and created.match_probability is None and created.candidates == []
    assert created.errors == [] and created.changes == {} and not created.applied


def test_a_reimport_goes_in_long_chunks_and_changes_nothing(olive, tasks):
    content = export(11)
    first = imported(tasks, olive, content)
    persons, records, events = Person.objects.count(), SourceRecord.objects.count(), ChangeEvent.objects.count()
    assert chunks_applied(first) == 4  # 3 + 3 + 3 + 2 rows

    again = imported(tasks, olive, content)
    assert again.counts["UNCHANGED"] == 10 and again.counts["ERROR"] == 1
    assert chunks_applied(again) == 2  # 8 + 3 rows
    assert ImportRow.objects.filter(batch=again, applied=False).count() == 0
    assert (Person.objects.count(), SourceRecord.objects.count(), ChangeEvent.objects.count()) == (
        persons,
        records,
        events,
    )
    unchanged = ImportRow.objects.filter(batch=again, action=RowAction.UNCHANGED)
    assert all(row.person_id is not None for row in unchanged)


def test_an_unchanged_chunks_queries_do_not_grow_with_its_rows(olive, tasks, settings):
    settings.SINERGI_IMPORT_CHEAP_CHUNK_ROWS = 100
    counts = []
    for rows, first in ((5, 1), (30, 200)):
        content = export(rows, first=first)
        imported(tasks, olive, content)
        batch = check(tasks, olive, start(olive, content))
        with CaptureQueriesContext(connection) as captured:
            batch = apply(tasks, olive, batch)
        assert batch.counts["UNCHANGED"] == rows - 1
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_a_row_previewed_unchanged_is_updated_if_its_record_changed_since(olive, tasks):
    content = export(6)
    imported(tasks, olive, content)
    batch = check(tasks, olive, start(olive, content))
    assert batch.counts["UNCHANGED"] == 5
    # Another import of the source changed record 4 (the file's row 4) between this preview and its confirmation.
    record = SourceRecord.objects.get(external_id="4")
    SourceRecord.objects.filter(pk=record.pk).update(
        values={**record.values, "address": "Jl. Lain No. 9"}, content_hash="0" * 64
    )
    batch = apply(tasks, olive, batch)
    row = ImportRow.objects.get(batch=batch, external_id="4")
    assert row.action == RowAction.UPDATE and row.applied
    record.refresh_from_db()
    assert record.content_hash != "0" * 64 and record.values["address"] == "Jl. Contoh No. 3"
    assert batch.counts["UNCHANGED"] == 4 and batch.counts["UPDATE"] == 1


def test_a_crash_in_a_long_unchanged_chunk_resumes_to_the_end(olive, tasks, monkeypatch):
    from sinergi.imports import services

    content = export(11)
    imported(tasks, olive, content)
    events = ChangeEvent.objects.count()
    batch = check(tasks, olive, start(olive, content))
    # Every row is unchanged or an error: each chunk is settled by confirm_unchanged, never a plan.
    real = sources.confirm_unchanged
    calls = {"n": 0}

    def dies_in_the_second_chunk(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the worker was killed")
        return real(**kwargs)

    monkeypatch.setattr(sources, "confirm_unchanged", dies_in_the_second_chunk)
    monkeypatch.setattr(sources, "apply_plans", lambda **kwargs: pytest.fail("an unchanged row was planned"))
    batch = apply(tasks, olive, batch)
    assert len(tasks.log.failed) == 1
    assert batch.status == S.APPLYING and batch.rows_done == CHEAP
    assert ImportRow.objects.filter(batch=batch, applied=True).count() == CHEAP

    monkeypatch.undo()
    with tasks():
        services.resume_import(actor=olive, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == S.DONE and batch.rows_done == 11
    assert batch.counts["UNCHANGED"] == 10 and batch.counts["ERROR"] == 1
    assert ChangeEvent.objects.count() == events


def test_the_check_doubles_its_chunks_up_to_the_longest(olive, tasks, settings, monkeypatch):
    settings.SINERGI_IMPORT_ANALYSIS_ROWS = 2
    settings.SINERGI_IMPORT_ANALYSIS_MAX_ROWS = 4
    real = sources.plan_records
    sizes: list[int] = []

    def counting(**kwargs):
        records = list(kwargs.pop("records"))
        sizes.append(len(records))
        return real(records=records, **kwargs)

    monkeypatch.setattr(sources, "plan_records", counting)
    batch = check(tasks, olive, start(olive, export(11)))
    assert sizes == [2, 4, 4, 1]
    assert batch.status == S.PREVIEW and batch.total_rows == 11
    assert ImportRow.objects.filter(batch=batch).count() == 11
