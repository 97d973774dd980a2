from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sinergi.regions.loading import load_regions


class Command(BaseCommand):
    help = "Load Kemendagri region codes (provinces, regencies, districts, villages) shipped with Sinergi."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            action="append",
            dest="provinces",
            help="Load villages only for this province code (repeatable).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        provinces = set(options["provinces"]) if options["provinces"] else None
        changed = load_regions(provinces=provinces)
        self.stdout.write(f"Regions: {changed} added or renamed.")
