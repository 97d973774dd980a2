"""Persons the matching tests share: BP3MI's registry (registered by alice) with a likely duplicate pair."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.registry.models import Person
from sinergi.testing.factories import make_person

SITI_NIK = "7271055210900001"
SITI_BIRTH = date(1990, 10, 12)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Each persona is created with a password; Argon2 costs ~0.3 s a hash (accounts/tests checks it is used)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """These tests read messages in English (Indonesian is the default; its catalogue is checked separately)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def siti(alice: User) -> Person:
    """BP3MI's record of Siti Aminah: NIK, village in Ulujadi, a phone, an address."""
    return make_person(
        alice,
        full_name="Siti Aminah",
        sex="P",
        birth_date=SITI_BIRTH,
        nik=SITI_NIK,
        region_code="72.71.05.1001",
        phones=["0812-4455-6677"],
        address_text="Jl. Trans Sulawesi, RT 02",
    )


@pytest.fixture
def sitti(alice: User) -> Person:
    """The same woman registered again by another clerk: a spelling variant, no NIK, another phone."""
    return make_person(
        alice,
        full_name="Sitti Aminah",
        sex="P",
        birth_date=SITI_BIRTH,
        region_code="72.71.05.1001",
        birth_place="Palu",
        phones=["0813-1111-2222"],
    )


@pytest.fixture
def budi(alice: User) -> Person:
    """Someone else entirely."""
    return make_person(alice, full_name="Budi Santoso", sex="L", birth_date=date(1985, 6, 1), region_code="72.02.01")
