"""The /asistensi/ pages with the test client: list, candidates, propose, an entry with agree/withdraw, exports."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from sinergi.assistance.models import AssistanceEntry, AssistanceStatus
from sinergi.assistance.tests.conftest import SITI_NIK, agreed_entry, assessed_case, propose
from sinergi.audit.models import AuditEvent

LIST = "/asistensi/"


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def body(response) -> str:
    return response.content.decode()


# --- the list ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "yusuf", "vera"])
def test_both_agencies_read_the_list(request, login, persona, alice, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)

    response = login(request.getfixturevalue(persona)).get(LIST)

    assert response.status_code == 200
    assert f'href="/asistensi/{entry.pk}/"' in body(response)
    assert "Siti Aminah" in body(response) and SITI_NIK in body(response)
    assert 'href="/asistensi/"' in body(response)  # the menu item


def test_an_uninvolved_agency_sees_an_empty_list_and_no_entry(login, alice, dave, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)
    client = login(dave)

    response = client.get(LIST)
    assert response.status_code == 200 and "Siti" not in body(response)
    assert client.get(f"/asistensi/{entry.pk}/").status_code == 404
    assert client.post(f"/asistensi/{entry.pk}/setujui/").status_code == 404
    assert client.post(f"/asistensi/{entry.pk}/tarik/", {"reason": "x"}).status_code == 404
    assert client.get(f"/asistensi/usul/{siti_case.pk}/").status_code == 404


def test_the_list_filters_in_place_with_htmx(login, alice, sari, yusuf, sentra, siti_case):
    agreed_entry(alice, sari, yusuf, siti_case)
    propose(alice, assessed_case(alice, full_name="Rina Wati", nik="", episode=""), sentra)
    client = login(alice)

    response = client.get(
        LIST, {"status": AssistanceStatus.PROPOSED}, headers={"HX-Request": "true", "HX-Target": "assistance-results"}
    )

    assert response.status_code == 200
    assert "<html" not in body(response)
    assert "Rina Wati" in body(response) and "Siti Aminah" not in body(response)


def test_a_bad_filter_is_named_not_ignored(login, alice):
    response = login(alice).get(LIST, {"status": "SEMUA", "date_from": "kemarin"})

    assert response.status_code == 200
    assert 'class="message error"' in body(response)


def test_the_list_page_reads_in_a_fixed_number_of_queries(login, alice, sentra):
    client = login(alice)
    propose(alice, assessed_case(alice, full_name="Satu", nik=""), sentra)
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for n in range(3):
        propose(alice, assessed_case(alice, full_name=f"Lagi {n}", nik=""), sentra)
    with CaptureQueriesContext(connection) as four:
        client.get(LIST)
    assert len(four) == len(one)


# --- exports ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["bob", "vera"])
def test_auditors_export_the_agreed_list(request, login, persona, alice, sari, yusuf, siti_case):
    agreed_entry(alice, sari, yusuf, siti_case)

    response = login(request.getfixturevalue(persona)).get("/asistensi/ekspor.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="daftar-asistensi-khusus-')
    assert response["Cache-Control"] == "private, no-store"
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=2).value == SITI_NIK
    assert AuditEvent.objects.filter(action="assistance.exported", actor__username=persona).count() == 1


def test_the_csv_export_uses_the_filters(login, alice, sari, yusuf, sentra, siti_case):
    agreed_entry(alice, sari, yusuf, siti_case)
    propose(alice, assessed_case(alice, full_name="Rina Wati", nik="", episode=""), sentra)

    response = login(alice).get("/asistensi/ekspor.csv", {"status": AssistanceStatus.PROPOSED})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    assert "Rina Wati" in text and "Siti Aminah" not in text


def test_a_user_without_the_list_gets_404(login, alice, bp3mi):
    from sinergi.testing.factories import UserFactory

    nobody = UserFactory(username="tamu", agency=bp3mi, roles=[])
    client = login(nobody)

    assert client.get(LIST).status_code == 404
    assert client.get("/asistensi/ekspor.csv").status_code == 404
    assert 'href="/asistensi/"' not in body(client.get("/kasus/", follow=True))


# --- candidates and proposing -----------------------------------------------------------------------------------


def test_candidates_list_the_assessed_cases_of_the_agency(login, alice, carol, siti_case):
    response = login(alice).get("/asistensi/kandidat/")

    assert response.status_code == 200
    assert f'href="/asistensi/usul/{siti_case.pk}/"' in body(response)
    assert siti_case.number not in body(login(carol).get("/asistensi/kandidat/"))


def test_a_worker_proposes_from_the_page_and_a_second_click_opens_the_same_entry(login, alice, sentra, siti_case):
    client = login(alice)
    page = client.get(f"/asistensi/usul/{siti_case.pk}/")
    assert page.status_code == 200 and 'id="consent-ok"' in body(page)
    form = {"partner": sentra.pk, "needs": ["PSIKOSOSIAL", "PELATIHAN"], "note": "Perlu konseling."}

    first = client.post(f"/asistensi/usul/{siti_case.pk}/", form)
    second = client.post(f"/asistensi/usul/{siti_case.pk}/", form)

    entry = AssistanceEntry.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/asistensi/{entry.pk}/"
    assert (entry.partner_agency, entry.needs, entry.note) == (sentra, ["PSIKOSOSIAL", "PELATIHAN"], "Perlu konseling.")


def test_a_proposal_with_missing_fields_says_what_to_fix(login, alice, siti_case):
    response = login(alice).post(f"/asistensi/usul/{siti_case.pk}/", {"note": "?"})

    assert response.status_code == 400
    assert 'id="id_partner_errors"' in body(response) and 'id="id_needs_errors"' in body(response)
    assert not AssistanceEntry.objects.exists()


def test_the_consent_gate_shows_the_override_to_supervisors_only(login, alice, sari, sentra):
    case = assessed_case(alice, consent=False)

    as_alice = login(alice).get(f"/asistensi/usul/{case.pk}/")
    assert 'id="consent-gate"' in body(as_alice) and 'name="basis"' not in body(as_alice)
    refused = login(alice).post(f"/asistensi/usul/{case.pk}/", {"partner": sentra.pk, "needs": ["KESEHATAN"]})
    assert refused.status_code == 409 and not AssistanceEntry.objects.exists()

    client = login(sari)
    assert 'name="basis"' in body(client.get(f"/asistensi/usul/{case.pk}/"))
    response = client.post(
        f"/asistensi/usul/{case.pk}/",
        {"partner": sentra.pk, "needs": ["KESEHATAN"], "basis": "KEPENTINGAN_VITAL", "override_reason": "Kritis."},
    )
    assert response.status_code == 302
    assert AssistanceEntry.objects.get().override_basis == "KEPENTINGAN_VITAL"


def test_auditors_may_not_propose(login, bob, siti_case):
    assert login(bob).get(f"/asistensi/usul/{siti_case.pk}/").status_code == 403


# --- an entry ---------------------------------------------------------------------------------------------------


def test_supervisors_of_both_agencies_agree_on_the_page(login, alice, sari, yusuf, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)

    page = login(sari).get(f"/asistensi/{entry.pk}/")
    assert f'action="/asistensi/{entry.pk}/setujui/"' in body(page)
    login(sari).post(f"/asistensi/{entry.pk}/setujui/")
    page = login(sari).get(f"/asistensi/{entry.pk}/")
    assert f'action="/asistensi/{entry.pk}/setujui/"' not in body(page)
    response = login(yusuf).post(f"/asistensi/{entry.pk}/setujui/")

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == AssistanceStatus.AGREED
    assert "Sari" in body(login(yusuf).get(f"/asistensi/{entry.pk}/"))


@pytest.mark.parametrize("persona", ["alice", "bob", "carol", "vera"])
def test_others_see_no_agree_button_and_cannot_agree(request, login, persona, alice, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)
    client = login(request.getfixturevalue(persona))

    assert f'action="/asistensi/{entry.pk}/setujui/"' not in body(client.get(f"/asistensi/{entry.pk}/"))
    response = client.post(f"/asistensi/{entry.pk}/setujui/", follow=True)
    assert response.status_code == 200 and 'class="message error"' in body(response)
    entry.refresh_from_db()
    assert entry.proposer_agreed_at is None and entry.partner_agreed_at is None


def test_withdrawing_needs_a_reason_on_the_page(login, alice, yusuf, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)
    client = login(yusuf)

    assert client.post(f"/asistensi/{entry.pk}/tarik/", {"reason": " "}).status_code == 400
    assert client.post(f"/asistensi/{entry.pk}/tarik/", {"reason": "Dobel dengan Dinsos."}).status_code == 302
    entry.refresh_from_db()
    assert (entry.status, entry.withdrawn_by) == (AssistanceStatus.WITHDRAWN, yusuf)
    page = body(login(yusuf).get(f"/asistensi/{entry.pk}/"))
    assert 'id="not-shared"' in page and SITI_NIK not in page and "Dobel dengan Dinsos." in page


def test_the_partner_opening_an_entry_is_in_the_access_log(login, alice, carol, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)

    login(alice).get(f"/asistensi/{entry.pk}/")
    login(carol).get(f"/asistensi/{entry.pk}/")

    # Both agencies' reads of the person's identity are logged (issue 9, finding 6: the proposer's were not).
    viewed = AuditEvent.objects.filter(action="person.viewed").order_by("id")
    assert list(viewed.values_list("actor__username", flat=True)) == ["alice", "carol"]
