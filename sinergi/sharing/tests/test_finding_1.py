"""Finding 1 (critical): a receiver turned a share into a permanent full copy and passed it on.

The story from issue 9, step by step, through the API as the reviewer did it: BP3MI refers a TPPO case to Sentra
(the route shares identity, complaint and assessments); Sentra must not open its own case on BP3MI's person,
must not share more than it was shown, must lose everything when BP3MI revokes, and may keep its own record
only through the audited take-in, which copies what the referral shares and nothing else.
"""

from __future__ import annotations

import pytest

from sinergi.accounts.tokens import create_token
from sinergi.audit.models import AuditEvent
from sinergi.cases.models import Case
from sinergi.referrals import services as referral_services
from sinergi.referrals.models import Referral, ReferralStatus
from sinergi.registry import services as registry_services
from sinergi.registry.models import Person
from sinergi.sharing import rules
from sinergi.sharing.models import PersonTakeIn, TakeInBasis
from sinergi.sharing.services import take_into_registry
from sinergi.testing.referral_fixtures import consent_for, open_case_for, person_for, sent_referral, service_of

pytestmark = pytest.mark.usefixtures("sop")

API = "/api/v1"
SCOPES = ["cases:read", "cases:write", "referrals:read", "referrals:write", "persons:read", "persons:write"]


def bearer(user) -> dict[str, str]:
    _, secret = create_token(actor=None, user=user, name="skrip", scopes=SCOPES)
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def tppo(alice) -> Referral:
    """BP3MI's person with phones, address, family, sent to Sentra on the TPPO route."""
    person = person_for(alice, full_name="Wulan Sari", nik="7271055210900003", sex="P", address_text="Jl. Kenanga 3")
    registry_services.add_phone(actor=alice, person_id=person.pk, number="0812-4455-6677")
    registry_services.add_family_link(
        actor=alice, person_id=person.pk, relationship="PASANGAN", name="Rahmat", phone="0813-1111-2222"
    )
    registry_services.add_identifier(actor=alice, person_id=person.pk, kind="PASPOR", value="C1234567")
    case = open_case_for(alice, person=person, categories=("tppo",))
    referral = sent_referral(alice, case)
    assert sorted(referral.shared_sections) == ["ASESMEN", "IDENTITAS", "PENGADUAN"]
    return referral


def test_it_refuses_a_case_on_a_person_shared_by_a_referral(client, tppo, carol):
    response = client.post(
        f"{API}/cases",
        {
            "person_id": tppo.case.person_id,
            "channel": "DATANG",
            "complainant_type": "PMI",
            "phase": "SETELAH",
            "category_codes": ["tppo"],
        },
        content_type="application/json",
        headers=bearer(carol),
    )
    assert response.status_code == 422, response.content
    assert "person_id" in response.json()["errors"]
    assert not Case.objects.filter(agency=carol.agency).exists()


def test_it_shares_the_referral_sections_only_even_with_a_case_of_the_receiver(tppo, carol, dave, sari):
    # A case the receiver holds on the sender's person (made before this rule, or by hand) widens nothing.
    legacy = Case.objects.create(
        agency=carol.agency,
        number="SENTRA/2026/9999",
        channel="DATANG",
        complainant_type="PMI",
        person=tppo.case.person,
        phase="SETELAH",
        created_by=carol,
    )
    assert rules.case_sections_for(carol, legacy) & rules.PERSON_SECTIONS == {"IDENTITAS"}
    # A referral from that case to Dinas Sosial carries none of BP3MI's person, whatever the route says.
    onward = Referral.objects.create(
        case=legacy,
        from_agency=carol.agency,
        to_agency=dave.agency,
        service=tppo.service,
        reason="Lanjutan",
        status=ReferralStatus.SENT,
        shared_sections=["IDENTITAS", "KONTAK", "KELUARGA", "MIGRASI", "PENGADUAN"],
        created_by=carol,
    )
    assert rules.granted_by(onward) == {"PENGADUAN"}
    assert rules.referral_sections_for(dave, onward) == {"PENGADUAN"}
    assert rules.person_sections_for(dave, tppo.case.person) == frozenset()
    assert not rules.persons_visible_to(dave).filter(pk=tppo.case.person_id).exists()
    # Revoking BP3MI's referral ends what Sentra reads of the person on its own case too.
    referral_services.revoke_referral(actor=tppo.created_by, referral_id=tppo.pk, reason="Salah sasaran.")
    legacy.refresh_from_db()
    assert rules.case_sections_for(carol, legacy) & rules.PERSON_SECTIONS == frozenset()


def test_it_answers_404_everywhere_after_revocation(client, tppo, alice, carol):
    person_id = tppo.case.person_id
    headers = bearer(carol)
    assert client.get(f"{API}/persons/{person_id}", headers=headers).status_code == 200
    referral_services.revoke_referral(actor=alice, referral_id=tppo.pk, reason="Salah sasaran.")
    assert client.get(f"{API}/persons/{person_id}", headers=headers).status_code == 404
    body = client.get(f"{API}/referrals/{tppo.pk}", headers=headers).json()
    assert body["shared"]["identity"] is None
    assert body["shared"]["sections"] == []
    changes = client.get(f"{API}/changes?since=0", headers=headers).json()["changes"]
    assert all(change["person_id"] != person_id for change in changes)


