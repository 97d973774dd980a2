"""The production path: tasks go to the database queue (django_tasks_db) and the worker runs them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sinergi.imports import services
from sinergi.imports.models import BatchStatus, ImportBatch
from sinergi.imports.tests.conftest import csv_bytes, person_row, start
from sinergi.registry.models import Person

S = BatchStatus

# The worker closes its database connection after each task, as it must in production. Inside a test
# transaction that would break the test's own connection on PostgreSQL, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def work() -> None:
    """One worker pass over the queue, as `sinergi db_worker` does, until it is empty."""
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0, queue_name="*")


def test_the_worker_checks_and_imports_a_file(olive, django_capture_on_commit_callbacks):
    batch = start(olive, csv_bytes([person_row(1), person_row(2)]))
    with django_capture_on_commit_callbacks(execute=True):
        services.choose_mapping(actor=olive, batch_id=batch.pk, mapping=batch.column_mapping)
    batch.refresh_from_db()
    queued = DBTaskResult.objects.get()
    assert batch.status == S.ANALYSING and batch.task_id == str(queued.id)
    assert services.run_is_alive(batch)  # queued: the worker will take it

    work()
    batch.refresh_from_db()
    assert batch.status == S.PREVIEW and batch.counts["CREATE"] == 2

    with django_capture_on_commit_callbacks(execute=True):
        services.confirm_import(actor=olive, batch_id=batch.pk)
        services.confirm_import(actor=olive, batch_id=batch.pk)
    assert DBTaskResult.objects.filter(task_path__endswith="apply_import_task").count() == 1
    work()
    batch.refresh_from_db()
    assert batch.status == S.DONE and Person.objects.count() == 2


def test_a_running_task_is_alive_until_it_goes_silent_and_a_failed_one_is_not(
    olive, django_capture_on_commit_callbacks
):
    batch = start(olive, csv_bytes([person_row(1)]))
    with django_capture_on_commit_callbacks(execute=True):
        services.choose_mapping(actor=olive, batch_id=batch.pk, mapping=batch.column_mapping)
    queued = DBTaskResult.objects.get()
    queued.claim("worker-1")  # the worker took it...
    batch.refresh_from_db()
    assert services.run_is_alive(batch)
    # ...and was killed: its task stays RUNNING, but the batch hears nothing more.
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    batch.refresh_from_db()
    assert not services.run_is_alive(batch) and services.can_resume(batch)
    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
    queued.set_failed(RuntimeError("boom"))
    batch.refresh_from_db()
    assert not services.run_is_alive(batch)
