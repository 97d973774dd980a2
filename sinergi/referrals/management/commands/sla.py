import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sinergi.referrals.sla import check_deadlines


class Command(BaseCommand):
    help = (
        "Every legal clock in one run: `sinergi sla check` flags overdue referral steps and escalates each once, "
        "and runs the breach-notice clock (sinergi.breaches) and the data-subject request deadlines "
        "(sinergi.privacy). Run it from cron, or keep it running with --every SECONDS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"])
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (a simple scheduler).")

    def handle(self, *args: Any, **options: Any) -> None:
        # The other clocks live in apps above referrals; one cron line runs them all.
        from sinergi.breaches.escalation import check_breach_clocks
        from sinergi.privacy.services import check_request_deadlines

        while True:
            report = check_deadlines()
            self.stdout.write(
                f"Overdue steps: {report.overdue}; escalated to receiving supervisors: "
                f"{report.escalated_to_receiver}; to sending supervisors: {report.escalated_to_sender}."
            )
            breaches = check_breach_clocks()
            self.stdout.write(f"Breach clocks running: {breaches.running}; alerts sent: {breaches.escalated}.")
            requests = check_request_deadlines()
            self.stdout.write(f"Data-subject requests: 24 hours left {requests.day_left}; overdue {requests.overdue}.")
            if options["every"] <= 0:
                return
            time.sleep(options["every"])
