from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sinergi.accounts.models import User
from sinergi.demo.seeding import DEFAULT_PASSWORD, seed_agencies_and_users, seed_persons
from sinergi.demo.sop_seeding import seed_sop
from sinergi.matching.demo import seed_review_pairs


class Command(BaseCommand):
    help = "Create the demo agencies, accounts and synthetic persons (idempotent; same seed, same data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=300, help="How many persons (default 300).")
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--duplicates",
            type=int,
            default=None,
            help="BP3MI persons registered a second time under another spelling, for the review queue "
            "(default 4 with 100 persons or more, else 0).",
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of every demo account "
            f"(default {DEFAULT_PASSWORD!r}); only used when an account is created.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        users = seed_agencies_and_users(options["password"])
        seed_sop()
        added = seed_persons(options["persons"], options["seed"])
        self.stdout.write(f"Demo persons: {added} added (seed {options['seed']}).")
        # A small demo (tests, a quick try) keeps exactly --persons persons unless duplicates are asked for.
        duplicates = options["duplicates"]
        if duplicates is None:
            duplicates = 4 if options["persons"] >= 100 else 0
        if duplicates:
            pairs = seed_review_pairs(
                clerk=User.objects.get(username="bp3mi.petugas"),
                operator=User.objects.get(username="bp3mi.operator"),
                count=duplicates,
            )
            self.stdout.write(f"Possible duplicates waiting for review (BP3MI): {pairs}.")
        self.stdout.write(f"Demo accounts (password: {options['password']}):")
        for user in users:
            roles = ", ".join(role.value for role in user.roles)
            self.stdout.write(f"  {user.username:<16} {user.agency:<16} {roles}")
