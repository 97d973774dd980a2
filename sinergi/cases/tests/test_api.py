"""/api/v1/cases: the same services and visibility as the pages, with bearer tokens and their scopes."""

from __future__ import annotations

from datetime import datetime

import pytest

from sinergi.accounts.tokens import create_token
from sinergi.cases.models import CaseNote, CaseStatus, CaseStatusChange
from sinergi.cases.services import change_case_status
from sinergi.referrals.models import ReferralStatus
from sinergi.testing.referral_fixtures import open_case_for, person_for, referral_in, wita

pytestmark = pytest.mark.usefixtures("sop")

CASES = "/api/v1/cases"
ALL_SCOPES = ("cases:read", "cases:write", "referrals:read", "referrals:write", "persons:read", "persons:write")


def bearer(user, *scopes: str) -> dict[str, str]:
    _, secret = create_token(actor=None, user=user, name="skrip", scopes=list(scopes or ALL_SCOPES))
    return {"Authorization": f"Bearer {secret}"}


def post(client, url: str, payload: dict, headers: dict[str, str]):
    return client.post(url, payload, content_type="application/json", headers=headers)


def intake(person_id: int, **changes: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "person_id": person_id,
        "channel": "WHATSAPP",
        "complainant_type": "KELUARGA",
        "complainant_name": "Rahmat",
        "complainant_contact": "0812-4455-6677",
        "phase": "SELAMA",
        "category_codes": ["kekerasan-fisik-psikis", "gaji-tidak-dibayar"],
        "destination_country": "MY",
        "narrative": "Video viral: dipukul majikan.",
        "urgency": "TINGGI",
    }
    payload.update(changes)
    return payload


# --- intake --------------------------------------------------------------------------------------------------


def test_it_opens_a_case(client, alice):
    person = person_for(alice)
    response = post(client, CASES, intake(person.pk), bearer(alice))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("BP3MI-SULTENG/")
    assert body["number"].endswith("/0001")
    assert (body["status"], body["person"], body["assigned_to"]) == (
        "DITERIMA",
        {"id": person.pk, "full_name": "Siti Aminah"},
        "Alice",
    )
    assert [c["code"] for c in body["categories"]] == ["gaji-tidak-dibayar", "kekerasan-fisik-psikis"]  # list order
    assert body["next_statuses"] == ["VERIFIKASI", "DITUTUP"]


def test_it_reads_a_time_without_offset_as_wita(client, alice):
    response = post(client, CASES, intake(person_for(alice).pk, received_at="2026-03-02T09:30:00"), bearer(alice))
    assert response.status_code == 201
    assert datetime.fromisoformat(response.json()["received_at"]) == wita(2026, 3, 2, 9, 30)


def test_it_answers_422_naming_each_field(client, alice):
    payload = intake(person_for(alice).pk, channel="FAX", category_codes=[], complainant_name="")
    response = post(client, CASES, payload, bearer(alice))
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert set(body["errors"]) == {"channel", "category_codes", "complainant_name"}
    assert all(isinstance(message, str) and message for messages in body["errors"].values() for message in messages)


def test_it_answers_422_for_a_person_the_agency_cannot_see(client, alice, dave):
    response = post(client, CASES, intake(person_for(dave).pk), bearer(alice))
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"person_id"}


def test_it_refuses_intake_by_a_read_only_role(client, alice, bob):
    response = post(client, CASES, intake(person_for(alice).pk), bearer(bob))
    assert response.status_code == 403
    assert response.json()["detail"]


# --- scopes --------------------------------------------------------------------------------------------------


def test_it_enforces_token_scopes(client, alice):
    case = open_case_for(alice)
    persons_only = bearer(alice, "persons:read")
    response = client.get(CASES, headers=persons_only)
    assert response.status_code == 403
    assert "cases:read" in response.json()["detail"]
    assert client.get(f"{CASES}/{case.pk}", headers=persons_only).status_code == 403

    read_only = bearer(alice, "cases:read")
    assert client.get(f"{CASES}/{case.pk}", headers=read_only).status_code == 200
    response = post(client, f"{CASES}/{case.pk}/notes", {"text": "Catatan."}, read_only)
    assert response.status_code == 403
    assert "cases:write" in response.json()["detail"]
    assert not CaseNote.objects.exists()


def test_it_answers_401_without_credentials(client, alice):
    assert client.get(CASES).status_code == 401


# --- visibility ----------------------------------------------------------------------------------------------


def test_it_shows_a_case_to_its_agency_only(client, alice, bob, carol, dave):
    referral = referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol)
    url = f"{CASES}/{referral.case_id}"
    assert client.get(url, headers=bearer(alice)).status_code == 200
    assert client.get(url, headers=bearer(bob)).status_code == 200  # auditor: reads
    for outsider in (carol, dave):  # carol sees it through the referral only
        response = client.get(url, headers=bearer(outsider))
        assert response.status_code == 404
        assert response.json() == {"detail": response.json()["detail"]}
        assert client.get(f"{url}/timeline", headers=bearer(outsider)).status_code == 404
        assert client.get(CASES, headers=bearer(outsider)).json()["items"] == []
    assert client.get(f"{CASES}/999999", headers=bearer(alice)).status_code == 404


