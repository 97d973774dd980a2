import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sinergi.privacy.services import check_request_deadlines


class Command(BaseCommand):
    help = (
        "Data-subject request clocks: `sinergi subject_requests check` notifies those who answer when 24 hours are "
        "left and when a request is overdue, each once. Run it from cron, or keep it running with --every SECONDS."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["check"])
        parser.add_argument("--every", type=int, default=0, help="Repeat every N seconds (a simple scheduler).")

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            report = check_request_deadlines()
            self.stdout.write(f"24 hours left: {report.day_left}; overdue: {report.overdue}.")
            if options["every"] <= 0:
                return
            time.sleep(options["every"])
