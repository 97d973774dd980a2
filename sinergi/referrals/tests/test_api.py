"""/api/v1/referrals: the story end to end with bearer tokens — BP3MI's alice refers, Sentra's carol handles,
Dinsos's dave sees nothing — plus scopes, error shapes, boxes and query counts."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from sinergi.accounts.tokens import create_token
from sinergi.referrals.models import Referral, ReferralStatus, SlaStep
from sinergi.testing.referral_fixtures import (
    consent_for,
    draft_referral,
    open_case_for,
    person_for,
    referral_in,
    sent_referral,
    service_of,
    wita,
)

pytestmark = pytest.mark.usefixtures("sop")

API = "/api/v1"
REFERRALS = f"{API}/referrals"
ALL_SCOPES = ("cases:read", "cases:write", "referrals:read", "referrals:write", "persons:read", "persons:write")
R = ReferralStatus


def bearer(user, *scopes: str) -> dict[str, str]:
    _, secret = create_token(actor=None, user=user, name="skrip", scopes=list(scopes or ALL_SCOPES))
    return {"Authorization": f"Bearer {secret}"}


def post(client, url: str, headers: dict[str, str], payload: dict | None = None):
    return client.post(url, payload or {}, content_type="application/json", headers=headers)


def steps(body: dict) -> dict[str, dict]:
    return {deadline["step"]: deadline for deadline in body["deadlines"]}


# --- the story -----------------------------------------------------------------------------------------------


def test_it_walks_the_story_end_to_end(client, alice, carol, erin, dave):
    as_alice, as_carol, as_dave = bearer(alice), bearer(carol), bearer(dave)

    # BP3MI registers the person and records the complaint.
    response = post(
        client,
        f"{API}/persons",
        as_alice,
        {"full_name": "Siti Aminah", "sex": "P", "birth_date": "1990-10-12", "phones": ["0812-4455-6677"]},
    )
    assert response.status_code == 201, response.content
    person_id = response.json()["id"]
    response = post(
        client,
        f"{API}/cases",
        as_alice,
        {
            "person_id": person_id,
            "channel": "MEDSOS",
            "complainant_type": "KELUARGA",
            "complainant_name": "Rahmat",
            "phase": "SELAMA",
            "category_codes": ["kekerasan-fisik-psikis"],
            "destination_country": "MY",
            "narrative": "Video viral: dipukul majikan.",
        },
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    post(client, f"{API}/cases/{case_id}/notes", as_alice, {"text": "Catatan internal BP3MI."})

    # The SOP offers Sentra's services (not BP3MI's own); alice drafts a referral.
    offered = client.get(f"{REFERRALS}/services", {"case_id": case_id}, headers=as_alice).json()
    assert {"sentra-nipotowe"} <= {service["agency"]["code"] for service in offered}
    assert "bp3mi-sulteng" not in {service["agency"]["code"] for service in offered}
    therapy = next(service for service in offered if service["code"] == "atensi-a4")
    response = post(
        client, REFERRALS, as_alice, {"case_id": case_id, "service_id": therapy["id"], "reason": "Trauma berat."}
    )
    assert response.status_code == 201, response.content
    referral = response.json()
    url = f"{REFERRALS}/{referral['id']}"
    assert (referral["status"], referral["to_agency"]["code"], referral["deadlines"]) == (
        "DRAFT",
        "sentra-nipotowe",
        [],
    )
    assert client.get(url, headers=as_carol).status_code == 404  # a draft stays with the sender

    # Consent gate, then sending.
    response = post(client, f"{url}/send", as_alice)
    assert response.status_code == 409
    assert response.json()["detail"]
    consent = {"scope": "RUJUKAN", "given_by": "SENDIRI", "giver_name": "Siti Aminah", "method": "TERTULIS"}
    assert post(client, f"{API}/cases/{case_id}/consents", as_alice, consent).status_code == 201
    response = post(client, f"{url}/send", as_alice)
    assert response.status_code == 200, response.content
    sent = response.json()
    assert sent["status"] == "DIKIRIM"
    assert sent["letter_number"].startswith("001/RUJ/BP3MI-SULTENG/")
    assert set(steps(sent)) == {SlaStep.ACKNOWLEDGE, SlaStep.DECIDE}
    assert all(d["due_at"] and d["met_at"] is None and d["overdue"] is False for d in sent["deadlines"])

    # Sentra sees it in its inbox, with the shared sections only.
    inbox = client.get(REFERRALS, {"box": "incoming"}, headers=as_carol).json()
    assert [row["id"] for row in inbox["items"]] == [sent["id"]]
    assert inbox["items"][0]["next_due_at"] is not None
    seen = client.get(url, headers=as_carol).json()
    shared = seen["shared"]
    assert shared["sections"] == sorted(["IDENTITAS", "KONTAK", "KELUARGA", "PENGADUAN", "ASESMEN"])
    assert shared["identity"]["full_name"] == "Siti Aminah"
    assert [phone["number"] for phone in shared["contact"]["phones"]] == ["+6281244556677"]
    assert shared["complaint"]["narrative"] == "Video viral: dipukul majikan."
    assert (shared["notes"], shared["migration"], shared["attachments"]) == (None, None, None)
    assert "Catatan internal BP3MI." not in str(seen)
    assert client.get(f"{API}/persons/{person_id}", headers=as_carol).status_code == 200

    # Dinsos sees nothing at all.
    for path in (f"{API}/cases/{case_id}", f"{API}/persons/{person_id}", url):
        assert client.get(path, headers=as_dave).status_code == 404, path
    assert client.get(REFERRALS, headers=as_dave).json()["items"] == []

    # Carol accepts; erin, a moment later, is told who did.
    response = post(client, f"{url}/accept", as_carol)
    assert response.status_code == 200
    accepted = response.json()
    assert (accepted["status"], accepted["decided_by"], accepted["assigned_to"]) == ("DITERIMA", "Carol", "Carol")
    clocks = steps(accepted)
    assert clocks[SlaStep.ACKNOWLEDGE]["met_at"] and clocks[SlaStep.DECIDE]["met_at"]
    assert clocks[SlaStep.FIRST_SERVICE]["met_at"] is None
    response = post(client, f"{url}/accept", bearer(erin))
    assert response.status_code == 409
    assert "Carol" in response.json()["detail"]

    # Service, assessment, completion with outcome and feedback.
    today = timezone.localdate().isoformat()
    response = post(client, f"{url}/services", as_carol, {"delivered_on": today, "description": "Konseling awal."})
    assert response.status_code == 201
    assert response.json()["agency"] == "Sentra Nipotowe Palu"
    response = post(client, f"{url}/assessments", as_carol, {"summary": "PTSD ringan.", "risk": "SEDANG"})
    assert (response.status_code, response.json()["referral_id"]) == (201, sent["id"])
    assert client.get(url, headers=as_carol).json()["status"] == "DALAM_LAYANAN"
    response = post(client, f"{url}/complete", as_carol, {"outcome": "Membaik.", "feedback": ""})
    assert (response.status_code, set(response.json()["errors"])) == (422, {"feedback"})
    response = post(
        client, f"{url}/complete", as_carol, {"outcome": "Membaik.", "feedback": "Perlu dukungan keluarga."}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "SELESAI"

    # Closed: carol keeps her own records, no longer the shared sections or the person.
    after = client.get(url, headers=as_carol).json()
    assert after["shared"] == {
        "sections": [],
        "identity": None,
        "contact": None,
        "family": None,
        "migration": None,
        "complaint": None,
        "assessments": None,
        "notes": None,
        "attachments": None,
    }
    assert [record["description"] for record in after["service_records"]] == ["Konseling awal."]
    assert [a["summary"] for a in after["receiver_assessments"]] == ["PTSD ringan."]
    assert client.get(f"{API}/persons/{person_id}", headers=as_carol).status_code == 404

    # BP3MI reads the feedback and closes the case.
    mine = client.get(url, headers=as_alice).json()
    assert (mine["outcome"], mine["feedback"]) == ("Membaik.", "Perlu dukungan keluarga.")
    assert [a["summary"] for a in mine["receiver_assessments"]] == ["PTSD ringan."]
    assert [e["to_status"] for e in mine["events"]] == ["DRAFT", "DIKIRIM", "DITERIMA", "DALAM_LAYANAN", "SELESAI"]
    for to_status in ("VERIFIKASI", "PENANGANAN", "SELESAI"):
        body = {"to_status": to_status, "outcome": "TERATASI", "reason": "Pulih, kembali ke keluarga."}
        response = post(client, f"{API}/cases/{case_id}/transitions", as_alice, body)
        assert response.status_code == 200, response.content
    assert client.get(f"{API}/cases/{case_id}", headers=as_alice).json()["status"] == "SELESAI"


# --- the other actions ---------------------------------------------------------------------------------------


def test_it_lets_a_supervisor_send_without_consent_and_not_a_petugas(client, alice, sari):
    referral = draft_referral(alice)
    override = {"override": {"basis": "KEPENTINGAN_VITAL", "reason": "Korban di rumah sakit, tanpa keluarga."}}
    response = post(client, f"{REFERRALS}/{referral.pk}/send", bearer(alice), override)
    assert response.status_code == 403
    assert Referral.objects.get(pk=referral.pk).status == R.DRAFT

    response = post(client, f"{REFERRALS}/{referral.pk}/send", bearer(sari), {"override": {"basis": "?", "reason": ""}})
    assert (response.status_code, set(response.json()["errors"])) == (422, {"override_reason"})

    response = post(client, f"{REFERRALS}/{referral.pk}/send", bearer(sari), override)
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["override_basis"]) == ("DIKIRIM", "KEPENTINGAN_VITAL")


def test_it_sends_with_an_empty_body(client, alice):
    case = open_case_for(alice)
    consent_for(alice, case)
    referral = draft_referral(alice, case)
    response = client.post(
        f"{REFERRALS}/{referral.pk}/send", "", content_type="application/json", headers=bearer(alice)
    )
    assert response.status_code == 200, response.content


def test_it_needs_a_reason_to_reject_fail_or_revoke(client, alice, carol):
    referral = sent_referral(alice)
    url = f"{REFERRALS}/{referral.pk}"
    response = post(client, f"{url}/reject", bearer(carol), {"reason": " "})
    assert response.status_code == 422
    assert set(response.json()) == {"detail", "errors"}
    assert set(response.json()["errors"]) == {"reason"}
    response = post(client, f"{url}/revoke", bearer(alice), {"reason": ""})
    assert (response.status_code, set(response.json()["errors"])) == (422, {"reason"})
    response = post(client, f"{url}/reject", bearer(carol), {"reason": "Kapasitas penuh."})
    assert (response.status_code, response.json()["status_reason"]) == (200, "Kapasitas penuh.")


def test_it_answers_403_to_the_wrong_side_and_404_to_outsiders(client, alice, bob, carol, vera, dave):
    referral = sent_referral(alice)
    url = f"{REFERRALS}/{referral.pk}"
    assert post(client, f"{url}/accept", bearer(alice)).status_code == 403  # the sender cannot accept
    assert post(client, f"{url}/accept", bearer(vera)).status_code == 403  # the receiver's auditor reads only
    assert post(client, f"{url}/revoke", bearer(bob), {"reason": "x"}).status_code == 403
    assert post(client, f"{url}/revoke", bearer(carol), {"reason": "x"}).status_code == 403
    response = post(client, f"{url}/accept", bearer(dave))
    assert response.status_code == 404
    assert response.json()["detail"]
    assert client.get(url, headers=bearer(vera)).status_code == 200
    assert Referral.objects.get(pk=referral.pk).status == R.SENT


def test_it_answers_409_naming_both_states(client, alice, carol):
    referral = referral_in(R.REJECTED, sender=alice, receiver=carol)
    response = post(client, f"{REFERRALS}/{referral.pk}/accept", bearer(carol))
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert str(R.REJECTED.label) in detail
    assert str(R.ACCEPTED.label) in detail


def test_it_refuses_a_service_the_sop_does_not_offer(client, alice):
    from sinergi.sop.models import SopRoute

    case = open_case_for(alice)
    SopRoute.objects.get(category__code="kekerasan-fisik-psikis").services.remove(service_of())
    payload = {"case_id": case.pk, "service_id": service_of().pk, "reason": "Konseling."}
    response = post(client, REFERRALS, bearer(alice), payload)
    assert (response.status_code, set(response.json()["errors"])) == (422, {"service"})
    response = post(client, REFERRALS, bearer(alice), payload | {"reason": "", "service_id": 999999})
    assert (response.status_code, set(response.json()["errors"])) == (422, {"service", "reason"})


def test_it_answers_404_for_a_case_that_is_not_yours(client, alice, dave):
    case = open_case_for(alice)
    assert client.get(f"{REFERRALS}/services", {"case_id": case.pk}, headers=bearer(dave)).status_code == 404
    payload = {"case_id": case.pk, "service_id": service_of().pk, "reason": "Konseling."}
    assert post(client, REFERRALS, bearer(dave), payload).status_code == 404


def test_it_does_not_share_contacts_of_a_trafficking_case(client, alice, carol):
    person = person_for(alice, phones=["0812-4455-6677"], address_text="Jl. Trans Sulawesi")
    case = open_case_for(alice, person=person, categories=("tppo",))
    referral = sent_referral(alice, case)
    shared = client.get(f"{REFERRALS}/{referral.pk}", headers=bearer(carol)).json()["shared"]
    assert shared["sections"] == ["ASESMEN", "IDENTITAS", "PENGADUAN"]
    assert (shared["contact"], shared["family"]) == (None, None)
    record = client.get(f"{API}/persons/{person.pk}", headers=bearer(carol)).json()
    assert (record["phones"], record["address_text"], record["family"]) == ([], "", [])
    assert "4455" not in str(record)


# --- scopes --------------------------------------------------------------------------------------------------


def test_it_enforces_token_scopes(client, alice, carol):
    referral = sent_referral(alice)
    cases_only = bearer(alice, "cases:read", "cases:write")
    response = client.get(REFERRALS, headers=cases_only)
    assert (response.status_code, "referrals:read" in response.json()["detail"]) == (403, True)
    assert client.get(f"{REFERRALS}/{referral.pk}", headers=cases_only).status_code == 403
    read_only = bearer(carol, "referrals:read")
    assert client.get(f"{REFERRALS}/{referral.pk}", headers=read_only).status_code == 200
    response = post(client, f"{REFERRALS}/{referral.pk}/accept", read_only)
    assert (response.status_code, "referrals:write" in response.json()["detail"]) == (403, True)
    assert Referral.objects.get(pk=referral.pk).status == R.SENT


# --- list ----------------------------------------------------------------------------------------------------


def test_it_sorts_referrals_into_boxes(client, alice, carol, erin, clock):
    clock.set(wita(2026, 3, 17, 10, 0))
    draft = draft_referral(alice)
    sent = sent_referral(alice)
    accepted = referral_in(R.ACCEPTED, sender=alice, receiver=erin)
    done = referral_in(R.COMPLETED, sender=alice, receiver=carol)

    def ids(user, **params: object) -> list[int]:
        response = client.get(REFERRALS, params, headers=bearer(user))
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["items"]]

    assert ids(alice, box="outgoing") == [done.pk, accepted.pk, sent.pk, draft.pk]
    assert ids(alice, box="incoming") == []
    assert ids(carol, box="incoming") == [done.pk, accepted.pk, sent.pk]  # never the draft
    assert ids(carol, box="mine") == [done.pk]
    assert ids(erin, box="mine") == [accepted.pk]
    assert ids(carol, status="open") == [accepted.pk, sent.pk]
    assert ids(carol, status="DITERIMA") == [accepted.pk]
    assert ids(carol, box="overdue") == []
    clock.set(wita(2026, 3, 25, 10, 0))  # the sent one's decide deadline has passed
    assert ids(carol, box="overdue") == [sent.pk]
    assert ids(alice, box="overdue") == [sent.pk]
    response = client.get(REFERRALS, {"box": "semua", "status": "?"}, headers=bearer(alice))
    assert (response.status_code, set(response.json()["errors"])) == (422, {"box", "status"})


def test_it_pages_through_referrals(client, alice):
    case = open_case_for(alice)
    made = [draft_referral(alice, case) for _ in range(5)]
    seen, before = [], None
    while True:
        params = {"limit": 2} | ({"before": before} if before else {})
        body = client.get(REFERRALS, params, headers=bearer(alice)).json()
        seen += [row["id"] for row in body["items"]]
        before = body["next_before"]
        if before is None:
            break
    assert seen == [referral.pk for referral in reversed(made)]


def test_it_lists_referrals_with_a_fixed_number_of_queries(client, alice, carol, django_assert_max_num_queries):
    sent_referral(alice)
    headers = bearer(carol)
    client.get(REFERRALS, headers=headers)
    with django_assert_max_num_queries(3):  # token, roles, referrals
        few = client.get(REFERRALS, headers=headers)
    for _ in range(10):
        referral_in(R.ACCEPTED, sender=alice, receiver=carol)
    with django_assert_max_num_queries(3):
        many = client.get(REFERRALS, headers=headers)
    assert (len(few.json()["items"]), len(many.json()["items"])) == (1, 11)


def test_it_shows_deadlines_with_time_left(client, alice, carol, clock):
    clock.set(wita(2026, 3, 17, 10, 0))
    referral = sent_referral(alice)
    clock.set(wita(2026, 3, 18, 10, 30))
    body = client.get(f"{REFERRALS}/{referral.pk}", headers=bearer(carol)).json()
    ack, decide = steps(body)[SlaStep.ACKNOWLEDGE], steps(body)[SlaStep.DECIDE]
    assert datetime.fromisoformat(ack["due_at"]) == wita(2026, 3, 18, 10, 0)
    assert (ack["overdue"], decide["overdue"]) == (True, False)


# --- OpenAPI -------------------------------------------------------------------------------------------------


def test_it_documents_every_referral_endpoint(client, alice):
    schema = client.get(f"{API}/openapi.json", headers=bearer(alice)).json()
    expected = {
        ("get", "/api/v1/referrals"),
        ("post", "/api/v1/referrals"),
        ("get", "/api/v1/referrals/services"),
        ("get", "/api/v1/referrals/{referral_id}"),
        *(
            ("post", f"/api/v1/referrals/{{referral_id}}/{action}")
            for action in (
                "send",
                "acknowledge",
                "accept",
                "reject",
                "services",
                "assessments",
                "complete",
                "fail",
                "revoke",
            )
        ),
    }
    for method, path in expected:
        operation = schema["paths"][path][method]
        assert operation["tags"] == ["referrals"], path
        assert operation["summary"], path
        assert {"200", "201"} & set(operation["responses"]), path
    accept = schema["paths"]["/api/v1/referrals/{referral_id}/accept"]["post"]
    assert {"403", "404", "409"} <= set(accept["responses"])
    assert "ReferralOut" in schema["components"]["schemas"]
