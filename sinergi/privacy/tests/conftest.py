"""Privacy fixtures: Siti Aminah in BP3MI's registry, and requests about her made through the services.

Personas (sinergi.testing): sari BP3MI supervisor (answers requests), alice BP3MI petugas (records them at the
desk, does not answer), bob BP3MI auditor (neither), carol and yusuf Sentra Nipotowe (another agency; a referral
receiver or special-assistance partner in the restriction tests), dave Dinsos (another agency, searches)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sinergi.accounts.models import User
from sinergi.privacy import services
from sinergi.privacy.models import SubjectRequest
from sinergi.registry.models import Person
from sinergi.testing.referral_fixtures import person_for

SITI_NIK = "7271055210900001"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def siti(alice: User) -> Person:
    return person_for(
        alice,
        full_name="Siti Aminah",
        nik=SITI_NIK,
        birth_date=date(1990, 10, 12),
        birth_place="Palu",
        region_code="72.71.05.1001",
        address_text="Jl. Trans Sulawesi, RT 02",
        phones=["0812-4455-6601"],
        aliases=["Siti Aminah Lamadi"],
    )


def receive(actor: User, person: Person, kind: str = "PERBAIKAN", **values: Any) -> SubjectRequest:
    fields: dict[str, Any] = {"kind": kind, "channel": "LANGSUNG", "identity_check": "KTP diperlihatkan di loket"}
    if kind == "PERBAIKAN":
        fields.update(field="nik", proposed_value="7271055210900002")
    fields.update(values)
    return services.receive_request(actor=actor, person_id=person.pk, data=services.RequestData(**fields))


def restrict(answerer: User, person: Person) -> SubjectRequest:
    request = receive(answerer, person, "PEMBATASAN", details="Jangan bagikan data saya ke lembaga lain.")
    return services.answer_request(
        actor=answerer, request_id=request.pk, outcome="DIKABULKAN", answer="Pemrosesan dibatasi."
    )
