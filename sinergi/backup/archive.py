"""`sinergi backup` / `sinergi restore`: the database and the uploaded files in one archive with a manifest.

An archive is a tar file (gzip) holding

* ``manifest.json``: when, which Sinergi and database, the applied migrations, each table's row count, and the
  SHA-256 and size of every other member;
* ``database.sqlite3`` (SQLite, copied with the online backup API: consistent while the server runs) or
  ``database.pgdump`` (PostgreSQL, ``pg_dump --format=custom``; restored with ``pg_restore``);
* ``files/<root>/...``: every file under each upload root (``FILE_ROOTS``: case attachments and other stored
  files, import files waiting for their import).

A restore checks every checksum before it touches anything, then replaces the database and each upload root
with the archive's. The secret key and other settings are not in the archive (keep them with the server's
configuration; docs/operations.md).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

FORMAT: Final = 1
MANIFEST: Final = "manifest.json"


class BackupError(Exception):
    """The backup or restore cannot be done; the message says why and what to do."""


def file_roots() -> dict[str, Path]:
    """The folders whose files are part of a backup, by their name in the archive."""
    default: dict[str, Any] = dict(settings.STORAGES["default"])  # type: ignore[call-overload]
    storage = default.get("OPTIONS", {}).get("location") or settings.MEDIA_ROOT
    imports = getattr(settings, "SINERGI_IMPORT_DIR", None) or Path(settings.VAR_DIR) / "imports"
    return {"files": Path(storage), "imports": Path(imports)}


@dataclass(frozen=True, slots=True)
class BackupResult:
    path: Path
    manifest: dict[str, Any]


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def table_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the catalogue)
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _walk(root: Path) -> Iterator[Path]:
    if root.is_dir():
        for directory, _, names in os.walk(root):
            for name in sorted(names):
                yield Path(directory) / name


def create_backup(destination: Path) -> BackupResult:
    """Write the archive to ``destination``: a file named .tar.gz, or else a folder to put a dated one in."""
    if destination.is_dir() or not destination.name.endswith(".tar.gz"):
        destination.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        destination = destination / f"sinergi-backup-{stamp}.tar.gz"
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sinergi-backup-") as work:
        dump = _dump_database(Path(work))
        members: dict[str, dict[str, Any]] = {
            dump.name: {"sha256": _sha256(dump), "bytes": dump.stat().st_size},
        }
        files: list[tuple[Path, str]] = []
        for name, root in file_roots().items():
            for path in _walk(root):
                arcname = f"files/{name}/{path.relative_to(root).as_posix()}"
                members[arcname] = {"sha256": _sha256(path), "bytes": path.stat().st_size}
                files.append((path, arcname))
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(),
            "database": {"vendor": connection.vendor, "dump": dump.name},
            "migrations": sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()),
            "tables": table_counts(),
            "file_roots": sorted(file_roots()),
            "members": members,
        }
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            data = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(datetime.now(UTC).timestamp())
            archive.addfile(info, _BytesReader(data))
            archive.add(dump, arcname=dump.name)
            for path, arcname in files:
                archive.add(path, arcname=arcname)
        partial.chmod(0o600)
        partial.replace(destination)  # a killed backup never leaves a file that looks complete
    return BackupResult(destination, manifest)


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data, self.offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.offset + size
        chunk, self.offset = self.data[self.offset : end], min(end, len(self.data))
        return chunk


def _dump_database(work: Path) -> Path:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        target = work / "database.sqlite3"
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)  # the online backup API: a consistent copy while others write
        copy.close()
        return target
    if connection.vendor == "postgresql":
        target = work / "database.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"])
        return target
    raise BackupError(f"Backups of {connection.vendor} databases are not supported; use SQLite or PostgreSQL.")


def _pg_environment() -> tuple[dict[str, str], str]:
    options = connection.settings_dict
    environment = {**os.environ}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if options.get(key):
            environment[variable] = str(options[key])
    return environment, str(options["NAME"])


def _run(command: list[str]) -> None:
    environment, name = _pg_environment()
    binary = shutil.which(command[0])
    if binary is None:
        raise BackupError(f"{command[0]} is not installed; install the PostgreSQL client matching the server.")
    completed = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
        [binary, *command[1:], f"--dbname={name}"], env=environment, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise BackupError(f"{command[0]} failed: {completed.stderr.strip()[-2000:]}")


def read_manifest(path: Path) -> dict[str, Any]:
    with tarfile.open(path, "r:gz") as archive:
        member = archive.extractfile(MANIFEST)
        if member is None:
            raise BackupError(f"{path} has no manifest: it is not a Sinergi backup.")
        manifest: dict[str, Any] = json.loads(member.read())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is a backup of format {manifest.get('format')}; this Sinergi reads format {FORMAT}.")
    return manifest


def restore_backup(path: Path) -> dict[str, Any]:
    """Replace the database and the upload folders with the archive's, after checking every checksum."""
    if not path.is_file():
        raise BackupError(f"There is no backup file {path}.")
    manifest = read_manifest(path)
    vendor = manifest["database"]["vendor"]
    if vendor != connection.vendor:
        raise BackupError(
            f"This backup is of a {vendor} database and this server uses {connection.vendor}. "
            "Restore it on a server configured like the one it came from."
        )
    with tempfile.TemporaryDirectory(prefix="sinergi-restore-", dir=path.parent) as work_name:
        work = Path(work_name)
        with tarfile.open(path, "r:gz") as archive:
            archive.extractall(work, filter="data")
        for name, expected in manifest["members"].items():
            member = work / name
            if not member.is_file() or _sha256(member) != expected["sha256"]:
                raise BackupError(f"{name} in {path} is missing or damaged; nothing was restored. Use another backup.")
        _restore_database(work / manifest["database"]["dump"])
        roots = file_roots()
        for name in manifest["file_roots"]:
            root = roots[name]
            if root.exists():
                shutil.rmtree(root)
            source = work / "files" / name
            if source.is_dir():
                shutil.copytree(source, root)
            else:
                root.mkdir(parents=True, exist_ok=True)
    return manifest


def _restore_database(dump: Path) -> None:
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        with sqlite3.connect(dump) as source:
            source.backup(connection.connection)
        source.close()
        return
    connection.close()  # pg_restore drops and recreates the tables: hold no session on them
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", str(dump)])
