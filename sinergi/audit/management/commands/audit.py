import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.audit.chain import seal_events, verify_chain


class Command(BaseCommand):
    help = (
        "The tamper-evident audit trail. `sinergi audit verify` recomputes every event's hash and the chain "
        "and names the first broken link (an event changed or removed directly in the database); it exits "
        "with status 1 when the chain is broken. `sinergi audit seal` links committed events not yet linked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "seal"])

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "seal":
            self.stdout.write(f"Sealed {seal_events()} audit events.")
            return
        started = time.perf_counter()
        report = verify_chain()
        elapsed = time.perf_counter() - started
        summary = (
            f"{report.events} audit events checked in {elapsed:.2f} s ({report.sealed_now} sealed now). "
            f"Chain head: seq {report.head_seq}, hash {report.head_hash}."
        )
        if report.first_break is not None:
            self.stdout.write(summary)
            raise CommandError(f"The audit trail is broken. First broken link: {report.first_break}.")
        self.stdout.write(summary + " The chain is intact.")
