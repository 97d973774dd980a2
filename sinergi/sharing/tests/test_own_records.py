"""Finding 1 in the newer apps: a receiver's own records (assistance, programme enrolment, outreach follow-up)
outlive the referral and are seen by other agencies (the programme's partners, the assistance report), so they
are kept on the agency's own persons only. A receiver takes the person in from the referral first; a benefit
it then gives is seen by the referring agency as given to the person it referred, and counts in the
cross-agency duplicate check.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.benefits import services as benefit_services
from sinergi.benefits.selectors import benefits_visible_to, linked_person_ids
from sinergi.outreach import services as outreach_services
from sinergi.outreach.models import FollowUpKind
from sinergi.programmes import services as programme_services
from sinergi.referrals.models import Referral, ReferralStatus
from sinergi.registry.services import InvalidData
from sinergi.sharing.models import TakeInBasis
from sinergi.sharing.services import take_into_registry
from sinergi.testing.programme_builders import cohort_of, workshop
from sinergi.testing.referral_fixtures import open_case_for, person_for, referral_in

pytestmark = pytest.mark.usefixtures("sop")
REFUSAL = "Masukkan dulu orang ini ke registri Anda"  # the default language, Indonesian


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def referral(alice: User, carol: User) -> Referral:
    person = person_for(alice, full_name="Wulan Sari", nik="7271055210900003", sex="P", region_code="72.71.05.1001")
    return referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol, case=open_case_for(alice, person=person))


def _capital(manager: User) -> Any:
    kind = benefit_services.define_assistance_type(
        actor=manager, code="business_capital", name="Bantuan modal usaha", default_amount=1_000_000, eligibility=[]
    )
    today = timezone.localdate()
    benefit_services.set_budget(
        actor=manager,
        assistance_type=kind,
        period_start=today - timedelta(days=1),
        period_end=today + timedelta(days=30),
        amount=10_000_000,
    )
    return kind


def test_it_refuses_assistance_on_a_shared_person_and_gives_it_on_the_taken_in_record(
    referral: Referral, alice: User, carol: User, yusuf: User, sari: User, dave: User
) -> None:
    kind = _capital(yusuf)
    shared = referral.case.person
    with pytest.raises(InvalidData) as refused:
        benefit_services.propose_benefit(
            actor=carol, data=benefit_services.Proposal(person_id=shared.pk, type_id=kind.pk, reason="Modal")
        )
    assert REFUSAL in str(refused.value.errors["person_id"])

    own = take_into_registry(actor=carol, referral_id=referral.pk, basis=TakeInBasis.CONSENT, basis_note="Form")
    benefit = benefit_services.propose_benefit(
        actor=carol, data=benefit_services.Proposal(person_id=own.pk, type_id=kind.pk, reason="Modal")
    )
    assert benefit.person_id == own.pk
    # The referring agency learns what was given to the person it referred; an uninvolved agency does not.
    assert benefits_visible_to(sari).filter(pk=benefit.pk).exists()
    assert not benefits_visible_to(dave).filter(pk=benefit.pk).exists()
    # And BP3MI's record and Sentra's are one human for the duplicate check.
    assert {shared.pk, own.pk} <= linked_person_ids(shared)


def test_it_refuses_to_enrol_a_shared_person_in_a_programme(referral: Referral, carol: User) -> None:
    cohort = cohort_of(carol, workshop(carol))
    with pytest.raises(InvalidData) as refused:
        programme_services.enrol_person(actor=carol, cohort_id=cohort.pk, person_id=referral.case.person_id)
    assert REFUSAL in str(refused.value.errors["person_id"])
    assert not cohort.enrolments.exists()


def test_it_refuses_an_outreach_follow_up_about_a_shared_person(referral: Referral, carol: User) -> None:
    event = outreach_services.record_event_held(
        actor=carol,
        data=outreach_services.EventData(
            held_on=timezone.localdate() - timedelta(days=1),
            place="Balai Desa",
            region_code="72.71.05.1001",
            topic="Migrasi aman",
            target_group="KELUARGA",
            counsellor_id=carol.pk,
            counts={("P", "18-35"): 5},
        ),
    )
    data = outreach_services.FollowUpData(
        kind=FollowUpKind.CASE, description="Minta pendampingan", person_id=referral.case.person_id
    )
    with pytest.raises(InvalidData) as refused:
        outreach_services.raise_follow_up(actor=carol, event_id=event.pk, data=data)
    assert REFUSAL in str(refused.value.errors["person_id"])


def test_the_propose_page_offers_the_take_in_instead_of_the_form(client: Any, referral: Referral, carol: User) -> None:
    client.force_login(carol)
    page = client.get(f"/penyaluran/orang/{referral.case.person_id}/usul/").content.decode()
    assert 'id="take-in-first"' in page and f"/rujukan/{referral.pk}/ambil/" in page
    assert 'name="type_id"' not in page