# --- list, filters, keyset pagination ------------------------------------------------------------------------


def test_it_pages_through_cases_newest_first(client, alice):
    cases = [open_case_for(alice) for _ in range(5)]
    headers = bearer(alice)
    seen, before, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"before": before} if before else {})
        body = client.get(CASES, params, headers=headers).json()
        seen += [item["id"] for item in body["items"]]
        pages += 1
        before = body["next_before"]
        if before is None:
            break
    assert seen == [case.pk for case in reversed(cases)]
    assert pages == 3


def test_it_filters_cases(client, alice, carol, clock):
    clock.set(wita(2026, 3, 17, 10, 0))
    poso = person_for(alice, full_name="Soeharto", sex="L", region_code="72.02.01")
    hong_kong = open_case_for(alice, person=poso, destination_country="HK", categories=("ingin-dipulangkan",))
    malaysia = open_case_for(alice)
    change_case_status(actor=alice, case_id=malaysia.pk, to_status=CaseStatus.VERIFICATION)
    late = referral_in(ReferralStatus.SENT, sender=alice, receiver=carol)
    headers = bearer(alice)

    def ids(**params: object) -> list[int]:
        response = client.get(CASES, params, headers=headers)
        assert response.status_code == 200, response.content
        return [item["id"] for item in response.json()["items"]]

    assert ids(status="VERIFIKASI") == [malaysia.pk]
    assert ids(status="open") == [late.case_id, malaysia.pk, hong_kong.pk]
    assert ids(category="ingin-dipulangkan") == [hong_kong.pk]
    assert ids(destination="hk") == [hong_kong.pk]
    assert ids(regency="72.02") == [hong_kong.pk]
    assert ids(overdue="true") == []
    clock.set(wita(2026, 3, 25, 10, 0))  # the referral's acknowledge and decide deadlines have passed
    assert ids(overdue="true") == [late.case_id]
    assert client.get(CASES, {"overdue": "true"}, headers=headers).json()["items"][0]["overdue"] is True
    response = client.get(CASES, {"status": "HILANG"}, headers=headers)
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"status"}


def test_it_lists_cases_with_a_fixed_number_of_queries(client, alice, carol, django_assert_max_num_queries):
    for _ in range(3):
        open_case_for(alice)
    headers = bearer(alice)
    client.get(CASES, headers=headers)  # token's last_used_at written once a minute at most
    with django_assert_max_num_queries(5):  # token, roles, cases, categories, the page's late deadlines
        few = client.get(CASES, headers=headers)
    for _ in range(20):
        open_case_for(alice, categories=("tppo", "sakit"))
    referral_in(ReferralStatus.SENT, sender=alice, receiver=carol)
    with django_assert_max_num_queries(5):
        many = client.get(CASES, headers=headers)
    assert (len(few.json()["items"]), len(many.json()["items"])) == (3, 24)


# --- transitions ---------------------------------------------------------------------------------------------


def test_it_moves_a_case_along(client, alice):
    case = open_case_for(alice)
    headers = bearer(alice)
    response = post(client, f"{CASES}/{case.pk}/transitions", {"to_status": "VERIFIKASI"}, headers)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["version"]) == ("VERIFIKASI", 2)
    change = CaseStatusChange.objects.filter(case=case).latest("id")
    assert (change.from_status, change.to_status, change.by) == ("DITERIMA", "VERIFIKASI", alice)


def test_it_answers_409_naming_both_states(client, alice):
    case = open_case_for(alice)
    response = post(client, f"{CASES}/{case.pk}/transitions", {"to_status": "SELESAI"}, bearer(alice))
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert str(CaseStatus.RECEIVED.label) in detail
    assert str(CaseStatus.DONE.label) in detail


def test_it_answers_409_while_referrals_are_open(client, alice, carol):
    referral = referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol)
    payload = {"to_status": "DITUTUP", "reason": "Dilimpahkan.", "closure_reason": "DILIMPAHKAN"}
    response = post(client, f"{CASES}/{referral.case_id}/transitions", payload, bearer(alice))
    assert response.status_code == 409
    assert "Sentra Nipotowe Palu" in response.json()["detail"]


def test_it_answers_422_without_a_closure_reason(client, alice):
    case = open_case_for(alice)
    response = post(client, f"{CASES}/{case.pk}/transitions", {"to_status": "DITUTUP"}, bearer(alice))
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"closure_reason"}


def test_it_answers_403_naming_the_role_problem(client, alice, pia):
    case = open_case_for(alice)
    for step in ("VERIFIKASI", "PENANGANAN"):
        change_case_status(actor=alice, case_id=case.pk, to_status=step)
    response = post(client, f"{CASES}/{case.pk}/transitions", {"to_status": "SELESAI"}, bearer(pia))
    assert response.status_code == 403
    assert str(CaseStatus.DONE.label) in response.json()["detail"]


