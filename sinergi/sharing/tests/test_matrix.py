"""The permission matrix over the one rule, generated: reader (role × agency relation) × referral state ×
section × read/write, checked against the person page, the person API, the referral API and the change feed;
plus: every read of a person's identity or contact section writes an access-log entry.

BP3MI (alice) registers the person with phone, address, a relative and a passport, opens a case and refers it
to Sentra on the default route (identity, contact, family, complaint, assessments). The readers:
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.roles import Role
from sinergi.accounts.tokens import create_token
from sinergi.audit.models import AuditEvent
from sinergi.changes.feed import seal_events
from sinergi.referrals.models import Referral, ReferralStatus
from sinergi.registry import services as registry_services
from sinergi.testing.factories import UserFactory
from sinergi.testing.referral_fixtures import open_case_for, person_for, referral_in

pytestmark = pytest.mark.usefixtures("sop")
R = ReferralStatus
ROUTE = {"IDENTITAS", "KONTAK", "KELUARGA"}  # the default route's person sections
ALL = {"IDENTITAS", "KONTAK", "KELUARGA", "MIGRASI", "PEMILIK"}
OPEN = {R.SENT, R.ACCEPTED}
STATES = [R.DRAFT, R.SENT, R.ACCEPTED, R.COMPLETED, R.REJECTED, R.REVOKED]
# reader → (agency, roles, active)
READERS: dict[str, tuple[str, list[Role], bool]] = {
    "owner_worker": ("bp3mi", [Role.PETUGAS], True),
    "owner_auditor": ("bp3mi", [Role.AUDITOR], True),
    "receiver_worker": ("sentra", [Role.PEKERJA_SOSIAL], True),
    "receiver_auditor": ("sentra", [Role.AUDITOR], True),
    "receiver_deactivated": ("sentra", [Role.PEKERJA_SOSIAL], False),
    "uninvolved": ("dinsos", [Role.PETUGAS], True),
}
KEYS = {
    "IDENTITAS": {"full_name", "nik", "sex", "birth_date"},
    "KONTAK": {"phones", "address_text"},
    "KELUARGA": {"family"},
    "PEMILIK": {"identifiers"},
}


def expected(reader: str, state: str) -> set[str]:
    agency, _roles, active = READERS[reader]
    if not active:
        return set()
    if agency == "bp3mi":
        return ALL
    if agency == "sentra" and state in OPEN:
        return ROUTE
    return set()


@pytest.fixture
def world(alice, bp3mi, sentra, dinsos, carol):
    person = person_for(alice, full_name="Dewi Lestari", address_text="Jl. Merpati 7")
    registry_services.add_phone(actor=alice, person_id=person.pk, number="0812-7777-1234")
    registry_services.add_family_link(actor=alice, person_id=person.pk, relationship="IBU", name="Ibu Dewi")
    registry_services.add_identifier(actor=alice, person_id=person.pk, kind="PASPOR", value="X7654321")
    agencies = {"bp3mi": bp3mi, "sentra": sentra, "dinsos": dinsos}
    return person, agencies


def reader_user(name: str, agencies: dict[str, Any]):
    agency, roles, active = READERS[name]
    return UserFactory(username=name, agency=agencies[agency], roles=roles, is_active=active)


def token(user, *scopes: str) -> dict[str, str]:
    _, secret = create_token(actor=None, user=user, name="matrix", scopes=list(scopes))
    return {"Authorization": f"Bearer {secret}"}


def visible_sections(body: dict[str, Any]) -> set[str]:
    return {section for section, keys in KEYS.items() if any(body.get(key) not in (None, "", []) for key in keys)}


@pytest.mark.parametrize(("reader", "state"), list(itertools.product(READERS, STATES)))
def test_it_grants_each_reader_exactly_its_sections(client: Client, world, alice, carol, reader, state):
    person, agencies = world
    referral = referral_in(state, sender=alice, receiver=carol, case=open_case_for(alice, person=person))
    user = reader_user(reader, agencies)
    allowed = expected(reader, state)

    # Person page (session): 200 only with a relation.
    if user.is_active:
        client.force_login(user)
        page = client.get(f"/orang/{person.pk}/")
        assert page.status_code == (200 if allowed else 404), (reader, state)
        if page.status_code == 200:
            html = page.content.decode()
            assert ("X7654321" in html) == ("PEMILIK" in allowed)
            assert ("+6281277771234" in html or "0812" in html) == ("KONTAK" in allowed)
        client.logout()

    # Person API (token with the scope).
    response = client.get(f"/api/v1/persons/{person.pk}", headers=token(user, "persons:read"))
    if not user.is_active:
        assert response.status_code in (401, 403, 404)
    elif not allowed:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert visible_sections(response.json()) == allowed & set(KEYS)

    # Referral API: the shared view.
    response = client.get(f"/api/v1/referrals/{referral.pk}", headers=token(user, "referrals:read"))
    if response.status_code == 200:
        shared = response.json()["shared"]
        got = {
            s for s, key in (("IDENTITAS", "identity"), ("KONTAK", "contact"), ("KELUARGA", "family")) if shared[key]
        }
        assert got == allowed & ROUTE

    # Change feed: the person's events only with a relation, cut to the sections.
    seal_events()
    response = client.get("/api/v1/changes?since=0&limit=500", headers=token(user, "persons:read"))
    if user.is_active:
        events = [c for c in response.json()["changes"] if c["person_id"] == person.pk]
        assert bool(events) == bool(allowed), (reader, state)
        # The latest snapshot has the phone and the passport (added after registering): only with the section.
        latest = events[-1]["person"] if events else {}
        if events:
            assert bool(latest.get("phones")) == ("KONTAK" in allowed)
            assert bool(latest.get("identifiers")) == ("PEMILIK" in allowed)
            assert bool(latest.get("nik") or latest.get("full_name")) == ("IDENTITAS" in allowed)

    # Writes: only the owner's workers (auditors are read-only; a receiver never writes the sender's record).
    response = client.post(
        f"/api/v1/persons/{person.pk}/phones",
        {"number": "0813-5555-0000"},
        content_type="application/json",
        headers=token(user, "persons:read", "persons:write"),
    )
    may_write = reader == "owner_worker"
    assert (response.status_code == 201) == may_write, (reader, state, response.status_code)


@pytest.mark.parametrize("scopes", [(), ("referrals:read",), ("cases:read",)])
def test_it_refuses_a_token_without_the_persons_scope(client, world, alice, scopes):
    person, _agencies = world
    response = client.get(f"/api/v1/persons/{person.pk}", headers=token(alice, *scopes))
    assert response.status_code == 403


def test_it_refuses_an_anonymous_reader(client, world):
    person, _agencies = world
    assert client.get(f"/api/v1/persons/{person.pk}").status_code == 401
    assert client.get(f"/orang/{person.pk}/").status_code == 302


@pytest.mark.parametrize(
    "read",
    ["person_page", "person_api", "referral_page", "referral_api", "case_page", "case_api", "timeline", "search"],
)
def test_it_logs_every_read_of_identity_or_contact(client, world, alice, carol, read):
    person, _agencies = world
    case = open_case_for(alice, person=person)
    referral: Referral = referral_in(R.SENT, sender=alice, receiver=carol, case=case)
    # Search results are logged for another agency's person shown in full (shared by the referral).
    reader = carol if read.startswith("referral") or read == "search" else alice
    urls = {
        "person_page": f"/orang/{person.pk}/",
        "person_api": f"/api/v1/persons/{person.pk}",
        "referral_page": f"/rujukan/{referral.pk}/",
        "referral_api": f"/api/v1/referrals/{referral.pk}",
        "case_page": f"/kasus/{case.pk}/",
        "case_api": f"/api/v1/cases/{case.pk}",
        "timeline": f"/api/v1/cases/{case.pk}/timeline",
        "search": "/api/v1/persons?q=Dewi+Lestari",
    }
    client.force_login(reader)
    before = AuditEvent.objects.filter(action="person.viewed", actor=reader, object_id=str(person.pk)).count()
    assert client.get(urls[read]).status_code == 200
    after = AuditEvent.objects.filter(action="person.viewed", actor=reader, object_id=str(person.pk)).count()
    assert after == before + 1, read
