from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sinergi.reports.monthly import generate_monthly_reports_task, previous_month


class Command(BaseCommand):
    help = (
        "Monthly reports: `sinergi reports monthly` enqueues the previous month's report of every agency for the "
        "task worker (`sinergi db_worker`). Run it from cron or a systemd timer on the 1st: Django's task "
        "framework has no scheduler. --now generates here instead of enqueueing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["monthly"])
        parser.add_argument("--month", default="", help="YYYY-MM (default: the previous month).")
        parser.add_argument("--now", action="store_true", help="Generate in this process, without the worker.")

    def handle(self, *args: Any, **options: Any) -> None:
        month = options["month"] or previous_month().strftime("%Y-%m")
        if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit():
            raise CommandError("--month must be YYYY-MM")
        if options["now"]:
            count = generate_monthly_reports_task.call(month)
            self.stdout.write(f"Monthly reports for {month}: {count} agencies.")
        else:
            result = generate_monthly_reports_task.enqueue(month)
            self.stdout.write(f"Monthly reports for {month} enqueued (task {result.id}).")
