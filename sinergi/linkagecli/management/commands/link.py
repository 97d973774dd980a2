"""``sinergi link LEFT RIGHT --out PAIRS.csv --map COLUMN=FIELD ...``: see ``sinergi link --help``."""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.linkage.cli import LINK_EPILOG, TqdmProgress, add_link_arguments, error_text, run_link, summary_lines
from sinergi.linkage.issues import LinkageError


class Command(BaseCommand):
    help = "Cari orang yang sama di dua berkas CSV/XLSX / link two CSV or XLSX files (record linkage)."
    # Files in, a file out: the database is not touched, so Django's checks are not needed.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(
            prog_name, subcommand, epilog=LINK_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter, **kwargs
        )
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        add_link_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        progress = TqdmProgress(disable=options["quiet"] or options["verbosity"] == 0)
        try:
            summary = run_link(options, progress=progress)
        except LinkageError as error:
            progress.finish()
            raise CommandError(error_text(error)) from error
        for line in summary_lines(summary, kind="link"):
            self.stderr.write(line)
