import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.backup.archive import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with those of a backup made by `sinergi backup`. Every "
        "checksum is verified first. Stop the web server and the workers before, and run `sinergi migrate` after "
        "when the code is newer than the backup. See docs/operations.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        archive: Path = options["archive"]
        try:
            manifest = read_manifest(archive)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        if not options["yes"]:
            answer = input(
                f"Replace this server's database and uploaded files with the backup of {manifest['created_at']}? "
                "Type 'yes': "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was restored.")
        started = time.perf_counter()
        try:
            restore_backup(archive)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} in {time.perf_counter() - started:.1f} s: "
            f"{sum(manifest['tables'].values())} rows, {len(manifest['members']) - 1} files. "
            "Run `sinergi audit verify` to check the audit trail."
        )
