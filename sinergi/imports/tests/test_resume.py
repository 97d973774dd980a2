"""Crash safety: chunks are all-or-nothing, a dead run is detected, and resuming reaches the state of a clean run."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.changes.models import ChangeEvent
from sinergi.imports import services
from sinergi.imports.models import BatchStatus, ImportBatch, ImportRow
from sinergi.imports.tests.conftest import check, csv_bytes, person_row, start
from sinergi.registry import services as registry
from sinergi.registry.models import Person
from sinergi.sources import services as sources
from sinergi.sources.models import SourceRecord
from sinergi.testing.factories import make_person

S = BatchStatus
CHUNK = 3
ROWS = 11  # four chunks: 3 + 3 + 3 + 2


@pytest.fixture(autouse=True)
def small_chunks(settings):
    settings.SINERGI_IMPORT_CHUNK_ROWS = CHUNK


def export() -> bytes:
    rows = [person_row(n) for n in range(1, ROWS + 1)]
    rows[4] = person_row(5, **{"NIK": "7.27106E+15"})  # an error row among the others
    return csv_bytes(rows)


def prepare(tasks, actor: User) -> ImportBatch:
    """A previewed batch for the actor's agency, which already has the person of row 2 (so one row links)."""
    born = date(1982, 3, 3)
    make_person(actor, full_name="Sudah Terdaftar", sex="L", birth_date=born, nik=person_row(2)[2])
    batch = check(tasks, actor, start(actor, export()))
    assert batch.status == S.PREVIEW
    return batch


def state(agency_id: int) -> dict:
    """The registry, source records and batch rows of one agency, without ids (to compare two agencies' runs)."""
    persons = Person.objects.filter(registered_by_agency_id=agency_id)
    return {
        "persons": sorted(
            (p.full_name, p.nik, str(p.birth_date), p.address_text, p.region_id or "", p.version) for p in persons
        ),
        "records": sorted(
            (r.external_id, r.person.nik, r.linked_by, r.content_hash, r.row_number)
            for r in SourceRecord.objects.filter(source__agency_id=agency_id).select_related("person")
        ),
        "rows": sorted(
            (r.row_number, r.action, r.applied, r.person.nik if r.person else None)
            for r in ImportRow.objects.filter(batch__agency_id=agency_id).select_related("person")
        ),
        "batch": [
            (b.status, b.rows_done, b.total_rows, b.counts) for b in ImportBatch.objects.filter(agency_id=agency_id)
        ],
        "changes": sorted(ChangeEvent.objects.filter(agency_id=agency_id).values_list("op", flat=True)),
    }


def crash_after(monkeypatch, chunks: int) -> None:
    real = sources.apply_plans
    calls = {"n": 0}

    def flaky(**kwargs):
        calls["n"] += 1
        if calls["n"] == chunks + 1:
            raise RuntimeError("the worker was killed")
        return real(**kwargs)

    monkeypatch.setattr(sources, "apply_plans", flaky)


