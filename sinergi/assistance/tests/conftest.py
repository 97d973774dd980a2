"""Special-assistance fixtures: BP3MI's case of Siti Aminah, assessed as needing special social assistance,
with her consent to share her data recorded — made through the services, as users would.

Personas (sinergi.testing): alice BP3MI petugas (proposes), sari BP3MI supervisor, bob BP3MI auditor,
carol Sentra pekerja sosial, yusuf Sentra supervisor, vera Sentra auditor, dave Dinsos petugas (never involved).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sinergi.accounts.models import Agency, User
from sinergi.assistance import services
from sinergi.assistance.models import AssistanceEntry
from sinergi.cases import services as case_services
from sinergi.cases.models import Case, ConsentScope
from sinergi.registry import services as registry_services
from sinergi.testing.referral_fixtures import consent_for, open_case_for, person_for

SITI_NIK = "7271055210900001"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Each persona is created with a password; Argon2 costs ~0.3 s a hash (accounts/tests checks it is used)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def assessed_case(
    actor: User, *, needs_assistance: bool = True, consent: bool = True, episode: str = "HK", **person: Any
) -> Case:
    """An open case of the actor's agency whose latest assessment says whether special assistance is needed."""
    values: dict[str, Any] = {
        "full_name": "Siti Aminah",
        "sex": "P",
        "birth_date": date(1990, 10, 12),
        "birth_place": "Palu",
        "nik": SITI_NIK,
        "region_code": "72.71.05.1001",
        "address_text": "Jl. Trans Sulawesi, RT 02",
    }
    values.update(person)
    siti = person_for(actor, **values)
    if episode:
        registry_services.add_migration_episode(
            actor=actor,
            person_id=siti.pk,
            data=registry_services.EpisodeData(destination_country=episode, departure_date=date(2023, 5, 1)),
        )
    case = open_case_for(actor, person=siti, destination_country="MY")
    case_services.add_assessment(
        actor=actor,
        case_id=case.pk,
        data=case_services.AssessmentData(
            summary="Trauma berat setelah kekerasan; tidak punya penghasilan.",
            needs="Konseling, modal usaha.",
            needs_special_assistance=needs_assistance,
        ),
    )
    if consent:
        consent_for(actor, case, scope=ConsentScope.SPECIAL_ASSISTANCE)
    return case


def propose(actor: User, case: Case, partner: Agency, **values: Any) -> AssistanceEntry:
    data = services.ProposalData(
        case_id=case.pk,
        partner_agency_id=partner.pk,
        needs=values.pop("needs", ["PSIKOSOSIAL", "PEMBERDAYAAN_EKONOMI"]),
        note=values.pop("note", "Butuh rehabilitasi psikososial dan modal usaha."),
        **values,
    )
    entry, _ = services.propose_entry(actor=actor, data=data)
    return entry


def agreed_entry(
    proposer: User, supervisor: User, partner_supervisor: User, case: Case | None = None
) -> AssistanceEntry:
    """An entry both agencies agreed to (on the list)."""
    assert partner_supervisor.agency is not None
    entry = propose(proposer, case or assessed_case(proposer), partner_supervisor.agency)
    services.agree_entry(actor=supervisor, entry_id=entry.pk)
    return services.agree_entry(actor=partner_supervisor, entry_id=entry.pk)


@pytest.fixture
def siti_case(alice: User, sentra: Agency, dinsos: Agency) -> Case:
    """BP3MI's assessed case of Siti Aminah (with consent); Sentra and Dinsos exist as possible partners."""
    return assessed_case(alice)
