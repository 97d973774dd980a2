"""Siti Aminah, registered by BP3MI (alice) and referred to Sentra Nipotowe (accepted by carol)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.referrals.models import Referral, ReferralStatus
from sinergi.registry.models import Person
from sinergi.testing.referral_fixtures import open_case_for, person_for, referral_in

NIK = "7271055210900001"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are asserted in English unless a page is asked for in Indonesian (a page request switches the
    thread's language; this puts it back for the next test)."""
    with translation.override("en"):
        yield


@pytest.fixture
def siti(alice: User) -> Person:
    return person_for(alice, full_name="Siti Aminah", nik=NIK, region_code="72.71.05.1001")


@pytest.fixture
def referral(sop: Any, alice: User, carol: User, siti: Person) -> Referral:
    return referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol, case=open_case_for(alice, person=siti))


@pytest.fixture
def taken_in(referral: Referral, carol: User) -> Person:
    """Sentra's own record of Siti, taken into its registry from the referral: assistance is recorded on an
    agency's own persons only (sinergi.sharing)."""
    from sinergi.sharing.models import TakeInBasis
    from sinergi.sharing.services import take_into_registry

    return take_into_registry(actor=carol, referral_id=referral.pk, basis=TakeInBasis.CONSENT, basis_note="Formulir")
