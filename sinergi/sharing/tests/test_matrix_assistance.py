"""The permission matrix for the special-assistance partner relation, generated: reader (role × relation) ×
entry state, checked against the entry page, the entry API, the list export (CSV) and the person page and API.

BP3MI (alice) proposes its assessed case of Siti Aminah for the list with Sentra Nipotowe as partner. The partner
sees her identity, contact and work abroad on the entry while it is open (proposed or agreed), never her
record itself; an agency that is not a party sees neither.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.roles import Role
from sinergi.accounts.tokens import create_token
from sinergi.assistance import services
from sinergi.assistance.models import AssistanceStatus
from sinergi.assistance.tests.conftest import SITI_NIK, assessed_case, propose
from sinergi.testing.factories import UserFactory

S = AssistanceStatus
STATES = [S.PROPOSED, S.AGREED, S.WITHDRAWN]
# reader → (agency, roles, active)
READERS: dict[str, tuple[str, list[Role], bool]] = {
    "owner_worker": ("bp3mi", [Role.PETUGAS], True),
    "partner_worker": ("sentra", [Role.PEKERJA_SOSIAL], True),
    "partner_auditor": ("sentra", [Role.AUDITOR], True),
    "partner_deactivated": ("sentra", [Role.PEKERJA_SOSIAL], False),
    "not_a_party": ("dinsos", [Role.PETUGAS], True),
}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sees_person_on_entry(reader: str, state: str) -> bool:
    agency, _roles, active = READERS[reader]
    if not active:
        return False
    return agency == "bp3mi" or (agency == "sentra" and state != S.WITHDRAWN)


def sees_entry(reader: str) -> bool:
    agency, _roles, active = READERS[reader]
    return active and agency in ("bp3mi", "sentra")


def token(user: Any) -> dict[str, str]:
    _, secret = create_token(actor=None, user=user, name="matrix", scopes=["cases:read", "persons:read"])
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize(("reader", "state"), list(itertools.product(READERS, STATES)))
def test_it_shows_the_person_on_the_entry_exactly_to_the_open_entrys_parties(
    client: Client, alice: Any, sari: Any, yusuf: Any, bp3mi: Any, sentra: Any, dinsos: Any, reader: str, state: str
) -> None:
    entry = propose(alice, assessed_case(alice), sentra)
    if state == S.AGREED:
        services.agree_entry(actor=sari, entry_id=entry.pk)
        services.agree_entry(actor=yusuf, entry_id=entry.pk)
    elif state == S.WITHDRAWN:
        services.withdraw_entry(actor=alice, entry_id=entry.pk, reason="Sudah dibantu")
    entry.refresh_from_db()
    assert entry.status == state
    agency, roles, active = READERS[reader]
    user = UserFactory(
        username=reader, agency={"bp3mi": bp3mi, "sentra": sentra, "dinsos": dinsos}[agency], roles=roles
    )
    user.is_active = active
    user.save()
    person_shown = sees_person_on_entry(reader, state)

    # The entry API.
    response = client.get(f"/api/v1/special-assistance/{entry.pk}", headers=token(user))
    if not active:
        assert response.status_code in (401, 403, 404)
    elif not sees_entry(reader):
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        person = response.json()["person"]
        assert (person is not None) == person_shown, (reader, state)
        if person is not None:
            assert person["nik"] == SITI_NIK

    # The export of every state.
    response = client.get(f"/api/v1/special-assistance/export?format=csv&status={state}", headers=token(user))
    if response.status_code == 200:
        assert (SITI_NIK in response.content.decode("utf-8-sig")) == person_shown, (reader, state)
    else:
        assert not person_shown

    if active:
        client.force_login(user)
        # The entry page.
        page = client.get(f"/asistensi/{entry.pk}/")
        assert page.status_code == (200 if sees_entry(reader) else 404)
        if page.status_code == 200:
            assert (SITI_NIK in page.content.decode()) == person_shown, (reader, state)
        # The person's own record: the owner's only, whatever the entry.
        expected = 200 if agency == "bp3mi" else 404
        assert client.get(f"/orang/{entry.person_id}/").status_code == expected
        client.logout()
    response = client.get(f"/api/v1/persons/{entry.person_id}", headers=token(user))
    if not active:
        assert response.status_code in (401, 403, 404)
    else:
        assert response.status_code == (200 if agency == "bp3mi" else 404), (reader, state)
