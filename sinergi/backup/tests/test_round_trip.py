"""`sinergi backup` then `sinergi restore` gives back every row of every table and every uploaded file
(SQLite always; PostgreSQL when DATABASE_URL points at one)."""

from __future__ import annotations

import hashlib
import tarfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from sinergi.audit.chain import verify_chain
from sinergi.audit.events import record_event
from sinergi.backup.archive import BackupError, create_backup, restore_backup
from sinergi.testing.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def roots(settings: Any, tmp_path: Path) -> dict[str, Path]:
    files = tmp_path / "var" / "files"
    imports = tmp_path / "var" / "imports"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": files}},
    }
    settings.SINERGI_IMPORT_DIR = str(imports)
    (files / "lampiran" / "2026").mkdir(parents=True)
    (files / "lampiran" / "2026" / "surat.pdf").write_bytes(b"%PDF-1.4 surat rujukan" * 100)
    imports.mkdir(parents=True)
    (imports / "abc.csv").write_bytes(b"Nama,NIK\nSiti,7271055210900001\n")
    return {"files": files, "imports": imports}


def every_table() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order."""
    snapshot = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            snapshot[table] = sorted(tuple(map(repr, row)) for row in cursor.fetchall())
    return snapshot


def every_file(roots: dict[str, Path]) -> dict[str, str]:
    return {
        f"{name}/{path.relative_to(root).as_posix()}": hashlib.sha256(path.read_bytes()).hexdigest()
        for name, root in roots.items()
        for path in root.rglob("*")
        if path.is_file()
    }


def test_a_backup_restores_every_table_and_every_file(alice, bob, roots, tmp_path):
    siti = make_person(alice, full_name="Siti Aminah", sex="P", birth_date=date(1990, 10, 12))
    record_event(actor=bob, action="person.viewed", obj=siti, summary=siti.full_name)
    tables_before, files_before = every_table(), every_file(roots)
    assert sum(len(rows) for rows in tables_before.values()) > 100  # regions, agencies, users, the person...

    result = create_backup(tmp_path / "backups")
    assert result.path.name.startswith("sinergi-backup-") and result.path.stat().st_mode & 0o777 == 0o600
    assert result.manifest["tables"]["registry_person"] == 1
    assert set(result.manifest["members"]) >= {"files/files/lampiran/2026/surat.pdf", "files/imports/abc.csv"}

    # A bad day: records deleted and added, a file damaged, another added, one removed.
    make_person(alice, full_name="Orang Baru", sex="L", birth_date=date(1985, 1, 1))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM registry_nametoken")
    (roots["files"] / "lampiran" / "2026" / "surat.pdf").write_bytes(b"rusak")
    (roots["files"] / "baru.txt").write_text("x")
    (roots["imports"] / "abc.csv").unlink()
    assert every_table() != tables_before

    restore_backup(result.path)

    assert every_table() == tables_before
    assert every_file(roots) == files_before
    assert verify_chain().intact


def test_the_commands_round_trip_and_refuse_a_damaged_archive(alice, roots, tmp_path, capsys):
    make_person(alice, full_name="Siti Aminah", sex="P", birth_date=date(1990, 10, 12))
    target = tmp_path / "cadangan.tar.gz"
    call_command("backup", str(target))
    assert "Backup written to" in capsys.readouterr().out
    before = every_table()
    call_command("restore", str(target), "--yes")
    assert "Restored the backup" in capsys.readouterr().out
    assert every_table() == before

    # A damaged copy: one file's bytes changed inside the archive; nothing is restored from it.
    damaged = tmp_path / "rusak.tar.gz"
    with tarfile.open(target, "r:gz") as source, tarfile.open(damaged, "w:gz") as copy:
        for member in source.getmembers():
            data = source.extractfile(member)
            if member.name == "files/imports/abc.csv" and data is not None:
                content = b"Nama,NIK\nBudi,1\n"
                member.size = len(content)
                copy.addfile(member, _Reader(content))
            else:
                copy.addfile(member, data)
    (roots["files"] / "tetap.txt").write_text("stays")
    with pytest.raises(CommandError, match="damaged; nothing was restored"):
        call_command("restore", str(damaged), "--yes")
    assert (roots["files"] / "tetap.txt").exists()


def test_it_refuses_a_backup_of_another_kind_of_database(roots, tmp_path):
    result = create_backup(tmp_path / "a.tar.gz")
    manifest = result.manifest
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    manifest["database"]["vendor"] = other
    import json

    forged = tmp_path / "b.tar.gz"
    with tarfile.open(result.path, "r:gz") as source, tarfile.open(forged, "w:gz") as copy:
        for member in source.getmembers():
            if member.name == "manifest.json":
                data = json.dumps(manifest).encode()
                member.size = len(data)
                copy.addfile(member, _Reader(data))
            else:
                copy.addfile(member, source.extractfile(member))
    with pytest.raises(BackupError, match=f"backup is of a {other} database"):
        restore_backup(forged)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def read(self, size: int = -1) -> bytes:
        chunk, self.data = (self.data, b"") if size < 0 else (self.data[:size], self.data[size:])
        return chunk
