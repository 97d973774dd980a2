"""Demo work: every page has something real on the first login, seeded through the services, once."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from sinergi.assistance.models import AssistanceEntry, AssistanceStatus
from sinergi.cases.models import Case, CaseStatus
from sinergi.demo.work import SCENARIOS
from sinergi.referrals.models import Deadline, Referral, ReferralStatus
from sinergi.regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(**options: Any) -> str:
    out = StringIO()
    call_command("demo", persons=60, seed=11, stdout=out, **options)
    return out.getvalue()


def snapshot() -> tuple[int, int, int]:
    return Case.objects.count(), Referral.objects.count(), AssistanceEntry.objects.count()


def test_it_seeds_cases_in_every_status_and_referrals_at_every_step(regions):
    out = run_demo()
    assert f"{len(SCENARIOS)} added" in out
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert set(Referral.objects.values_list("status", flat=True)) == set(ReferralStatus.values)
    late = Deadline.objects.filter(met_at__isnull=True, cancelled_at__isnull=True, due_at__lt=timezone.now())
    assert late.values("referral").distinct().count() >= 2
    assert AssistanceEntry.objects.filter(status=AssistanceStatus.AGREED).exists()
    resolved = Case.objects.get(status=CaseStatus.DONE)
    assert resolved.outcome and resolved.closing_summary
    # The README walkthrough's persons are left without cases.
    assert not Case.objects.filter(person__full_name__in=["Siti Aminah", "Soeharto"]).exists()


def test_a_second_run_adds_nothing(regions):
    run_demo()
    before = snapshot()
    assert "Demo cases, referrals and special-assistance entries: 0 added." in run_demo()
    assert snapshot() == before


def test_it_skips_the_work_when_asked(regions):
    run_demo(work=False)
    assert snapshot() == (0, 0, 0)


def test_it_loads_the_regions_a_fresh_database_lacks(transactional_db):
    call_command("flush", interactive=False, verbosity=0)  # an empty database, as after `sinergi migrate`
    assert not Region.objects.exists()
    out = run_demo(work=False)
    assert "Regions not loaded yet" in out.splitlines()[0]
    assert Region.objects.filter(code="72.71").exists()
