"""Who checks a case's facts and statements together (`rules.cases_involving`): the case's agency and every
agency a referral of it went to, after the referral closed too; never the agency of a draft, never an outsider,
never a deactivated user."""

from __future__ import annotations

import pytest

from sinergi.accounts.models import User
from sinergi.referrals.models import ReferralStatus
from sinergi.referrals.selectors import referrals_visible_to
from sinergi.referrals.services import revoke_referral
from sinergi.sharing.rules import cases_involving
from sinergi.testing.referral_fixtures import open_case_for, referral_in

pytestmark = pytest.mark.usefixtures("sop")
S = ReferralStatus


@pytest.mark.parametrize(
    ("status", "receiver_involved"),
    [
        (S.DRAFT, False),
        (S.SENT, True),
        (S.ACCEPTED, True),
        (S.REJECTED, True),
        (S.COMPLETED, True),
        (S.REVOKED, False),  # revoked while a draft: it never reached the receiver
    ],
)
def test_the_receiver_is_involved_once_a_referral_was_sent(
    alice: User, bob: User, sari: User, carol: User, dave: User, status: str, receiver_involved: bool
) -> None:
    case = open_case_for(alice)
    referral_in(status, sender=sari, receiver=carol, case=case)
    assert case in cases_involving(alice) and case in cases_involving(bob)  # the case's agency, auditor too
    assert (case in cases_involving(carol)) is receiver_involved
    assert case not in cases_involving(dave)
    assert referrals_visible_to(carol).filter(case=case).exists() is receiver_involved


def test_a_referral_revoked_after_sending_still_involves_the_receiver(alice: User, sari: User, carol: User) -> None:
    case = open_case_for(alice)
    referral = referral_in(S.SENT, sender=sari, receiver=carol, case=case)
    revoke_referral(actor=sari, referral_id=referral.pk, reason="Salah layanan.")
    assert case in cases_involving(carol) and referrals_visible_to(carol).filter(pk=referral.pk).exists()


def test_a_deactivated_user_is_involved_in_nothing(alice: User) -> None:
    case = open_case_for(alice)
    alice.is_active = False
    assert case not in cases_involving(alice)
