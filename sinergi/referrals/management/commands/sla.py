import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sinergi.referrals.sla import check_deadlines


class Command(BaseCommand):
    help = (
        "SLA clocks: `sinergi sla check` flags overdue referral steps and escalates each once. "
        "Run it from cron, or keep it running with --every SECONDS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"])
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (a simple scheduler).")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            report = check_deadlines()
            self.stdout.write(
                f"Overdue steps: {report.overdue}; escalated to receiving supervisors: "
                f"{report.escalated_to_receiver}; to sending supervisors: {report.escalated_to_sender}."
            )
            if options["every"] <= 0:
                return
            time.sleep(options["every"])
