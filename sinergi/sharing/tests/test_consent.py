"""Consent per purpose at every share (issue 13, point 1): withdrawal or expiry stops what the consent carried at
once, says what it cannot undo, and tells the agency that lost access; a new consent resumes open shares; a
share on a recorded lawful basis goes on; each purpose is its own consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from sinergi.accounts.tokens import create_token
from sinergi.assistance import services as assistance_services
from sinergi.assistance.tests.conftest import assessed_case, propose
from sinergi.audit.models import AuditEvent
from sinergi.cases import services as case_services
from sinergi.cases.models import Consent, ConsentDecision, ConsentScope
from sinergi.notifications.models import Notification, NotificationKind
from sinergi.referrals import services as referral_services
from sinergi.referrals.models import LawfulBasis, Referral
from sinergi.registry.services import InvalidData
from sinergi.sharing import rules
from sinergi.sharing.models import TakeInBasis
from sinergi.sharing.services import take_into_registry
from sinergi.testing.referral_fixtures import consent_for, draft_referral, open_case_for, person_for, sent_referral

pytestmark = pytest.mark.usefixtures("sop")

API = "/api/v1"


def bearer(user, scopes=("cases:read", "cases:write", "referrals:read", "persons:read")) -> dict[str, str]:
    _, secret = create_token(actor=None, user=user, name="skrip", scopes=list(scopes))
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def shared(alice, carol) -> Referral:
    """BP3MI's person, referred to Sentra under her consent to referral, accepted."""
    person = person_for(alice, full_name="Wulan Sari", nik="7271055210900003", sex="P")
    case = open_case_for(alice, person=person, categories=("tppo",))
    referral = sent_referral(alice, case)
    referral_services.accept_referral(actor=carol, referral_id=referral.pk)
    return Referral.objects.get(pk=referral.pk)


def _referral_consent(referral: Referral) -> Consent:
    return Consent.objects.get(case=referral.case, scope=ConsentScope.REFERRAL)


def test_withdrawal_stops_an_open_referral_at_once_and_tells_the_receiver(client, alice, carol, shared):
    person_id = shared.case.person_id
    assert person_id in rules.persons_visible_to(carol).values_list("pk", flat=True)
    assert rules.granted_by(shared)

    effects = case_services.withdraw_consent(
        actor=alice, case_id=shared.case_id, consent_id=_referral_consent(shared).pk, note="Telepon ke petugas"
    )

    shared.refresh_from_db()
    assert rules.granted_by(shared) == frozenset()
    assert person_id not in rules.persons_visible_to(carol).values_list("pk", flat=True)
    assert client.get(f"{API}/persons/{person_id}", headers=bearer(carol)).status_code == 404
    body = client.get(f"{API}/referrals/{shared.pk}", headers=bearer(carol)).json()
    assert body["shared"]["identity"] is None
    assert any("Sentra" in line for line in effects.stopped)
    assert any("Sentra" in line for line in effects.cannot_undo)  # it has seen what was shared
    assert Notification.objects.filter(recipient=carol, kind=NotificationKind.CONSENT_WITHDRAWN).count() == 1
    event = AuditEvent.objects.get(action="case.consent_withdrawn")
    assert event.detail["scope"] == ConsentScope.REFERRAL and event.detail["stopped"] == effects.stopped
    # The sender still sees everything of its own case.
    assert rules.case_sections_for(alice, shared.case) >= rules.PERSON_SECTIONS


def test_withdrawing_twice_changes_nothing_and_a_refusal_cannot_be_withdrawn(alice, carol, shared):
    consent = _referral_consent(shared)
    case_services.withdraw_consent(actor=alice, case_id=shared.case_id, consent_id=consent.pk)
    first = Consent.objects.get(pk=consent.pk).withdrawn_at
    case_services.withdraw_consent(actor=alice, case_id=shared.case_id, consent_id=consent.pk)
    assert Consent.objects.get(pk=consent.pk).withdrawn_at == first
    assert AuditEvent.objects.filter(action="case.consent_withdrawn").count() == 1
    assert Notification.objects.filter(kind=NotificationKind.CONSENT_WITHDRAWN).count() == 1

    refusal = consent_for(alice, shared.case, scope=ConsentScope.PUBLICATION, decision=ConsentDecision.REFUSED)
    assert not refusal.is_active
    with pytest.raises(InvalidData):
        case_services.withdraw_consent(actor=alice, case_id=shared.case_id, consent_id=refusal.pk)


def test_a_take_in_is_named_as_what_the_withdrawal_cannot_undo(alice, carol, shared):
    take_into_registry(actor=carol, referral_id=shared.pk, basis=TakeInBasis.CONSENT, basis_note="Formulir")
    effects = case_services.withdraw_consent(
        actor=alice, case_id=shared.case_id, consent_id=_referral_consent(shared).pk
    )
    assert any("registry" in line or "registri" in line for line in effects.cannot_undo), effects.cannot_undo


def test_an_expired_consent_stops_the_share_without_anyone_acting(alice, carol, shared, clock):
    consent = _referral_consent(shared)
    Consent.objects.filter(pk=consent.pk).update(expires_at=timezone.now() + timedelta(days=30))
    assert rules.granted_by(Referral.objects.get(pk=shared.pk))
    clock.advance(days=31)
    assert rules.granted_by(Referral.objects.get(pk=shared.pk)) == frozenset()
    assert shared.case.person_id not in rules.persons_visible_to(carol).values_list("pk", flat=True)


