"""The person page lists the person's cases (with how they ended and the receiver's feedback), referrals and
special-assistance entries, each only as far as the owning app's selector lets the viewer see."""

from __future__ import annotations

import pytest

from sinergi.cases import services as cases
from sinergi.cases.models import CaseOutcome, CaseStatus
from sinergi.referrals.models import ReferralStatus
from sinergi.testing.referral_fixtures import open_case_for, referral_in

pytestmark = pytest.mark.django_db
R = ReferralStatus


def page_of(client, user, person) -> str:  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get(f"/orang/{person.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_the_persons_cases_with_outcome_summary_and_feedback(client, alice, carol, sop):
    case = open_case_for(alice)
    cases.change_case_status(actor=alice, case_id=case.pk, to_status=CaseStatus.VERIFICATION)
    cases.change_case_status(actor=alice, case_id=case.pk, to_status=CaseStatus.HANDLING)
    referral_in(R.COMPLETED, sender=alice, receiver=carol, case=case)
    cases.change_case_status(
        actor=alice,
        case_id=case.pk,
        to_status=CaseStatus.DONE,
        outcome=CaseOutcome.RETURNED_HOME,
        reason="Kembali ke keluarga di Sigi.",
    )
    page = page_of(client, alice, case.person)
    assert 'id="cases"' in page and case.number in page
    assert "Kembali ke keluarga di Sigi." in page
    case.referrals.get().refresh_from_db()
    feedback = case.referrals.get().feedback
    assert feedback and feedback in page  # the receiver's feedback is read on the person's page too
    assert 'id="referrals"' in page and f"/rujukan/{case.referrals.get().pk}/" in page


def test_it_shows_the_receiver_only_its_referral_not_the_senders_case(client, alice, carol, sop):
    case = open_case_for(alice)
    referral = referral_in(R.ACCEPTED, sender=alice, receiver=carol, case=case)
    page = page_of(client, carol, case.person)  # an open referral shares the identity with Sentra
    assert f"/rujukan/{referral.pk}/" in page
    assert f"/kasus/{case.pk}/" not in page  # the case belongs to BP3MI


def test_it_answers_404_to_an_agency_without_a_referral(client, alice, dave, sop):
    case = open_case_for(alice)
    client.force_login(dave)
    assert client.get(f"/orang/{case.person.pk}/").status_code == 404
