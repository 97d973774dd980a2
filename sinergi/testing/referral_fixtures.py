"""Fixtures and builders for case and referral tests: the demo joint SOP, more personas, cases and referrals
in any state — all made through the services, as users would.

Personas added to alice, bob, carol and dave (sinergi.testing.fixtures):
  sari   BP3MI Sulteng, supervisor       — closes cases, overrides consent, gets level-2 escalations
  pia    BP3MI Sulteng, pekerja sosial   — same agency, may handle a case but not close it
  yusuf  Sentra Nipotowe, supervisor     — receives level-1 escalations
  erin   Sentra Nipotowe, petugas        — a second receiver worker (two accepts at the same moment)
  vera   Sentra Nipotowe, auditor        — read-only at the receiving agency
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.cases import services as case_services
from sinergi.cases.models import Case, Consent, ConsentGiver, ConsentMethod, ConsentScope
from sinergi.demo.sop_seeding import seed_sop
from sinergi.directory.models import Service
from sinergi.referrals import services as referral_services
from sinergi.referrals.models import Referral, ReferralStatus
from sinergi.registry.models import Person
from sinergi.sop.models import SopDocument
from sinergi.testing.factories import UserFactory, make_person

# A category whose SOP route shares identity, contact, family, complaint and assessments (not TPPO's subset).
DEFAULT_CATEGORY = "kekerasan-fisik-psikis"
# Sentra Nipotowe's psychosocial therapy: the service the story refers to.
DEFAULT_SERVICE = ("sentra-nipotowe", "atensi-a4")


# --- personas ------------------------------------------------------------------------------------------------


@pytest.fixture
def sari(bp3mi: Agency) -> User:
    return UserFactory(username="sari", agency=bp3mi, roles=[Role.SUPERVISOR])


@pytest.fixture
def pia(bp3mi: Agency) -> User:
    return UserFactory(username="pia", agency=bp3mi, roles=[Role.PEKERJA_SOSIAL])


@pytest.fixture
def yusuf(sentra: Agency) -> User:
    return UserFactory(username="yusuf", agency=sentra, roles=[Role.SUPERVISOR])


@pytest.fixture
def erin(sentra: Agency) -> User:
    return UserFactory(username="erin", agency=sentra, roles=[Role.PETUGAS])


@pytest.fixture
def vera(sentra: Agency) -> User:
    return UserFactory(username="vera", agency=sentra, roles=[Role.AUDITOR])


# --- the joint SOP and a frozen clock ------------------------------------------------------------------------


@pytest.fixture
def sop(bp3mi: Agency, sentra: Agency, dinsos: Agency) -> SopDocument:
    """The demo joint SOP in force from 2026-01-01 (every category → every service, referral consent required,
    ACK 1 / DECIDE 3 / FIRST_SERVICE 7 working days), its services and the 2026 holidays."""
    seed_sop()
    found = SopDocument.in_force(date(2026, 1, 1))
    assert found is not None
    return found


class Clock:
    """`timezone.now()` as the tests say; services, audit rows and `timezone.localdate()` all follow it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> datetime:
        assert timezone.is_aware(moment), "the clock only takes aware times"
        self.now = moment
        return moment

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    frozen = Clock(timezone.now())
    monkeypatch.setattr(timezone, "now", frozen)
    return frozen


def wita(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """An aware time on the agencies' clock (Asia/Makassar): the naive value is made aware right here."""
    return timezone.make_aware(datetime(year, month, day, hour, minute))  # noqa: DTZ001


# --- builders ------------------------------------------------------------------------------------------------


def person_for(actor: User, **values: Any) -> Person:
    return make_person(actor, **values)


def open_case_for(
    actor: User, *, person: Person | None = None, categories: tuple[str, ...] = (DEFAULT_CATEGORY,), **values: Any
) -> Case:
    """An open case (DITERIMA) of the actor's agency, about `person` (a new adult PMI by default)."""
    fields: dict[str, Any] = {
        "person_id": (person or person_for(actor)).pk,
        "channel": "DATANG",
        "complainant_type": "PMI",
        "phase": "SETELAH",
        "category_codes": list(categories),
        "destination_country": "MY",
        "narrative": "Dipukul majikan, gaji tiga bulan tidak dibayar.",
    }
    fields.update(values)
    return case_services.open_case(actor=actor, data=case_services.CaseData(**fields))


def consent_for(actor: User, case: Case, *, given_by: str = ConsentGiver.SELF, **values: Any) -> Consent:
    fields: dict[str, Any] = {
        "scope": ConsentScope.REFERRAL,
        "given_by": given_by,
        "giver_name": "Siti Aminah",
        "method": ConsentMethod.WRITTEN,
    }
    fields.update(values)
    return case_services.record_consent(actor=actor, case_id=case.pk, data=case_services.ConsentData(**fields))


def service_of(agency_code: str = DEFAULT_SERVICE[0], code: str = DEFAULT_SERVICE[1]) -> Service:
    return Service.objects.get(agency__code=agency_code, code=code)


def draft_referral(actor: User, case: Case | None = None, *, service: Service | None = None, **values: Any) -> Referral:
    case = case or open_case_for(actor)
    return referral_services.create_referral(
        actor=actor,
        case_id=case.pk,
        service_id=(service or service_of()).pk,
        reason=values.pop("reason", "Butuh dukungan psikososial setelah kekerasan."),
        **values,
    )


def sent_referral(actor: User, case: Case | None = None, **values: Any) -> Referral:
    """A referral sent with the person's consent recorded first."""
    case = case or open_case_for(actor)
    if not case.consents.active().filter(scope=ConsentScope.REFERRAL).exists():
        consent_for(actor, case)
    referral = draft_referral(actor, case, **values)
    return referral_services.send_referral(actor=actor, referral_id=referral.pk)


def referral_in(status: str, *, sender: User, receiver: User, case: Case | None = None) -> Referral:
    """A referral brought to `status` through the same steps users take (sender sends, receiver handles)."""
    s = ReferralStatus
    if status == s.DRAFT:
        return draft_referral(sender, case)
    if status == s.REVOKED:
        referral = draft_referral(sender, case)
        referral_services.revoke_referral(actor=sender, referral_id=referral.pk, reason="Salah layanan.")
        return Referral.objects.get(pk=referral.pk)
    referral = sent_referral(sender, case)
    pk = referral.pk
    if status == s.ACKNOWLEDGED:
        referral_services.acknowledge_referral(actor=receiver, referral_id=pk)
    elif status == s.REJECTED:
        referral_services.reject_referral(actor=receiver, referral_id=pk, reason="Di luar kapasitas kami.")
    elif status in (s.ACCEPTED, s.IN_SERVICE, s.COMPLETED, s.FAILED):
        referral_services.accept_referral(actor=receiver, referral_id=pk)
        if status == s.FAILED:
            referral_services.fail_referral(actor=receiver, referral_id=pk, reason="Klien pindah ke luar daerah.")
        elif status in (s.IN_SERVICE, s.COMPLETED):
            referral_services.log_service(
                actor=receiver, referral_id=pk, delivered_on=timezone.localdate(), description="Konseling pertama."
            )
            if status == s.COMPLETED:
                referral_services.complete_referral(
                    actor=receiver, referral_id=pk, outcome="Pulih.", feedback="Terima kasih atas rujukannya."
                )
    elif status != s.SENT:
        raise ValueError(f"no path to {status}")
    referral = Referral.objects.get(pk=pk)
    assert referral.status == status
    return referral
