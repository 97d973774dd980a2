from typing import Any

from django.core.management.base import BaseCommand

from sinergi.programmes.services import notify_due_follow_ups


class Command(BaseCommand):
    help = (
        "Put due and late mentoring follow-ups (baseline, 3, 6, 12 months) into each mentor's inbox, once per "
        "follow-up and state. Run it daily from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = notify_due_follow_ups()
        self.stdout.write(f"Mentoring reminders sent: {sent}.")
