"""``sinergi dedupe FILE --out CLUSTERS.csv --map COLUMN=FIELD ...``: see ``sinergi dedupe --help``."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.linkage.cli import (
    DEDUPE_EPILOG,
    TqdmProgress,
    add_dedupe_arguments,
    error_text,
    run_dedupe,
    summary_lines,
)
from sinergi.linkage.issues import LinkageError


class Command(BaseCommand):
    help = "Cari data ganda dalam satu berkas CSV/XLSX / find duplicates in one CSV or XLSX file."
    # Files in, a file out: the database is not touched, so Django's checks are not needed.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        return super().create_parser(
            prog_name, subcommand, epilog=DEDUPE_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs
        )

    def add_arguments(self, parser: CommandParser) -> None:
        add_dedupe_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        progress = TqdmProgress(disable=options["quiet"] or options["verbosity"] == 0)
        try:
            summary = run_dedupe(options, progress=progress)
        except LinkageError as error:
            progress.finish()
            raise CommandError(error_text(error)) from error
        for line in summary_lines(summary, kind="dedupe"):
            self.stderr.write(line)
