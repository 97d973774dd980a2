"""A fresh demo (what `make run` seeds) fills every chart of every dashboard, the map and the monthly report.

The figures are read from what the pages render (the test client's context), never recomputed here.
"""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from sinergi.accounts.models import Agency, User
from sinergi.benefits.models import Benefit
from sinergi.cases.models import Case
from sinergi.programmes.models import Cohort, Enrolment, Programme
from sinergi.referrals.models import Deadline, Referral
from sinergi.registry.models import Person
from sinergi.reports.figures import Figure
from sinergi.reports.geo import Choropleth

pytestmark = pytest.mark.django_db

PARTNER = {"bp3mi.kepala": "sentra-nipotowe", "sentra.kepala": "bp3mi-sulteng"}
SUPERVISORS = tuple(PARTNER)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(db: None) -> None:
    # Exactly what `make run` runs after `sinergi migrate` (Makefile: serve-prep).
    call_command("load_regions", stdout=StringIO())
    call_command("demo", persons=300, stdout=StringIO())


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def empty_series(figures: list[Figure]) -> list[str]:
    """Each chart's datasets that have no non-zero value (a chart without labels counts as empty)."""
    return [
        f"{figure.key}: {serie.label}"
        for figure in figures
        for serie in figure.series or [None]  # type: ignore[list-item]
        if serie is None or not any(serie.values)
    ]


def pages_for(username: str) -> dict[str, str]:
    """The dashboards a supervisor sees: the own agency's, and the joint one with the other demo agency."""
    partner = Agency.objects.get(code=PARTNER[username])
    return {f"{username} own": "", f"{username} joint": f"?partner={partner.pk}"}


def dashboard_problems() -> list[str]:
    problems = []
    for username in SUPERVISORS:
        client = client_for(username)
        for name, query in pages_for(username).items():
            response = client.get(f"/laporan/{query}")
            assert response.status_code == 200, name
            assert not response.context["errors"], name
            problems += [f"dashboard {name}: {empty}" for empty in empty_series(response.context["figures"])]
    return problems


def map_problems() -> list[str]:
    problems = []
    for username in SUPERVISORS:
        client = client_for(username)
        for name, query in pages_for(username).items():
            for measure in ("rate", "count"):
                separator = "&" if query else "?"
                response = client.get(f"/laporan/peta/{query}{separator}measure={measure}")
                assert response.status_code == 200, name
                choropleth: Choropleth = response.context["map"]
                if not any(regency.count and regency.shade for regency in choropleth.regencies):
                    problems.append(f"map {name} ({measure}): no regency shaded")
    return problems


def monthly_problems() -> list[str]:
    problems = []
    for username in SUPERVISORS:
        response = client_for(username).get("/laporan/bulanan/")
        assert response.status_code == 200, username
        problems += [f"monthly {username}: {empty}" for empty in empty_series(response.context["report"].figures)]
    return problems


def snapshot() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Person, Case, Referral, Deadline, Benefit, Cohort, Enrolment, Programme)
    )


def test_a_fresh_demo_fills_every_chart_and_the_map_and_a_second_run_adds_nothing(demo: None) -> None:
    # One test: seeding the full demo takes most of its time.
    problems = dashboard_problems() + map_problems() + monthly_problems()
    assert not problems, "\n".join(problems)
    before = snapshot()
    call_command("demo", persons=300, stdout=StringIO())
    assert snapshot() == before
