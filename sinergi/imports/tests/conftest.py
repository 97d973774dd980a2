"""Fixtures of the import tests: a private upload folder per test, tasks run at once when asked, export files."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.tasks import TaskResultStatus
from django.tasks.signals import task_finished

from sinergi.accounts.models import User
from sinergi.identity.nik import build_nik
from sinergi.imports import services
from sinergi.imports.models import ImportBatch

IMMEDIATE = {
    "default": {
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "imports-small", "imports-large"],
    }
}
SISKO_HEADER = ["No", "Nama Lengkap", "NIK", "Tempat Lahir", "Tgl Lahir", "JK", "No HP", "Alamat", "Kode Wilayah"]
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "ekspor-sisko-p2mi.csv"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Each persona is created with a password; Argon2 costs ~0.3 s a hash (accounts/tests checks it is used)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def upload_dir(settings: Any, tmp_path: Path) -> Path:
    directory = tmp_path / "imports"
    settings.SINERGI_IMPORT_DIR = str(directory)
    return directory


class TaskLog:
    def __init__(self) -> None:
        self.failed: list[str] = []
        self.finished: list[str] = []

    def __call__(self, sender: Any, task_result: Any, **kwargs: Any) -> None:
        self.finished.append(task_result.task.name)
        if task_result.status == TaskResultStatus.FAILED:
            self.failed.append(task_result.errors[-1].traceback)


@pytest.fixture
def tasks(
    settings: Any, django_capture_on_commit_callbacks: Any
) -> Iterator[Callable[[], AbstractContextManager[Any]]]:
    """`with tasks():` runs the tasks enqueued inside the block at its end, as the worker would after commit.

    A task that fails fails the test unless it reads `tasks.log.failed` (crash tests)."""
    settings.TASKS = IMMEDIATE
    log = TaskLog()
    task_finished.connect(log)

    @contextmanager
    def run() -> Iterator[Any]:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            yield callbacks

    run.log = log  # type: ignore[attr-defined]
    yield run
    task_finished.disconnect(log)


def csv_bytes(
    rows: list[list[str]], *, header: list[str] = SISKO_HEADER, delimiter: str = ",", encoding: str = "utf-8"
) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def person_row(n: int, *, name: str | None = None, **changes: str) -> list[str]:
    """Row `n` of a Sisko-like export: a valid, distinct person of Kota Palu."""
    born = date(1980 + n % 20, 1 + n % 12, 1 + n % 28)
    sex = "P" if n % 2 else "L"
    values = {
        "No": str(n),
        "Nama Lengkap": name or f"Pekerja Migran {chr(65 + n % 26)}{chr(65 + (n // 26) % 26)} Nomor{n}",
        "NIK": build_nik("72.71.05", born, sex, n),
        "Tempat Lahir": "Palu",
        "Tgl Lahir": born.strftime("%d/%m/%Y"),
        "JK": sex,
        "No HP": "",
        "Alamat": f"Jl. Contoh No. {n}",
        "Kode Wilayah": "72.71.05.1001",
    }
    values.update(changes)
    return [values[column] for column in SISKO_HEADER]


def upload_file(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def start(actor: User, content: bytes, *, name: str = "sisko.csv", source: str = "Ekspor Sisko P2MI") -> ImportBatch:
    return services.start_import(actor=actor, upload=upload_file(name, content), source_name=source)


def check(tasks: Any, actor: User, batch: ImportBatch, mapping: dict[str, str] | None = None) -> ImportBatch:
    """Choose the columns (the guess unless given) and run the check of the file."""
    with tasks():
        services.choose_mapping(actor=actor, batch_id=batch.pk, mapping=mapping or batch.column_mapping)
    batch.refresh_from_db()
    return batch


def apply(tasks: Any, actor: User, batch: ImportBatch) -> ImportBatch:
    with tasks():
        services.confirm_import(actor=actor, batch_id=batch.pk)
    batch.refresh_from_db()
    return batch
