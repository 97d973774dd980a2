"""The referral pages: inbox, detail with shared sections and actions, consent gate, follow-on.

Personas: alice (BP3MI petugas, sender), bob (BP3MI auditor), carol (Sentra pekerja sosial, receiver),
dave (Dinsos petugas, never involved), plus supervisors made here.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.audit.models import AuditEvent
from sinergi.cases import services as case_services
from sinergi.cases.models import Case
from sinergi.demo.sop_seeding import seed_sop
from sinergi.directory.models import Service
from sinergi.referrals import inbox, services
from sinergi.referrals.models import Deadline, Referral, ReferralStatus
from sinergi.registry import services as registry_services
from sinergi.testing.factories import UserFactory, make_person

SITI_NIK = "7271055210900001"


# --- helpers shared with test_letter and test_kpis ------------------------------------------------------------


def open_case(actor: User, *, category: str = "kekerasan-fisik-psikis", **person: Any) -> Case:
    """A BP3MI case of Siti Aminah with identity, contact, family and a note only BP3MI should read."""
    values: dict[str, Any] = {
        "full_name": "Siti Aminah",
        "sex": "P",
        "birth_date": date(1990, 10, 12),
        "nik": SITI_NIK,
        "region_code": "72.71.05",
        "phones": ["0812-4455-6677"],
        "address_text": "Jl. Trans Sulawesi, RT 02",
    }
    values.update(person)
    siti = make_person(actor, **values)
    registry_services.add_family_link(
        actor=actor, person_id=siti.pk, relationship="PASANGAN", name="Ahmad Yani", phone="", is_next_of_kin=True
    )
    case = case_services.open_case(
        actor=actor,
        data=case_services.CaseData(
            person_id=siti.pk,
            channel="DATANG",
            complainant_type="PMI",
            phase="SETELAH",
            category_codes=[category],
            destination_country="MY",
            narrative="Dipukul majikan di Johor, gaji enam bulan tidak dibayar.",
            flag_trafficking=category == "tppo",
        ),
    )
    case_services.add_note(actor=actor, case_id=case.pk, text="Catatan internal BP3MI saja")
    return case


def give_consent(actor: User, case: Case) -> None:
    case_services.record_consent(
        actor=actor,
        case_id=case.pk,
        data=case_services.ConsentData(
            scope="RUJUKAN", given_by="SENDIRI", giver_name="Siti Aminah", method="TERTULIS"
        ),
    )


def draft(actor: User, case: Case, service: str = "atensi-a3") -> Referral:
    target = Service.objects.get(code=service, agency__code="sentra-nipotowe")
    return services.create_referral(
        actor=actor, case_id=case.pk, service_id=target.pk, reason="Butuh dukungan psikososial dan keluarga."
    )


def sent(actor: User, case: Case, service: str = "atensi-a3") -> Referral:
    give_consent(actor, case)
    referral = draft(actor, case, service)
    return services.send_referral(actor=actor, referral_id=referral.pk)


def detail_url(referral: Referral) -> str:
    return f"/rujukan/{referral.pk}/"


def act_url(referral: Referral, action: str) -> str:
    return f"/rujukan/{referral.pk}/{action}/"


def main_part(response: Any) -> str:
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


def message_text(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"])


# --- fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sop(bp3mi: Agency, sentra: Agency, dinsos: Agency) -> None:
    seed_sop()


@pytest.fixture
def case(sop: None, alice: User) -> Case:
    return open_case(alice)


@pytest.fixture
def referral(case: Case, alice: User) -> Referral:
    return sent(alice, case)


@pytest.fixture
def bp3mi_head(bp3mi: Agency) -> User:
    return UserFactory(username="kepala.bp3mi", first_name="Kepala BP3MI", agency=bp3mi, roles=[Role.SUPERVISOR])


@pytest.fixture
def carol2(sentra: Agency) -> User:
    return UserFactory(username="carol2", first_name="Citra", agency=sentra, roles=[Role.PEKERJA_SOSIAL])


# --- inbox ----------------------------------------------------------------------------------------------------


def test_it_shows_the_receiver_an_incoming_referral_awaiting_action(client, carol, referral):
    client.force_login(carol)
    response = client.get("/rujukan/")
    page = main_part(response)
    assert response.context["tab"] == "menunggu"
    assert referral.case.number in page
    assert "Siti Aminah" in page  # the SOP route shares the identity while the referral is open
    assert "BP3MI Sulawesi Tengah → Sentra Nipotowe Palu" in page
    assert "Dukungan keluarga (ATENSI A3)" in page
    assert "WITA" in page


def test_it_hides_the_person_name_when_the_route_does_not_share_the_identity(client, alice, carol, case):
    give_consent(alice, case)
    referral = draft(alice, case)
    referral.sop_route.shared_sections = ["PENGADUAN"]
    referral.sop_route.save()
    services.send_referral(actor=alice, referral_id=referral.pk)
    client.force_login(carol)
    page = main_part(client.get("/rujukan/?tab=menunggu"))
    assert referral.case.number in page
    assert "Siti Aminah" not in page


def test_it_lists_overdue_referrals_for_both_agencies(client, alice, carol, referral):
    Deadline.objects.filter(referral=referral, step="ACK").update(due_at=timezone.now() - timedelta(hours=5))
    for user in (alice, carol):
        client.force_login(user)
        response = client.get("/rujukan/?tab=terlambat")
        rows = response.context["rows"]
        assert [row.referral.pk for row in rows] == [referral.pk]
        assert rows[0].overdue
        assert re.search(r"5\s(jam|hours)", main_part(response))  # time late, in the page's language


def test_it_lists_mine_and_sent(client, alice, carol, referral, case):
    other = draft(alice, case, "atensi-a4")  # a draft: mine, not sent
    client.force_login(alice)
    mine = [row.referral.pk for row in client.get("/rujukan/?tab=milik-saya").context["rows"]]
    sent_ = [row.referral.pk for row in client.get("/rujukan/?tab=terkirim").context["rows"]]
    assert sorted(mine) == sorted([referral.pk, other.pk])
    assert sent_ == [referral.pk]
    services.accept_referral(actor=carol, referral_id=referral.pk)
    client.force_login(carol)
    assert [row.referral.pk for row in client.get("/rujukan/?tab=milik-saya").context["rows"]] == [referral.pk]


def test_it_shows_an_uninvolved_agency_an_empty_inbox(client, dave, referral):
    client.force_login(dave)
    response = client.get("/rujukan/")
    assert all(count == 0 for _key, _label, count in response.context["tabs"])
    assert referral.case.number not in main_part(response)


def test_it_keeps_the_inbox_query_count_flat(client, alice, carol, sop):
    def count_queries() -> int:
        client.force_login(carol)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/rujukan/?tab=menunggu")
        assert response.status_code == 200
        return len(queries)

    sent(alice, open_case(alice, nik="", full_name="Satu"))
    one = count_queries()
    for name in ("Dua", "Tiga", "Empat"):
        sent(alice, open_case(alice, nik="", full_name=name))
    assert count_queries() == one


def test_it_counts_a_tab_exactly_up_to_the_cap_and_says_more_beyond_it(client, alice, carol, sop, monkeypatch):
    monkeypatch.setattr(inbox, "COUNT_CAP", 2)
    for name in ("Satu", "Dua"):
        sent(alice, open_case(alice, nik="", full_name=name))
    client.force_login(carol)
    response = client.get("/rujukan/?tab=menunggu")
    assert {key: count for key, _label, count in response.context["tabs"]}["menunggu"] == 2
    assert re.search(r'class="badge">2</span>', main_part(response))
    sent(alice, open_case(alice, nik="", full_name="Tiga"))
    response = client.get("/rujukan/?tab=menunggu")
    assert {key: count for key, _label, count in response.context["tabs"]}["menunggu"] == 3  # more than the cap
    assert re.search(r'class="badge">2\+</span>', main_part(response))
    assert len(response.context["rows"]) == 3  # the list itself is not cut by the cap
    assert client.get("/").context["work"].inbox["menunggu"] == 3
    assert "2+" in client.get("/").content.decode()


def test_it_shows_a_capped_count_with_the_language_s_grouping() -> None:
    from django.utils import translation

    from sinergi.referrals.templatetags.inbox_counts import capped_count

    with translation.override("id"):
        assert (capped_count(999), capped_count(1000), capped_count(1001)) == ("999", "1.000", "1.000+")
    with translation.override("en"):
        assert capped_count(1001) == "1,000+"


# --- detail: what each side sees ------------------------------------------------------------------------------


def test_it_shows_the_receiver_the_shared_sections_while_open(client, carol, referral):
    client.force_login(carol)
    page = main_part(client.get(detail_url(referral)))
    for shared in ("Siti Aminah", SITI_NIK, "+6281244556677", "Ahmad Yani", "Dipukul majikan di Johor"):
        assert shared in page
    assert "Catatan internal BP3MI saja" not in page  # CATATAN is not a section the route shares


def test_it_shows_the_owner_everything(client, alice, referral):
    client.force_login(alice)
    page = main_part(client.get(detail_url(referral)))
    assert SITI_NIK in page
    assert "Catatan internal BP3MI saja" in page


def test_it_hides_the_case_from_the_receiver_after_close_but_keeps_its_records(client, carol, referral):
    services.accept_referral(actor=carol, referral_id=referral.pk)
    services.log_service(
        actor=carol, referral_id=referral.pk, delivered_on=timezone.localdate(), description="Konseling keluarga"
    )
    services.add_referral_assessment(
        actor=carol, referral_id=referral.pk, data=case_services.AssessmentData(summary="Trauma ringan")
    )
    services.complete_referral(actor=carol, referral_id=referral.pk, outcome="Pulih", feedback="Terima kasih")
    client.force_login(carol)
    page = main_part(client.get(detail_url(referral)))
    for hidden in ("Siti Aminah", SITI_NIK, "+6281244556677", "Ahmad Yani", "Dipukul majikan"):
        assert hidden not in page
    assert 'id="not-shared"' in page
    assert "Konseling keluarga" in page
    assert "Trauma ringan" in page


def test_it_links_shared_attachments_for_the_receiver_while_open(client, alice, carol, case, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    attachment = case_services.add_attachment(
        actor=alice, case_id=case.pk, kind="PERJANJIAN", upload=SimpleUploadedFile("kontrak.pdf", b"%PDF-1.4 kontrak")
    )
    give_consent(alice, case)
    referral = draft(alice, case)
    referral.sop_route.shared_sections = ["IDENTITAS", "LAMPIRAN"]
    referral.sop_route.save()
    services.send_referral(actor=alice, referral_id=referral.pk)
    download = f"/kasus/{case.pk}/lampiran/{attachment.pk}/"
    client.force_login(carol)
    assert f'href="{download}"' in main_part(client.get(detail_url(referral)))
    response = client.get(download)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 kontrak"  # consuming it closes the file
    assert response.status_code == 200
    services.reject_referral(actor=carol, referral_id=referral.pk, reason="Bukan layanan kami")
    assert "kontrak.pdf" not in main_part(client.get(detail_url(referral)))
    assert client.get(download).status_code == 404


def test_it_answers_404_to_an_uninvolved_agency(client, dave, referral):
    client.force_login(dave)
    assert client.get(detail_url(referral)).status_code == 404
    assert client.get(f"/rujukan/{referral.pk}/surat.pdf").status_code == 404
    assert client.post(act_url(referral, "accept")).status_code == 404
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT


def test_it_hides_a_draft_from_the_receiver(client, alice, carol, case):
    referral = draft(alice, case)
    client.force_login(carol)
    assert client.get(detail_url(referral)).status_code == 404


def test_it_shows_only_the_buttons_the_user_may_use(client, alice, bob, carol, referral):
    client.force_login(carol)
    assert client.get(detail_url(referral)).context["actions"] == {"acknowledge", "accept", "reject"}
    client.force_login(alice)
    assert client.get(detail_url(referral)).context["actions"] == {"revoke", "follow-on"}
    client.force_login(bob)  # auditor: reads, never acts
    response = client.get(detail_url(referral))
    assert response.context["actions"] == set()
    assert 'id="actions"' not in main_part(response)


def test_it_shows_the_event_history_with_who(client, alice, referral):
    client.force_login(alice)
    events = client.get(detail_url(referral)).context["events"]
    assert [(e.to_status, e.by) for e in events] == [(ReferralStatus.DRAFT, alice), (ReferralStatus.SENT, alice)]


# --- actions --------------------------------------------------------------------------------------------------


def test_it_walks_the_loop_through_the_buttons(client, alice, carol, referral):
    client.force_login(carol)
    response = client.post(act_url(referral, "acknowledge"))
    assert (response.status_code, response["Location"]) == (302, detail_url(referral))
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ACKNOWLEDGED
    client.post(act_url(referral, "accept"))
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.ACCEPTED
    client.post(
        act_url(referral, "service"), {"delivered_on": timezone.localdate().isoformat(), "description": "Home visit"}
    )
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.IN_SERVICE
    client.post(act_url(referral, "assess"), {"summary": "Butuh konseling", "risk": "SEDANG"})
    response = client.post(
        act_url(referral, "complete"), {"outcome": "Selesai konseling", "feedback": "Baik"}, follow=True
    )
    done = Referral.objects.get(pk=referral.pk)
    assert (done.status, done.outcome, done.feedback) == (ReferralStatus.COMPLETED, "Selesai konseling", "Baik")
    assert done.service_records.get().description == "Home visit"
    assert done.assessments.get().summary == "Butuh konseling"
    assert "BP3MI Sulawesi Tengah" in message_text(response)


def test_it_rejects_with_a_reason_and_refuses_without_one(client, carol, referral):
    client.force_login(carol)
    response = client.post(act_url(referral, "reject"), {"reason": "  "})
    assert response.status_code == 400
    assert response.context["open_form"] == "reject"
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT
    client.post(act_url(referral, "reject"), {"reason": "Di luar wilayah layanan"})
    rejected = Referral.objects.get(pk=referral.pk)
    assert (rejected.status, rejected.status_reason) == (ReferralStatus.REJECTED, "Di luar wilayah layanan")


def test_it_shows_a_refusal_and_changes_nothing(client, alice, referral):
    client.force_login(alice)  # the sender may not accept its own referral
    response = client.post(act_url(referral, "accept"), follow=True)
    assert response.status_code == 200
    assert "Sent" in message_text(response) or "Dikirim" in message_text(response)
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.SENT


def test_it_tells_the_second_acceptor_who_accepted_first(client, carol, carol2, referral):
    services.accept_referral(actor=carol, referral_id=referral.pk)
    client.force_login(carol2)
    response = client.post(act_url(referral, "accept"), follow=True)
    assert carol.display_name in message_text(response)
    assert Referral.objects.get(pk=referral.pk).decided_by == carol


def test_it_lets_the_sender_revoke(client, alice, referral):
    client.force_login(alice)
    client.post(act_url(referral, "revoke"), {"reason": "Sudah ditangani keluarga"})
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.REVOKED


def test_it_refuses_an_unknown_action(client, alice, referral):
    client.force_login(alice)
    assert client.post(act_url(referral, "teleport")).status_code == 404


# --- consent gate ---------------------------------------------------------------------------------------------


def test_it_shows_the_consent_gate_with_a_link_to_record_consent(client, alice, case):
    referral = draft(alice, case)
    client.force_login(alice)
    response = client.get(detail_url(referral))
    gate = response.context["consent_gate"]
    assert gate["case_url"] == f"/kasus/{case.pk}/#consents"
    assert not gate["can_override"]
    page = main_part(response)
    assert 'id="consent-gate"' in page
    assert 'name="basis"' not in page
    response = client.post(act_url(referral, "send"), follow=True)
    assert "consent" in message_text(response).lower() or "persetujuan" in message_text(response).lower()
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DRAFT


def test_it_lets_a_supervisor_send_without_consent_on_a_lawful_basis(client, alice, bp3mi_head, case):
    referral = draft(alice, case)
    client.force_login(bp3mi_head)
    assert 'name="basis"' in main_part(client.get(detail_url(referral)))
    response = client.post(act_url(referral, "send"), {"basis": "KEPENTINGAN_VITAL", "override_reason": " "})
    assert response.status_code == 400
    assert Referral.objects.get(pk=referral.pk).status == ReferralStatus.DRAFT
    client.post(act_url(referral, "send"), {"basis": "KEPENTINGAN_VITAL", "override_reason": "Korban dalam bahaya"})
    sent_ = Referral.objects.get(pk=referral.pk)
    assert (sent_.status, sent_.override_basis, sent_.override_by) == (
        ReferralStatus.SENT,
        "KEPENTINGAN_VITAL",
        bp3mi_head,
    )
    assert AuditEvent.objects.filter(action="referral.consent_overridden", object_id=str(referral.pk)).exists()


def test_it_sends_a_draft_once_consent_is_recorded(client, alice, carol, case):
    referral = draft(alice, case)
    give_consent(alice, case)
    client.force_login(alice)
    assert client.get(detail_url(referral)).context["consent_gate"] is None
    client.post(act_url(referral, "send"))
    sent_ = Referral.objects.get(pk=referral.pk)
    assert sent_.status == ReferralStatus.SENT
    assert re.fullmatch(r"\d{3}/RUJ/BP3MI-SULTENG/[IVX]+/\d{4}", sent_.letter_number)


# --- follow-on ------------------------------------------------------------------------------------------------


def test_it_drafts_a_follow_on_referral_from_the_case_agency(client, alice, carol, referral):
    a4 = Service.objects.get(code="atensi-a4", agency__code="sentra-nipotowe")
    client.force_login(alice)
    response = client.post(act_url(referral, "follow-on"), {"service": a4.pk, "reason": "Terapi lanjutan"})
    follow_on = Referral.objects.get(parent=referral)
    assert (response.status_code, response["Location"]) == (302, detail_url(follow_on))
    assert (follow_on.status, follow_on.service) == (ReferralStatus.DRAFT, a4)
    client.force_login(carol)  # the receiver may not refer the case onward
    assert "follow-on" not in client.get(detail_url(referral)).context["actions"]
    client.post(act_url(referral, "follow-on"), {"service": a4.pk, "reason": "x"})
    assert Referral.objects.filter(parent=referral).count() == 1


def test_it_refuses_a_follow_on_to_a_service_the_sop_does_not_offer(client, alice, referral):
    own = Service.objects.get(code="mediasi", agency__code="bp3mi-sulteng")
    client.force_login(alice)
    response = client.post(act_url(referral, "follow-on"), {"service": own.pk, "reason": "x"})
    assert response.status_code == 400
    assert not Referral.objects.filter(parent=referral).exists()


def test_it_logs_another_agency_reading_the_shared_identity(client, alice, carol, sop):
    from sinergi.audit.models import AuditEvent
    from sinergi.testing.referral_fixtures import sent_referral

    referral = sent_referral(alice)
    client.force_login(carol)
    assert client.get(f"/rujukan/{referral.pk}/").status_code == 200
    viewed = AuditEvent.objects.filter(action="person.viewed", actor=carol, object_id=str(referral.case.person_id))
    assert viewed.count() == 1