def confirm(tasks, actor: User, batch: ImportBatch) -> ImportBatch:
    with tasks():
        services.confirm_import(actor=actor, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch


@pytest.mark.parametrize("crash_after_chunks", [0, 1, 3])
def test_resuming_after_a_crash_reaches_the_state_of_a_clean_run(olive, oscar, tasks, monkeypatch, crash_after_chunks):
    clean = confirm(tasks, olive, prepare(tasks, olive))
    assert clean.status == S.DONE

    batch = prepare(tasks, oscar)
    crash_after(monkeypatch, crash_after_chunks)
    batch = confirm(tasks, oscar, batch)
    assert len(tasks.log.failed) == 1 and "the worker was killed" in tasks.log.failed[0]
    # Whole chunks only: what is applied is exactly the chunks before the crash.
    assert batch.status == S.APPLYING and batch.rows_done == CHUNK * crash_after_chunks
    assert ImportRow.objects.filter(batch=batch, applied=True).count() == batch.rows_done
    assert services.can_resume(batch)

    monkeypatch.undo()
    with tasks():
        services.resume_import(actor=oscar, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == S.DONE
    assert state(oscar.agency_id) == state(olive.agency_id)


def test_a_crash_in_the_middle_of_a_chunk_leaves_nothing_of_that_chunk(olive, tasks, monkeypatch):
    batch = prepare(tasks, olive)
    persons_before = Person.objects.count()
    real = registry.register_persons
    calls = {"n": 0}

    def dies_on_the_fifth(**kwargs):
        # An import registers a chunk's new persons at once; the fifth person is the third chunk's first
        # (row 3 links, row 6 is an error).
        calls["n"] += len(kwargs["people"])
        if calls["n"] >= 5:
            raise RuntimeError("killed")
        return real(**kwargs)

    monkeypatch.setattr(registry, "register_persons", dies_on_the_fifth)
    batch = confirm(tasks, olive, batch)
    assert batch.rows_done == 2 * CHUNK
    applied = ImportRow.objects.filter(batch=batch, applied=True)
    assert applied.count() == 2 * CHUNK
    created = applied.filter(action="CREATE").count()
    assert Person.objects.count() == persons_before + created
    assert SourceRecord.objects.count() == applied.exclude(action="ERROR").count()


def test_a_live_run_cannot_be_resumed_and_a_replaced_run_stops(olive, tasks):
    batch = prepare(tasks, olive)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=S.APPLYING, applied_by=olive, run_token="old", heartbeat_at=timezone.now()
    )
    batch.refresh_from_db()
    assert not services.can_resume(batch)
    with pytest.raises(services.ImportRefused):
        services.resume_import(actor=olive, batch_id=batch.pk)
    # The worker stays silent past the stall limit: it is taken for dead.
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    batch.refresh_from_db()
    assert services.can_resume(batch)
    with tasks():
        services.resume_import(actor=olive, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == S.DONE
    # The old run wakes up: its token is not the batch's any more, so it does nothing.
    services.run_apply(batch.pk, "old")
    batch.refresh_from_db()
    assert batch.status == S.DONE


def test_the_command_resumes_in_the_foreground(olive, tasks, monkeypatch):
    batch = prepare(tasks, olive)
    crash_after(monkeypatch, 1)
    batch = confirm(tasks, olive, batch)
    monkeypatch.undo()
    call_command("imports", "resume", str(batch.pk))
    batch.refresh_from_db()
    assert batch.status == S.DONE and batch.rows_done == ROWS


def test_the_command_refuses_a_finished_import(olive, tasks):
    from django.core.management.base import CommandError

    batch = confirm(tasks, olive, prepare(tasks, olive))
    with pytest.raises(CommandError):
        call_command("imports", "resume", str(batch.pk))


def test_an_interrupted_check_starts_again(olive, tasks, monkeypatch):
    batch = start(olive, export())
    real = sources.plan_records

    def dies(**kwargs):
        raise RuntimeError("killed")

    monkeypatch.setattr(sources, "plan_records", dies)
    batch = check(tasks, olive, batch)
    # An unexpected error fails the check (nothing was imported, the file is gone): upload again.
    assert batch.status == S.FAILED and len(tasks.log.failed) == 1
    monkeypatch.setattr(sources, "plan_records", real)

    # A worker killed during the check leaves the batch ANALYSING; resuming checks the file from the start.
    batch = start(olive, export())
    with tasks():
        services.choose_mapping(actor=olive, batch_id=batch.pk, mapping=batch.column_mapping)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=S.ANALYSING, run_token="dead", heartbeat_at=timezone.now() - timedelta(hours=1)
    )
    with tasks():
        services.resume_import(actor=olive, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == S.PREVIEW and batch.total_rows == ROWS
    assert ImportRow.objects.filter(batch=batch).count() == ROWS
