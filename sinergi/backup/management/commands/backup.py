import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.backup.archive import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup API, or pg_dump) and the uploaded files into one .tar.gz with a "
        "manifest: sinergi backup DESTINATION (a file, or a folder for a dated file). See docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("destination", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = create_backup(options["destination"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = result.manifest
        self.stdout.write(
            f"Backup written to {result.path} ({result.path.stat().st_size / 1024 / 1024:.1f} MB) in "
            f"{time.perf_counter() - started:.1f} s: {manifest['database']['vendor']} database, "
            f"{sum(manifest['tables'].values())} rows in {len(manifest['tables'])} tables, "
            f"{len(manifest['members']) - 1} files."
        )
