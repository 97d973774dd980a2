"""A returned PMI registered by BP3MI (alice), whose case BP3MI referred to Sentra Nipotowe (accepted by carol):
the story of issue 10. Personas: see sinergi.testing.fixtures and referral_fixtures."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.referrals.models import Referral, ReferralStatus
from sinergi.registry.models import Person
from sinergi.testing.referral_fixtures import open_case_for, person_for, referral_in


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
    return person_for(alice, full_name="Siti Aminah", nik="7271055210900001", region_code="72.71.05.1001")


@pytest.fixture
def referral(sop: Any, alice: User, carol: User, siti: Person) -> Referral:
    """BP3MI's case of Siti, referred to Sentra Nipotowe and accepted: Sentra sees her identity and assessments."""
    return referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol, case=open_case_for(alice, person=siti))