def test_a_new_consent_resumes_the_open_referral(alice, carol, shared):
    case_services.withdraw_consent(actor=alice, case_id=shared.case_id, consent_id=_referral_consent(shared).pk)
    assert rules.granted_by(Referral.objects.get(pk=shared.pk)) == frozenset()
    again = consent_for(alice, shared.case)
    referral = Referral.objects.get(pk=shared.pk)
    assert referral.consent_id == again.pk and rules.granted_by(referral)
    assert AuditEvent.objects.filter(action="case.consent_recorded").order_by("id").last().detail["shares_resumed"] == 1


def test_a_referral_sent_on_a_lawful_basis_goes_on_and_is_reported_as_such(alice, sari, carol):
    case = open_case_for(alice, person=person_for(alice, full_name="Rina"), categories=("tppo",))
    referral = draft_referral(alice, case)
    override = referral_services.ConsentOverride(basis=LawfulBasis.VITAL_INTEREST, reason="Korban dirawat di RS.")
    referral_services.send_referral(actor=sari, referral_id=referral.pk, override=override)
    # The person later consents to publication only, then withdraws that: the referral is untouched.
    publication = consent_for(alice, case, scope=ConsentScope.PUBLICATION)
    effects = case_services.withdraw_consent(actor=alice, case_id=case.pk, consent_id=publication.pk)
    assert rules.granted_by(Referral.objects.get(pk=referral.pk))
    assert len(effects.continues) == 1 and "Rina" not in effects.continues[0]
    assert effects.stopped and not effects.cannot_undo  # nothing had travelled under it


def test_a_refusal_does_not_open_the_referral_gate(alice):
    case = open_case_for(alice)
    consent_for(alice, case, decision=ConsentDecision.REFUSED)
    referral = draft_referral(alice, case)
    with pytest.raises(referral_services.ReferralError):
        referral_services.send_referral(actor=alice, referral_id=referral.pk)


def test_consent_to_referral_does_not_cover_the_special_assistance_list(alice, sentra):
    case = assessed_case(alice, consent=False)
    consent_for(alice, case)  # referral only
    with pytest.raises(assistance_services.AssistanceError):
        propose(alice, case, sentra)
    consent_for(alice, case, scope=ConsentScope.SPECIAL_ASSISTANCE)
    entry = propose(alice, case, sentra)
    assert entry.consent.scope == ConsentScope.SPECIAL_ASSISTANCE


def test_withdrawal_hides_the_person_from_the_special_assistance_partner(alice, carol, sentra):
    case = assessed_case(alice)
    entry = propose(alice, case, sentra)
    assert rules.entry_sections_for(carol, entry) == rules.PARTNER_SECTIONS
    effects = case_services.withdraw_consent(actor=alice, case_id=case.pk, consent_id=entry.consent_id)
    entry.refresh_from_db()
    assert rules.entry_sections_for(carol, entry) == frozenset()
    assert rules.entry_sections_for(alice, entry) == rules.PARTNER_SECTIONS
    assert any("Sentra" in line for line in effects.stopped)
    assert Notification.objects.filter(recipient=carol, kind=NotificationKind.CONSENT_WITHDRAWN).exists()


def test_consent_checks_its_dates(alice):
    case = open_case_for(alice)
    past = timezone.now() - timedelta(days=1)
    with pytest.raises(InvalidData) as refused:
        consent_for(alice, case, expires_at=past)
    assert "expires_at" in refused.value.errors
    with pytest.raises(InvalidData) as refused:
        consent_for(alice, case, decision=ConsentDecision.REFUSED, expires_at=timezone.now() + timedelta(days=9))
    assert "expires_at" in refused.value.errors


# --- API and page, with personas --------------------------------------------------------------------------


def test_the_api_withdraws_and_says_what_stopped(client, alice, bob, carol, shared):
    consent = _referral_consent(shared)
    url = f"{API}/cases/{shared.case_id}/consents/{consent.pk}/withdraw"
    # Another agency (the receiver itself) cannot withdraw the sender's record: not found.
    assert client.post(url, {}, content_type="application/json", headers=bearer(carol)).status_code == 404
    # A read-only auditor of the same agency may not.
    assert client.post(url, {}, content_type="application/json", headers=bearer(bob)).status_code == 403
    response = client.post(url, {"note": "Surat tanggal 5"}, content_type="application/json", headers=bearer(alice))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["consent"]["active"] is False and body["consent"]["withdrawal_note"] == "Surat tanggal 5"
    assert body["stopped"] and body["cannot_undo"]
    recorded = client.post(
        f"{API}/cases/{shared.case_id}/consents",
        {"scope": "PUBLIKASI", "decision": "DITOLAK", "given_by": "SENDIRI", "giver_name": "W", "method": "LISAN"},
        content_type="application/json",
        headers=bearer(alice),
    )
    assert recorded.status_code == 201 and recorded.json()["decision"] == "DITOLAK"
    assert recorded.json()["active"] is False


def test_the_case_page_shows_what_the_withdrawal_stopped(client, alice, shared):
    client.force_login(alice)
    consent = _referral_consent(shared)
    response = client.post(
        f"/kasus/{shared.case_id}/persetujuan/{consent.pk}/cabut/",
        {"note": "Lewat WhatsApp"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "withdrawal-effects" in html and "Sentra" in html and "Lewat WhatsApp" in html
