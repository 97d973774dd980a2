import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sinergi.breaches.escalation import check_breach_clocks


class Command(BaseCommand):
    help = (
        "Breach clocks: `sinergi breaches check` alerts the agency's heads at discovery, 24 h left, 6 h left and "
        "overdue, each once. Run it from cron beside `sinergi sla check`, or keep it running with --every SECONDS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"])
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (a simple scheduler).")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            report = check_breach_clocks()
            self.stdout.write(f"Breach clocks running: {report.running}; alerts sent: {report.escalated}.")
            if options["every"] <= 0:
                return
            time.sleep(options["every"])
