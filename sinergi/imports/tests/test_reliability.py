"""Issue 13: damaged workbooks fail their batch cleanly, cancel works at every stage, a worker asked to stop
ends a run between chunks and the next one resumes it by itself, small files have their own queue, and
orphan files are cleaned up."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sinergi.imports import services
from sinergi.imports.models import BatchStatus, ImportBatch, ImportRow
from sinergi.imports.tests.conftest import SISKO_HEADER, check, csv_bytes, person_row, start
from sinergi.imports.tests.test_api import bearer
from sinergi.registry.models import Person
from sinergi.testing import files

S = BatchStatus
ROWS = 7


@pytest.fixture(autouse=True)
def small_chunks(settings):
    settings.SINERGI_IMPORT_CHUNK_ROWS = 2
    settings.SINERGI_IMPORT_ANALYSIS_ROWS = 2


@pytest.fixture
def shutdown():
    """The worker's stop flag, cleared again after the test (it is process-wide)."""
    yield services.request_shutdown
    services._shutdown.clear()


def export() -> bytes:
    return csv_bytes([person_row(n) for n in range(1, ROWS + 1)])


def stored_files(upload_dir: Path) -> list[Path]:
    return list(upload_dir.iterdir()) if upload_dir.exists() else []


def previewed(tasks, actor) -> ImportBatch:
    batch = check(tasks, actor, start(actor, export()))
    assert batch.status == S.PREVIEW
    return batch


# --- the three 500s of the issue ------------------------------------------------------------------------------


def test_a_workbook_without_a_worksheet_fails_its_batch_and_leaves_no_file(olive, upload_dir):
    batch = start(olive, files.sheetless_xlsx(), name="kosong.xlsx")
    assert batch.status == S.FAILED
    assert "lembar kerja" in batch.error
    assert batch.stored_path == "" and stored_files(upload_dir) == []


def test_a_malformed_cell_reference_deep_in_the_sheet_fails_the_check_and_leaves_nothing(olive, tasks, upload_dir):
    rows: list[list[object]] = [SISKO_HEADER, *[person_row(n) for n in range(1, 260)]]
    batch = start(olive, files.bad_reference_xlsx(rows, row=250), name="rusak.xlsx")
    assert batch.status == S.MAPPING  # the header and first rows read fine
    batch = check(tasks, olive, batch)
    assert batch.status == S.FAILED
    assert "tidak bisa dibaca" in batch.error
    assert not ImportRow.objects.filter(batch=batch).exists()
    assert stored_files(upload_dir) == []


# --- cancel at any stage -----------------------------------------------------------------------------------------


def test_it_cancels_a_check_in_progress_and_the_run_then_does_nothing(
    olive, upload_dir, django_capture_on_commit_callbacks
):
    batch = start(olive, export())
    services.choose_mapping(actor=olive, batch_id=batch.pk, mapping=batch.column_mapping)  # task not run yet
    batch.refresh_from_db()
    token = batch.run_token
    assert batch.status == S.ANALYSING

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_import(actor=olive, batch_id=batch.pk)
    services.run_analysis(batch.pk, token)  # the worker gets to it late

    batch.refresh_from_db()
    assert batch.status == S.CANCELLED
    assert not ImportRow.objects.filter(batch=batch).exists()
    assert stored_files(upload_dir) == []


def test_it_stops_an_import_between_chunks_and_keeps_what_was_imported(
    olive, tasks, upload_dir, django_capture_on_commit_callbacks
):
    batch = previewed(tasks, olive)
    services.confirm_import(actor=olive, batch_id=batch.pk)  # the apply task is not run
    batch.refresh_from_db()
    assert services._apply_chunk(batch.pk, batch.run_token)  # one chunk of two rows went in

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_import(actor=olive, batch_id=batch.pk)
    services.run_apply(batch.pk, batch.run_token)  # the run's next chunk finds it cancelled

    batch.refresh_from_db()
    assert batch.status == S.CANCELLED
    assert batch.rows_done == 2 and batch.counts["CREATE"] == 2
    assert Person.objects.filter(registered_by_agency=olive.agency).count() == 2
    assert ImportRow.objects.filter(batch=batch).count() == 2  # the imported rows, as a record
    assert stored_files(upload_dir) == []


def test_it_cancels_from_the_api_and_refuses_a_finished_import(client, olive, tasks):
    batch = start(olive, export())
    services.choose_mapping(actor=olive, batch_id=batch.pk, mapping=batch.column_mapping)
    response = client.post(f"/api/v1/imports/{batch.pk}/cancel", headers=bearer(olive))
    assert response.status_code == 200 and response.json()["status"] == S.CANCELLED

    done = previewed(tasks, olive)
    with tasks():
        services.confirm_import(actor=olive, batch_id=done.pk)
    response = client.post(f"/api/v1/imports/{done.pk}/cancel", headers=bearer(olive))
    assert response.status_code == 409


