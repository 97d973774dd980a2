from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.benefits.models import Benefit, BenefitStatus
from sinergi.cases.models import Case
from sinergi.demo.seeding import DEFAULT_PASSWORD, seed_agencies_and_users
from sinergi.outreach.models import FollowUp
from sinergi.programmes import outcomes
from sinergi.programmes.demo import seed_demo
from sinergi.programmes.models import Attendance, BusinessCheck, Programme
from sinergi.reports.figures import Scope, all_figures

pytestmark = pytest.mark.django_db


def test_it_seeds_programmes_whose_outcomes_show_at_once_and_only_once(regions: None) -> None:
    seed_agencies_and_users(DEFAULT_PASSWORD)
    worker, facilitator = User.objects.get(username="bp3mi.petugas"), User.objects.get(username="bp3mi.kepala")
    assert seed_demo(worker=worker, facilitator=facilitator) == 4
    counts = (Attendance.objects.count(), BusinessCheck.objects.count(), FollowUp.objects.count())
    assert seed_demo(worker=worker, facilitator=facilitator) == 0
    assert (Attendance.objects.count(), BusinessCheck.objects.count(), FollowUp.objects.count()) == counts
    result = outcomes.programme_outcomes(Programme.objects.get())
    assert result.total.completion_rate.value is not None and result.total.completion_rate.n >= outcomes.MIN_COUNT
    assert result.total.income_change.value is not None and result.total.income_change.value > 0


def test_the_full_demo_delivers_capital_to_workshop_graduates_once(regions: None) -> None:
    call_command("demo", persons=100, seed=3, stdout=io.StringIO())
    delivered = Benefit.objects.filter(status=BenefitStatus.DELIVERED, agency__code="bp3mi-sulteng")
    assert delivered.count() == 4 and all(benefit.proof_name for benefit in delivered)
    call_command("demo", persons=100, seed=3, stdout=io.StringIO())
    assert delivered.count() == 4
    # BP3MI's dashboard shows them at once.
    today = timezone.localdate()
    bp3mi = User.objects.get(username="bp3mi.kepala").agency_pk
    # From the first of last month: half were delivered on last month's last day, half today.
    since = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    scope = Scope(Case.objects.none(), since, today, agency_ids=(bp3mi,))
    figures = {figure.key: figure for figure in all_figures(scope)}
    assert figures["assistance_delivered"].rows == [("Bantuan modal usaha PMI purna", [4])]