def test_it_shows_the_receiver_the_route_sections_only_in_the_api(client, tppo, carol):
    body = client.get(f"{API}/referrals/{tppo.pk}", headers=bearer(carol)).json()
    shared = body["shared"]
    assert shared["identity"]["nik"] == "7271055210900003"
    assert shared["contact"] is None and shared["family"] is None and shared["migration"] is None
    person = client.get(f"{API}/persons/{tppo.case.person_id}", headers=bearer(carol)).json()
    text = str(person)
    assert "0812" not in text and "+62812" not in text and "Kenanga" not in text and "Rahmat" not in text
    assert "C1234567" not in text  # identifiers are not in the identity section


def test_it_takes_the_person_in_with_the_shared_sections_only(tppo, carol, dave):
    source = tppo.case.person
    own = take_into_registry(
        actor=carol, referral_id=tppo.pk, basis=TakeInBasis.CONSENT, basis_note="Formulir persetujuan no. 12/2026"
    )
    assert own.registered_by_agency_id == carol.agency_id
    assert (own.full_name, own.nik, own.sex) == (source.full_name, source.nik, source.sex)
    assert own.address_text == "" and not own.phones.exists() and not own.family.exists()
    assert not own.identifiers.exists()
    link = PersonTakeIn.objects.get(person=own)
    assert (link.source_person_id, link.referral_id, link.sections) == (source.pk, tppo.pk, ["IDENTITAS"])
    assert AuditEvent.objects.filter(action="person.taken_in", object_id=str(own.pk), actor=carol).exists()

    # Sentra's own record: it may open a case and refer onward; Dinas Sosial sees Sentra's data only.
    case = open_case_for(carol, person=own)
    consent_for(carol, case)
    onward = referral_services.create_referral(
        actor=carol, case_id=case.pk, service_id=service_of("dinsos-palu", _dinsos_service()).pk, reason="Lanjut"
    )
    onward = referral_services.send_referral(actor=carol, referral_id=onward.pk)
    assert rules.persons_visible_to(dave).filter(pk=own.pk).exists()
    assert not rules.persons_visible_to(dave).filter(pk=source.pk).exists()
    assert not own.phones.exists()  # nothing of BP3MI's contacts reached the copy


def test_it_refuses_a_take_in_without_a_basis_or_after_the_referral_closed(tppo, alice, carol):
    from sinergi.registry.services import InvalidData

    with pytest.raises(InvalidData):
        take_into_registry(actor=carol, referral_id=tppo.pk, basis="", basis_note="")
    referral_services.revoke_referral(actor=alice, referral_id=tppo.pk, reason="Salah sasaran.")
    with pytest.raises(InvalidData):
        take_into_registry(actor=carol, referral_id=tppo.pk, basis=TakeInBasis.CONSENT, basis_note="Form 12")
    assert not Person.objects.filter(registered_by_agency=carol.agency).exists()


def test_it_logs_the_receivers_api_read_of_the_referral(client, tppo, carol):
    before = AuditEvent.objects.filter(action="person.viewed", actor=carol).count()
    assert client.get(f"{API}/referrals/{tppo.pk}", headers=bearer(carol)).status_code == 200
    event = AuditEvent.objects.filter(action="person.viewed", actor=carol).order_by("-id").first()
    assert AuditEvent.objects.filter(action="person.viewed", actor=carol).count() == before + 1
    assert event is not None and event.object_id == str(tppo.case.person_id)


def _dinsos_service() -> str:
    from sinergi.directory.models import Service

    return Service.objects.filter(agency__code="dinsos-palu").values_list("code", flat=True).first() or ""


def test_it_takes_the_person_in_through_the_api_and_the_page(client, tppo, carol):
    url = f"{API}/sharing/referrals/{tppo.pk}/take-in"
    payload = {"basis": TakeInBasis.CONSENT, "basis_note": "Formulir persetujuan no. 12/2026"}
    response = client.post(url, payload, content_type="application/json", headers=bearer(carol))
    assert response.status_code == 201, response.content
    assert response.json()["sections"] == ["IDENTITAS"]
    again = client.post(url, payload, content_type="application/json", headers=bearer(carol))
    assert again.status_code == 409
    client.force_login(carol)
    page = client.get(f"/berbagi/rujukan/{tppo.pk}/ambil/")
    assert page.status_code == 200 and page.context["existing"] is not None


def test_it_offers_the_take_in_on_the_referral_page_to_the_receiver_only(client, tppo, alice, carol):
    client.force_login(carol)
    assert f"/berbagi/rujukan/{tppo.pk}/ambil/" in client.get(f"/rujukan/{tppo.pk}/").content.decode()
    client.force_login(alice)
    assert f"/berbagi/rujukan/{tppo.pk}/ambil/" not in client.get(f"/rujukan/{tppo.pk}/").content.decode()
    assert client.get(f"/berbagi/rujukan/{tppo.pk}/ambil/").status_code == 403
