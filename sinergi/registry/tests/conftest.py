"""Persons the registry tests share: BP3MI's records, registered by alice through the service."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sinergi.accounts.models import User
from sinergi.registry.models import Person
from sinergi.testing.factories import make_person

# Siti Aminah's KTP: issued in Ulujadi (72.71.05), born 12-10-1990 (52 = 12 + 40: a woman), serial 0001.
SITI_NIK = "7271055210900001"
SITI_BIRTH = date(1990, 10, 12)
# Soeharto's KTP: issued in Poso Kota (72.02.01), born 17-03-1984, a man.
SOEHARTO_NIK = "7202011703840003"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Each persona is created with a password; Argon2 costs ~0.3 s a hash (accounts/tests checks it is used)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def siti(alice: User) -> Person:
    """BP3MI's record of Siti Aminah, with NIK, address region Ulujadi and a phone."""
    return make_person(
        alice,
        full_name="Siti Aminah",
        sex="P",
        birth_date=SITI_BIRTH,
        nik=SITI_NIK,
        region_code="72.71.05",
        phones=["0812-4455-6677"],
        address_text="Jl. Trans Sulawesi, RT 02",
    )


@pytest.fixture
def soeharto(alice: User) -> Person:
    return make_person(
        alice,
        full_name="Soeharto",
        sex="L",
        birth_date=date(1984, 3, 17),
        nik=SOEHARTO_NIK,
        region_code="72.02.01",
    )
