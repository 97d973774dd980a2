from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.imports.services import ImportRefused, resume_in_foreground


class Command(BaseCommand):
    help = (
        "Continue an import whose background run stopped (the worker was killed or restarted): "
        "sinergi imports resume BATCH_ID. It runs here, in the foreground, and reaches the same result as an "
        "uninterrupted run."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["resume"])
        parser.add_argument("batch_id", type=int, help="The import's number (in its page's address: /impor/ID/).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            batch = resume_in_foreground(options["batch_id"])
        except ImportRefused as refused:
            raise CommandError(str(refused)) from refused
        counts = ", ".join(f"{action} {count}" for action, count in sorted(batch.counts.items()))
        self.stdout.write(f"Import {batch.pk} ({batch.file_name}): {batch.get_status_display()}. {counts}")
        if batch.error:
            self.stdout.write(batch.error)
