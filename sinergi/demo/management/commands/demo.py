from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sinergi.accounts.models import User
from sinergi.assessments.demo import seed_demo as seed_assessments
from sinergi.benefits.demo import seed_case_assistance, seed_deliveries
from sinergi.benefits.demo import seed_demo as seed_benefits
from sinergi.demo.seeding import DEFAULT_PASSWORD, seed_agencies_and_users, seed_persons
from sinergi.demo.sop_seeding import seed_sop
from sinergi.demo.work import seed_work
from sinergi.imports.demo import seed_demo_import
from sinergi.matching.demo import seed_review_pairs
from sinergi.programmes.demo import DEMO_PROGRAMME, seed_catch_up_cohort, seed_partner_programme
from sinergi.programmes.demo import seed_demo as seed_programmes
from sinergi.programmes.models import Enrolment, EnrolmentStatus
from sinergi.regions.loading import load_regions
from sinergi.regions.models import Region
from sinergi.reports.demo import seed_demo as seed_report_cases
from sinergi.statements.demo import seed_demo as seed_statement_case


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
            "--no-work",
            dest="work",
            action="store_false",
            help="Skip the demo cases, referrals and special-assistance entries (persons and accounts only).",
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password of every demo account "
            f"(default {DEFAULT_PASSWORD!r}); only used when an account is created.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not Region.objects.filter(code="72.71").exists():
            # Agencies and persons point at regions: a fresh database gets the shipped tables first
            # (villages of Sulawesi Tengah only; `sinergi load_regions` loads every province's).
            self.stdout.write("Regions not loaded yet: loading the Kemendagri tables (Sulawesi Tengah villages).")
            load_regions(provinces={"72"})
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
        if options["work"]:
            self.seed_work(options["persons"])
        self.stdout.write(f"Demo accounts (password: {options['password']}):")
        for user in users:
            roles = ", ".join(role.value for role in user.roles)
            self.stdout.write(f"  {user.username:<16} {user.agency:<16} {roles}")

    def seed_work(self, persons: int) -> None:
        """The agencies' work on the persons: cases, referrals, assessments, assistance, programmes, statements."""
        self.stdout.write(f"Demo cases, referrals and special-assistance entries: {seed_work()} added.")
        seed_assessments(User.objects.get(username="bp3mi.petugas"))
        seed_benefits(User.objects.get(username="sentra.kepala"), User.objects.get(username="bp3mi.kepala"))
        if persons >= 100:  # a full demo; a small one keeps exactly --persons persons
            cohorts = seed_programmes(
                worker=User.objects.get(username="bp3mi.petugas"), facilitator=User.objects.get(username="bp3mi.kepala")
            )
            self.stdout.write(
                f"Demo programmes (BP3MI, with their own returnees of Langaleso): {cohorts} cohorts added."
            )
            cohorts = seed_catch_up_cohort(
                worker=User.objects.get(username="bp3mi.petugas"), facilitator=User.objects.get(username="bp3mi.kepala")
            )
            cohorts += seed_partner_programme(
                worker=User.objects.get(username="sentra.peksos"),
                facilitator=User.objects.get(username="sentra.kepala"),
            )
            self.stdout.write(f"Last month's cohorts (BP3MI's catch-up, Sentra's sewing course): {cohorts} added.")
            graduates = list(
                Enrolment.objects.filter(cohort__programme__name=DEMO_PROGRAMME, status=EnrolmentStatus.COMPLETED)
                .order_by("pk")
                .values_list("person_id", flat=True)
            )
            delivered = seed_deliveries(
                User.objects.get(username="bp3mi.petugas"), User.objects.get(username="bp3mi.kepala"), graduates
            )
            self.stdout.write(f"Business capital delivered to workshop graduates (BP3MI): {delivered}.")
            batch = seed_demo_import(User.objects.get(username="bp3mi.operator"))
            if batch is not None:
                counts = ", ".join(f"{action} {count}" for action, count in sorted(batch.counts.items()) if count)
                self.stdout.write(f"A finished import of BP3MI's data officer ({batch.file_name}): {counts}.")
        seed_statement_case()
        self.stdout.write(f"Cases for the dashboards and the map: {seed_report_cases()} added.")
        helped = seed_case_assistance(
            User.objects.get(username="sentra.peksos"), User.objects.get(username="sentra.kepala")
        )
        self.stdout.write(f"Assistance delivered to the persons of Sentra's own cases: {helped}.")
