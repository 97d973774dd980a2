"""sinergi retention: delete or anonymise what the retention policy says has expired (--dry-run: only count)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sinergi.privacy.retention import policy, run_retention


class Command(BaseCommand):
    help = (
        "Apply the retention policy (docs/privacy.md, SINERGI_RETENTION_DAYS): expired import row values emptied, "
        "old drafts, notifications and sessions deleted, inactive persons anonymised where the law allows. "
        "--dry-run shows what would go and changes nothing. Run it daily from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Count what would go; change nothing.")
        parser.add_argument("--policy", action="store_true", help="Print the policy in force and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["policy"]:
            for rule in policy():
                self.stdout.write(f"{rule.key}: {rule.days} hari — {rule.what}: {rule.action}")
            return
        report = run_retention(dry_run=options["dry_run"])
        if report.dry_run:
            self.stdout.write("Uji coba (--dry-run): tidak ada yang diubah.")
        for line in report.lines():
            self.stdout.write(line)
