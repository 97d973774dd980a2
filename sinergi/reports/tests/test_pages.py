"""Dashboards, the map, the monthly report and the public statistics as users see them; and bad filters."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook

from sinergi.accounts.models import User
from sinergi.cases.models import Case
from sinergi.reports.models import MonthlyReport


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def chart(response, key: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return next(c for c in response.context["charts"] if c["key"] == key)


def test_it_counts_the_agencys_cases_by_regency_and_category(alice: User, report_cases: list[Case]) -> None:
    response = client_for(alice).get("/laporan/")
    assert response.status_code == 200
    assert response.context["total"] == 9
    regency = chart(response, "cases_by_regency")
    counts = dict(zip(regency["labels"], regency["series"][0]["values"], strict=True))
    assert counts["Sigi"] == 7 and counts["Poso"] == 2
    assert sum(counts.values()) == 9
    funnel = chart(response, "referral_funnel")
    assert funnel["series"][0]["values"][0] == 1
    assert b'id="chart-data"' in response.content and b"<table" in response.content


def test_it_filters_by_regency_and_refuses_an_unknown_one(alice: User, report_cases: list[Case]) -> None:
    client = client_for(alice)
    assert client.get("/laporan/", {"regency": "72.02"}).context["total"] == 2
    refused = client.get("/laporan/", {"regency": "72.99"})
    assert refused.status_code == 200
    assert "regency" in refused.context["errors"]
    assert refused.context["figures"] == []


def test_it_says_so_when_the_period_has_no_case(alice: User, report_cases: list[Case]) -> None:
    response = client_for(alice).get("/laporan/", {"date_from": "2001-01-01", "date_to": "2001-12-31"})
    assert response.context["total"] == 0
    assert b'id="empty-period"' in response.content
    backwards = client_for(alice).get("/laporan/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert "date_to" in backwards.context["errors"]


def test_it_shows_no_case_of_another_agency(dave: User, report_cases: list[Case]) -> None:
    assert client_for(dave).get("/laporan/").context["total"] == 0


def test_it_shows_the_joint_dashboard_of_the_shared_cases_only(
    alice: User, carol: User, report_cases: list[Case]
) -> None:
    partner = carol.agency
    assert partner is not None
    response = client_for(alice).get("/laporan/", {"partner": partner.pk})
    assert response.context["total"] == 1
    assert client_for(carol).get("/laporan/", {"partner": alice.agency_id}).context["total"] == 1
    assert client_for(alice).get("/laporan/", {"partner": 999999}).status_code == 404


def test_it_shades_the_map_by_rate_and_by_count(alice: User, report_cases: list[Case]) -> None:
    response = client_for(alice).get("/laporan/peta/")
    body = response.content.decode()
    assert '<svg viewBox="0 0 600' in body and "Dukcapil" in body and "Cahya DSN" in body
    shaded = {r.code: r for r in response.context["map"].regencies}
    assert shaded["72.10"].count == 7 and shaded["72.10"].shade == 5
    assert shaded["72.02"].count == 2 and 0 < shaded["72.02"].shade < 5
    assert shaded["72.71"].shade == 0
    by_count = client_for(alice).get("/laporan/peta/", {"measure": "count"})
    assert by_count.context["measure"] == "count"


def test_it_gives_the_monthly_report_as_xlsx_and_pdf(alice: User, report_cases: list[Case]) -> None:
    from django.utils import timezone

    month = timezone.localdate(report_cases[0].received_at).strftime("%Y-%m")
    client = client_for(alice)
    page = client.get("/laporan/bulanan/", {"bulan": month})
    assert page.status_code == 200
    xlsx = client.get("/laporan/bulanan/", {"bulan": month, "format": "xlsx"})
    book = load_workbook(io.BytesIO(xlsx.content))
    assert len(book.worksheets) == 2
    assert book.worksheets[0]._charts  # native Excel charts
    pdf = client.get("/laporan/bulanan/", {"bulan": month, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")


def test_it_generates_every_agencys_report_from_the_command(alice: User, report_cases: list[Case]) -> None:
    from django.utils import timezone

    month = timezone.localdate(report_cases[0].received_at).strftime("%Y-%m")
    call_command("reports", "monthly", "--month", month, "--now", stdout=io.StringIO())
    report = MonthlyReport.objects.get(agency_id=alice.agency_id)
    assert bytes(report.pdf).startswith(b"%PDF")
    downloaded = client_for(alice).get(f"/laporan/bulanan/{report.pk}.xlsx")
    assert downloaded.status_code == 200


def test_it_shows_the_public_statistics_without_login_and_suppresses_small_counts(report_cases: list[Case]) -> None:
    response = Client().get("/laporan/statistik/")
    assert response.status_code == 200
    stats = response.context["stats"]
    table = stats.by_regency
    shown = [v for row in table.cells for v in row if v is not None] + [v for v in table.row_totals if v is not None]
    assert all(value >= 5 for value in shown)
    counts = dict(zip(table.row_labels, [row[0] for row in table.cells], strict=True))
    assert counts["Sigi"] == 7  # Sigi's seven cases are shown
    assert counts["Poso"] is None  # Poso's two are not
    assert b"suppression-note" in response.content


def test_the_dashboard_makes_as_many_queries_for_many_cases_as_for_few(
    alice: User, report_cases: list[Case], sop: object
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sinergi.testing.referral_fixtures import open_case_for, person_for, sent_referral

    client = client_for(alice)
    client.get("/laporan/")  # warm: sessions, content types, the SOP

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/laporan/").status_code == 200
        return len(captured)

    few = queries()
    for index in range(12):
        person = person_for(alice, full_name=f"Pekerja Poso Lagi {index}", region_code="72.02.01")
        case = open_case_for(alice, person=person)
        if index % 3 == 0:
            sent_referral(alice, case)
    assert queries() == few
