"""sinergi rotate_field_keys: re-encrypt sensitive fields with the first key of SINERGI_FIELD_KEYS."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sinergi.encryption.keys import new_key
from sinergi.encryption.rotation import rotate_all


class Command(BaseCommand):
    help = (
        "Re-encrypt every sensitive field with the current (first) key of SINERGI_FIELD_KEYS. Run after putting a "
        "new key first; afterwards the old key can be removed. --new-key prints a fresh key."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--new-key", action="store_true", help="Print a new key and stop.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be re-encrypted.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(new_key())
            return
        counts = rotate_all(dry_run=options["dry_run"])
        verb = "would re-encrypt" if options["dry_run"] else "re-encrypted"
        for label, count in sorted(counts.items()):
            self.stdout.write(f"{label}: {verb} {count}")
        self.stdout.write(f"{verb} {sum(counts.values())} values in all")