def test_it_answers_403_to_an_auditor(client, alice, bob):
    case = open_case_for(alice)
    response = post(client, f"{CASES}/{case.pk}/transitions", {"to_status": "VERIFIKASI"}, bearer(bob))
    assert response.status_code == 403
    assert response.json()["detail"]
    assert client.get(f"{CASES}/{case.pk}", headers=bearer(alice)).json()["status"] == "DITERIMA"


def test_it_answers_404_to_another_agency_changing_a_case(client, alice, dave):
    case = open_case_for(alice)
    response = post(client, f"{CASES}/{case.pk}/transitions", {"to_status": "VERIFIKASI"}, bearer(dave))
    assert response.status_code == 404
    assert not CaseStatusChange.objects.filter(case=case, to_status="VERIFIKASI").exists()


# --- timeline writes and reads -------------------------------------------------------------------------------


def test_it_adds_notes_tasks_assessments_and_consents(client, alice, sari):
    case = open_case_for(alice)
    headers = bearer(alice)
    base = f"{CASES}/{case.pk}"

    response = post(client, f"{base}/notes", {"text": "Keluarga dihubungi."}, headers)
    assert response.status_code == 201
    assert (response.json()["text"], response.json()["by"]) == ("Keluarga dihubungi.", "Alice")
    assert post(client, f"{base}/notes", {"text": " "}, headers).status_code == 422

    response = post(
        client, f"{base}/tasks", {"title": "Hubungi P3MI", "due_date": "2026-12-01", "assignee_id": sari.pk}, headers
    )
    assert response.status_code == 201
    assert (response.json()["assignee"], response.json()["due_date"]) == ("Sari", "2026-12-01")
    response = post(client, f"{base}/tasks", {"title": "x", "assignee_id": 999999}, headers)
    assert (response.status_code, set(response.json()["errors"])) == (422, {"assignee"})

    response = post(client, f"{base}/assessments", {"summary": "Trauma ringan.", "risk": "TINGGI"}, headers)
    assert response.status_code == 201
    assert (response.json()["agency"], response.json()["referral_id"]) == ("BP3MI Sulawesi Tengah", None)
    assert post(client, f"{base}/assessments", {"summary": "", "risk": "?"}, headers).status_code == 422

    consent = {"scope": "RUJUKAN", "given_by": "SENDIRI", "giver_name": "Siti Aminah", "method": "TERTULIS"}
    response = post(client, f"{base}/consents", consent, headers)
    assert response.status_code == 201
    assert response.json()["withdrawn_at"] is None
    response = post(client, f"{base}/consents", consent | {"given_by": "TETANGGA"}, headers)
    assert (response.status_code, set(response.json()["errors"])) == (422, {"given_by"})


def test_it_shows_the_timeline_in_order(client, alice, carol, django_assert_max_num_queries):
    case = open_case_for(alice)
    headers = bearer(alice)
    post(client, f"{CASES}/{case.pk}/notes", {"text": "Catatan pertama."}, headers)
    referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol, case=case)
    post(client, f"{CASES}/{case.pk}/transitions", {"to_status": "VERIFIKASI"}, headers)
    client.get(f"{CASES}/{case.pk}/timeline", headers=headers)
    with django_assert_max_num_queries(11):  # token, roles, case, the access-log line, one per kind of entry
        response = client.get(f"{CASES}/{case.pk}/timeline", headers=headers)
    entries = response.json()
    assert [entry["kind"] for entry in entries] == [
        "status",
        "note",
        "consent",
        "referral",
        "referral",
        "referral",
        "status",
    ]
    assert entries == sorted(entries, key=lambda entry: entry["at"])
    assert entries[-1]["text"].startswith(str(CaseStatus.VERIFICATION.label))
    assert {entry["by"] for entry in entries} == {"Alice", "Carol"}


def test_it_lists_the_new_paths_in_the_openapi_schema(client, alice):
    schema = client.get("/api/v1/openapi.json", headers=bearer(alice)).json()
    for path in (
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/transitions",
        "/api/v1/cases/{case_id}/notes",
        "/api/v1/cases/{case_id}/tasks",
        "/api/v1/cases/{case_id}/assessments",
        "/api/v1/cases/{case_id}/consents",
        "/api/v1/cases/{case_id}/timeline",
    ):
        assert path in schema["paths"], path
        for operation in schema["paths"][path].values():
            assert operation["tags"] == ["cases"]
            assert operation["summary"]
            assert "200" in operation["responses"] or "201" in operation["responses"]
    transitions = schema["paths"]["/api/v1/cases/{case_id}/transitions"]["post"]
    assert {"403", "404", "409", "422"} <= set(transitions["responses"])
    assert transitions["description"]
