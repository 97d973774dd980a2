"""The breach register with personas: alice (BP3MI petugas) reports, sari (BP3MI head) assesses and notifies,
bob (BP3MI auditor) reads only, carol and yusuf (Sentra) never see it; pages and API alike. And the notification
report: what Pasal 46 asks, in Indonesian, without any person's name or NIK."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sinergi.audit.models import AuditEvent
from sinergi.breaches import services
from sinergi.breaches.documents import notification_report_pdf, scrub, subject_letter
from sinergi.breaches.models import Breach, BreachStatus
from sinergi.breaches.selectors import get_breach_for_user
from sinergi.registry.services import InvalidData
from sinergi.testing.factories import UserFactory, make_person
from sinergi.testing.referral_fixtures import wita

from .conftest import DISCOVERED, confirm, report

SITI_NIK = "7271015210900001"


@pytest.fixture
def breach(alice, sari, clock) -> Breach:
    clock.set(DISCOVERED + timedelta(hours=1))
    return report(alice)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_reporter_sees_their_report_but_not_the_register_nor_the_head_s_steps(breach, alice, bp3mi):
    pia_like = UserFactory(username="tono", agency=bp3mi, roles=["petugas"])
    assert get_breach_for_user(alice, breach.pk) == breach
    with pytest.raises(Http404):
        get_breach_for_user(pia_like, breach.pk)  # another petugas: not their report
    with pytest.raises(PermissionDenied):
        confirm(alice, breach)
    page = client_for(alice).get(f"/insiden-data/{breach.pk}/")
    assert page.status_code == 200
    assert b'name="form" value="assess"' not in page.content
    assert client_for(alice).get(f"/insiden-data/{breach.pk}/pemberitahuan.pdf").status_code == 403


def test_the_auditor_reads_and_downloads_but_changes_nothing(breach, bob, sari):
    confirm(sari, breach)
    client = client_for(bob)
    page = client.get(f"/insiden-data/{breach.pk}/")
    assert page.status_code == 200
    assert b'value="assess"' not in page.content and b'value="notice"' not in page.content
    assert client.get(f"/insiden-data/{breach.pk}/pemberitahuan.pdf").status_code == 200
    refused = client.post(
        f"/api/v1/breaches/{breach.pk}/notifications",
        {"recipient": "LEMBAGA", "notified_at": DISCOVERED.isoformat(), "how": "email"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    assert client.get("/api/v1/breaches").json()[0]["id"] == breach.pk
    assert AuditEvent.objects.filter(action="breach.report_downloaded", actor=bob).count() == 1


@pytest.mark.parametrize("persona", ["carol", "yusuf"])
def test_another_agency_never_sees_it(breach, persona, request):
    other = request.getfixturevalue(persona)
    client = client_for(other)
    for url in (f"/insiden-data/{breach.pk}/", f"/insiden-data/{breach.pk}/pemberitahuan.pdf"):
        assert client.get(url).status_code == 404, url
    for url in (f"/api/v1/breaches/{breach.pk}", f"/api/v1/breaches/{breach.pk}/report"):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/api/v1/breaches/{breach.pk}/assess", {"confirmed": False}, "application/json").status_code == 404
    )
    assert client.get("/api/v1/breaches").json() == []
    assert b"KDP-" not in client.get("/insiden-data/").content


def test_the_head_assesses_with_own_persons_only(breach, sari, alice, carol):
    siti = make_person(alice, nik=SITI_NIK)
    theirs = make_person(carol, full_name="Wa Ode Nurhayati")
    with pytest.raises(InvalidData) as refused:
        confirm(sari, breach, affected_person_ids=[siti.pk, theirs.pk, 999999])
    messages = " ".join(refused.value.errors["affected_person_ids"])
    assert str(theirs.pk) in messages and "999999" in messages
    confirmed = confirm(sari, breach, affected_person_ids=[siti.pk], persons_affected=40)
    assert confirmed.status == BreachStatus.CONFIRMED
    assert list(confirmed.affected_persons.all()) == [siti]
    assert confirmed.history.count() == 2  # reported, assessed: the register keeps every version
    assert AuditEvent.objects.filter(action="breach.assessed", object_id=breach.pk).count() == 1


def test_it_says_what_to_fix(alice, sari, clock):
    clock.set(DISCOVERED)
    with pytest.raises(InvalidData) as refused:
        report(alice, discovered_at=DISCOVERED + timedelta(hours=2), description=" ", how_found="")
    assert set(refused.value.errors) == {"description", "how_found", "discovered_at"}
    breach = report(alice)
    with pytest.raises(InvalidData) as refused:
        services.assess_breach(actor=sari, breach_id=breach.pk, data=services.AssessmentData(confirmed=True))
    assert set(refused.value.errors) == {"data_categories", "persons_affected", "containment"}
    with pytest.raises(InvalidData) as refused:
        services.assess_breach(actor=sari, breach_id=breach.pk, data=services.AssessmentData(confirmed=False))
    assert set(refused.value.errors) == {"dismissal_reason"}
    with pytest.raises(services.BreachError):  # notices only for a confirmed breach
        services.record_notice(actor=sari, breach_id=breach.pk, recipient="SUBJEK", notified_at=DISCOVERED, how="x")


def test_notices_are_recorded_once_late_ones_are_flagged_and_then_it_closes(breach, sari, clock):
    confirm(sari, breach)
    with pytest.raises(services.BreachError):
        services.close_breach(actor=sari, breach_id=breach.pk)
    clock.set(wita(2026, 3, 21, 9, 0))
    api = client_for(sari)
    answer = api.post(
        f"/api/v1/breaches/{breach.pk}/notifications",
        {"recipient": "LEMBAGA", "notified_at": "2026-03-21T09:00:00+08:00", "how": "Portal lembaga PDP"},
        content_type="application/json",
    )
    assert answer.status_code == 200
    assert answer.json()["authority_notice"]["late"] is True
    again = api.post(
        f"/api/v1/breaches/{breach.pk}/notifications",
        {"recipient": "LEMBAGA", "notified_at": "2026-03-21T09:00:00+08:00", "how": "again"},
        content_type="application/json",
    )
    assert again.status_code == 409
    services.record_notice(
        actor=sari, breach_id=breach.pk, recipient="SUBJEK", notified_at=clock.now, how="Surat tercatat"
    )
    closed = api.post(f"/api/v1/breaches/{breach.pk}/close").json()
    assert (closed["status"], closed["clock"]["running"]) == ("SELESAI", False)
    actions = list(
        AuditEvent.objects.filter(object_id=breach.pk, object_type="breaches.breach").values_list("action", flat=True)
    )
    assert sorted(set(actions)) == [
        "breach.assessed",
        "breach.closed",
        "breach.escalated",
        "breach.notified",
        "breach.reported",
    ]


def test_the_api_reports_a_breach_with_its_clock(alice, sari, clock):
    clock.set(DISCOVERED + timedelta(hours=2))
    answer = client_for(alice).post(
        "/api/v1/breaches",
        {
            "description": "Laptop berisi daftar PMI hilang di bandara.",
            "discovered_at": "2026-03-17T10:00:00+08:00",
            "how_found": "Petugas melapor.",
        },
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    data = answer.json()
    assert data["clock"]["notify_by"].startswith("2026-03-20T02:00:00")
    assert data["clock"]["seconds_left"] == 70 * 3600
    assert data["clock"]["escalation_level"] == 1
    bad = client_for(alice).post(
        "/api/v1/breaches",
        {"description": "x", "discovered_at": "2030-01-01T00:00:00+08:00", "how_found": "y"},
        content_type="application/json",
    )
    assert bad.status_code == 422 and "discovered_at" in bad.json()["errors"]


def test_the_list_costs_the_same_queries_for_more_breaches(alice, sari, clock):
    clock.set(DISCOVERED + timedelta(hours=1))
    report(alice)
    client = client_for(sari)
    pages = ("/insiden-data/", "/api/v1/breaches")
    one = {}
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        one[url] = len(queries)
    for _ in range(3):
        report(alice)
    for url in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        assert len(queries) == one[url], url


def test_the_report_has_what_pasal_46_asks_and_no_name_or_nik(breach, sari, alice, carol, bp3mi):
    siti = make_person(alice, full_name="Siti Aminah", nik=SITI_NIK)
    bp3mi.phone = "0451-123456"
    bp3mi.save()
    breach.description = f"Daftar berisi Siti Aminah ({SITI_NIK}) terkirim ke grup yang salah."
    breach.save()
    confirm(
        sari,
        breach,
        affected_person_ids=[siti.pk],
        persons_affected=40,
        cause="Berkas 7271 0152 1090 0001 dikirim manual.",
        partner_agency_id=carol.agency_id,
    )
    breach.refresh_from_db()
    pdf = notification_report_pdf(breach, compress=False)
    assert pdf.startswith(b"%PDF")
    for text in (
        "Pemberitahuan Kegagalan Pelindungan Data Pribadi",
        "Pasal 46",
        breach.reference,
        "a. Data pribadi yang terungkap",
        "b. Kapan dan bagaimana data",
        "c. Upaya penanganan",
        "sekitar 40 orang",
        "Status korban TPPO",  # the category in Indonesian whatever the request's language
        "17-03-2026 10:00 WITA",
        "20-03-2026 10:00 WITA",
        "Pesan dihapus",
        "Sentra",
        "templat surat kepada subjek data",
        "Kepada Yth.",
    ):
        assert text.encode("latin-1") in pdf, text
    for secret in ("Siti Aminah", SITI_NIK, "7271 0152"):
        assert secret.encode() not in pdf, secret
    assert "[nama disamarkan]" in scrub("Siti Aminah melapor", ["Siti Aminah"])
    assert all("Siti" not in paragraph for paragraph in subject_letter(breach))


def test_the_report_pdf_is_the_same_through_the_api(breach, sari):
    confirm(sari, breach)
    answer = client_for(sari).get(f"/api/v1/breaches/{breach.pk}/report")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")


def test_the_home_page_shows_the_running_clock_to_the_head_only(breach, sari, alice, bob):
    assert b"breach-clocks" in client_for(sari).get("/").content
    for user in (alice, bob):
        assert b"breach-clocks" not in client_for(user).get("/").content
    assert json.dumps(breach.reference).strip('"').encode() in client_for(sari).get("/").content
