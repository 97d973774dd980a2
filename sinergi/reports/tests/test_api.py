"""Aggregate figures API: filters refused with 422, the public statistics without authentication."""

from __future__ import annotations

from django.test import Client

from sinergi.accounts.models import User
from sinergi.cases.models import Case


def test_it_gives_the_figures_and_refuses_an_unknown_regency(alice: User, report_cases: list[Case]) -> None:
    client = Client()
    client.force_login(alice)
    response = client.get("/api/v1/reports/figures")
    assert response.status_code == 200
    assert response.json()["cases"] == 9
    assert {f["key"] for f in response.json()["figures"]} >= {"cases_by_regency", "referral_funnel"}
    refused = client.get("/api/v1/reports/figures", {"regency": "72.99"})
    assert refused.status_code == 422 and "regency" in refused.json()["errors"]


def test_it_serves_the_public_statistics_without_login(report_cases: list[Case]) -> None:
    response = Client().get("/api/v1/reports/public")
    assert response.status_code == 200
    shown = [v for row in response.json()["by_regency"]["cells"] for v in row if v is not None]
    assert shown and all(v >= 5 for v in shown)
