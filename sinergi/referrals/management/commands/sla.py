from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sinergi.referrals.sla import check_deadlines


class Command(BaseCommand):
    help = "SLA clocks: `sinergi sla check` flags overdue referral steps and escalates each once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"])

    def handle(self, *args: Any, **options: Any) -> None:
        report = check_deadlines()
        self.stdout.write(
            f"Overdue steps: {report.overdue}; escalated to receiving supervisors: {report.escalated_to_receiver}; "
            f"to sending supervisors: {report.escalated_to_sender}."
        )
