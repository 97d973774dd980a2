"""Users, roles and capabilities; API tokens are stored as a hash only."""

from __future__ import annotations

import hashlib

import pytest
from django.core.management import call_command

from sinergi.accounts.models import ApiToken, User
from sinergi.accounts.roles import CAPABILITIES, Capability, Role
from sinergi.accounts.tokens import TOKEN_PREFIX, create_token, user_for_token
from sinergi.audit.models import AuditEvent

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


# The capabilities the registry and the audit trail check; other apps add their own to the table.
REGISTRY_CAPABILITIES = (
    Capability.VIEW_PERSONS,
    Capability.EDIT_PERSONS,
    Capability.VIEW_AUDIT_LOG,
    Capability.MANAGE_AGENCY,
)


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("alice", {Capability.VIEW_PERSONS, Capability.EDIT_PERSONS}),
        ("bob", {Capability.VIEW_PERSONS, Capability.VIEW_AUDIT_LOG}),
        ("carol", {Capability.VIEW_PERSONS, Capability.EDIT_PERSONS}),
        ("dave", {Capability.VIEW_PERSONS, Capability.EDIT_PERSONS}),
    ],
)
def test_it_grants_the_personas_registry_capabilities_by_role(persona, allowed, request, db):
    # `db` named here: personas fetched with getfixturevalue are invisible to pytest-django's test ordering.
    user = request.getfixturevalue(persona)
    assert {capability for capability in REGISTRY_CAPABILITIES if user.has_capability(capability)} == allowed


@pytest.mark.parametrize("role", list(Role))
def test_it_grants_each_role_exactly_its_capabilities(role, bp3mi):
    user = User.objects.create(username=f"user-{role.value}", agency=bp3mi)  # no password: no Argon2 cost
    user.set_roles([role])
    granted = {capability for capability in Capability if user.has_capability(capability)}
    assert granted == {capability for capability, roles in CAPABILITIES.items() if role in roles}


def test_it_keeps_the_auditor_read_only_and_only_admins_managing():
    assert Role.AUDITOR not in CAPABILITIES[Capability.EDIT_PERSONS]
    assert CAPABILITIES[Capability.MANAGE_AGENCY] == {Role.ADMIN}


def test_it_grants_nothing_without_an_agency_or_when_deactivated(bp3mi):
    no_agency = User.objects.create(username="noagency", agency=None)
    no_agency.set_roles([Role.ADMIN])
    inactive = User.objects.create(username="inactive", agency=bp3mi, is_active=False)
    inactive.set_roles([Role.PETUGAS])
    for user in (no_agency, inactive):
        assert not any(user.has_capability(capability) for capability in Capability), user.username


def test_it_replaces_roles_and_forgets_the_cached_ones(alice):
    assert alice.has_capability(Capability.EDIT_PERSONS)
    alice.set_roles([Role.AUDITOR])
    assert alice.role_set() == {Role.AUDITOR}
    assert not alice.has_capability(Capability.EDIT_PERSONS)
    assert list(User.objects.get(pk=alice.pk).roles.values_list("role", flat=True)) == ["auditor"]


def test_it_stores_only_a_hash_of_an_api_token(alice):
    token, secret = create_token(actor=alice, user=alice, name="sisko", scopes=["persons:write", "persons:read"])
    assert secret.startswith(TOKEN_PREFIX)
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefix == secret[: len(TOKEN_PREFIX) + 6]
    assert stored.scopes == ["persons:read", "persons:write"]
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert not any(secret in str(value) for value in row.values())
    event = AuditEvent.objects.get(action="api_token.created")
    assert (event.actor, event.object_id) == (alice, str(token.pk))
    assert secret not in str(event.summary) + str(event.detail)


def test_it_finds_the_user_of_a_token_and_refuses_revoked_or_unknown_ones(alice):
    from django.utils import timezone

    token, secret = create_token(actor=None, user=alice, name="sisko", scopes=["persons:read"])
    found = user_for_token(secret)
    assert found is not None
    assert found == (alice, token)
    assert user_for_token(secret + "x") is None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert user_for_token(secret) is None


def test_it_refuses_an_unknown_scope(alice):
    with pytest.raises(ValueError, match="persons:delete"):
        create_token(actor=None, user=alice, name="sisko", scopes=["persons:delete"])
    assert not ApiToken.objects.exists()


def test_it_creates_a_token_from_the_command_line(alice, capsys):
    call_command("token", "create", "--user", "alice", "--name", "sisko", "--scopes", "persons:read")
    out = capsys.readouterr().out
    token = ApiToken.objects.get()
    [secret] = [word for word in out.split() if word.startswith(TOKEN_PREFIX)]
    assert user_for_token(secret) == (alice, token)
    assert token.scopes == ["persons:read"]


def test_it_shows_a_user_their_roles(client, bob):
    client.force_login(bob)
    response = client.get("/akun/profil/")
    assert response.status_code == 200
    assert response.context["roles"] == [Role.AUDITOR]