def test_the_progress_page_offers_to_stop_a_running_import(client, olive, tasks):
    batch = previewed(tasks, olive)
    services.confirm_import(actor=olive, batch_id=batch.pk)
    client.force_login(olive)
    page = client.get(f"/impor/{batch.pk}/").content.decode()
    assert 'id="cancel-running"' in page
    response = client.post(f"/impor/{batch.pk}/batal/")
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == S.CANCELLED


# --- graceful shutdown and automatic resume ----------------------------------------------------------------------


def test_a_stop_request_ends_the_import_after_a_whole_chunk_and_the_next_worker_resumes_it(olive, tasks, shutdown):
    batch = previewed(tasks, olive)
    services.confirm_import(actor=olive, batch_id=batch.pk)
    batch.refresh_from_db()
    shutdown()

    services.run_apply(batch.pk, batch.run_token)

    batch.refresh_from_db()
    assert batch.status == S.APPLYING and batch.rows_done == 2  # one whole chunk, then it stopped
    assert batch.heartbeat_at is None and services.can_resume(batch)  # resumable at once, no 300 s wait

    services._shutdown.clear()
    with tasks():
        assert services.resume_stalled_imports() == [batch.pk]
    batch.refresh_from_db()
    assert batch.status == S.DONE and batch.counts["CREATE"] == ROWS
    assert Person.objects.filter(registered_by_agency=olive.agency).count() == ROWS


def test_a_stop_request_ends_a_check_between_chunks(olive, tasks, shutdown):
    batch = start(olive, export())
    services.choose_mapping(actor=olive, batch_id=batch.pk, mapping=batch.column_mapping)
    batch.refresh_from_db()
    shutdown()
    services.run_analysis(batch.pk, batch.run_token)
    batch.refresh_from_db()
    assert batch.status == S.ANALYSING and services.can_resume(batch)
    assert batch.total_rows < ROWS  # it stopped before checking the whole file

    services._shutdown.clear()
    with tasks():
        services.resume_stalled_imports()
    batch.refresh_from_db()
    assert batch.status == S.PREVIEW and batch.total_rows == ROWS


def test_it_resumes_a_run_whose_heartbeat_went_silent_and_leaves_a_live_one(olive, tasks):
    silent = previewed(tasks, olive)
    services.confirm_import(actor=olive, batch_id=silent.pk)
    ImportBatch.objects.filter(pk=silent.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    live = start(olive, export(), name="lain.csv")
    services.choose_mapping(actor=olive, batch_id=live.pk, mapping=live.column_mapping)  # heartbeat now

    with tasks():
        assert services.resume_stalled_imports() == [silent.pk]
    silent.refresh_from_db()
    live.refresh_from_db()
    assert silent.status == S.DONE
    assert live.status == S.ANALYSING


# --- queues --------------------------------------------------------------------------------------------------------


def test_small_files_go_to_their_own_queue(olive, settings):
    settings.SINERGI_IMPORT_SMALL_BYTES = 2000
    small = start(olive, csv_bytes([person_row(1)]))
    big = start(olive, export() + b"".join(csv_bytes([person_row(n)], header=[]) for n in range(8, 40)), name="b.csv")
    assert small.file_size <= 2000 < big.file_size
    assert services.queue_for(small) == services.SMALL_QUEUE
    assert services.queue_for(big) == services.LARGE_QUEUE


# --- orphan files ------------------------------------------------------------------------------------------------


def test_it_deletes_orphan_uploads_and_keeps_what_an_import_still_needs(olive, settings, tmp_path, upload_dir):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temporary)
    waiting = start(olive, export())  # MAPPING: its file is still needed
    orphan = upload_dir / "0123456789abcdef.csv"  # a killed upload stored it, no batch was created
    orphan.write_bytes(b"Nama\nx\n")
    abandoned = temporary / "tmpabc.upload.csv"  # Django's temporary upload of a killed server
    abandoned.write_bytes(b"x" * 1000)
    young = upload_dir / "fedcba9876543210.csv"  # being stored right now
    young.write_bytes(b"Nama\n")
    # File times relative to the application's clock (the suite may run with it moved ahead).
    now = timezone.now().timestamp()
    for path in (orphan, abandoned, Path(waiting.stored_path)):
        os.utime(path, (now - 2 * 3600, now - 2 * 3600))
    os.utime(young, (now, now))

    report = services.cleanup_orphan_files()

    assert report.stored_files == [str(orphan)] and report.temporary_uploads == [str(abandoned)]
    assert Path(waiting.stored_path).exists() and young.exists()
    assert not orphan.exists() and not abandoned.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_resumes_interrupted_imports_when_it_starts(olive, django_capture_on_commit_callbacks):
    batch = start(olive, export())
    with django_capture_on_commit_callbacks(execute=True):
        services.choose_mapping(actor=olive, batch_id=batch.pk, mapping=batch.column_mapping)
    # The worker that took the task was killed: its task stays RUNNING, the batch hears nothing more.
    DBTaskResult.objects.get().claim("worker-killed")
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))

    call_command("worker", batch=True, interval=0, startup_delay=False, verbosity=0, queue_name="*")

    batch.refresh_from_db()
    assert batch.status == S.PREVIEW and batch.total_rows == ROWS
