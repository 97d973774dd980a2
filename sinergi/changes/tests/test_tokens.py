"""Per-system API tokens: `sinergi token create --agency`, `list`, `revoke`; system accounts never use the pages."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.test import Client

from sinergi.accounts.models import ApiToken, User
from sinergi.accounts.roles import Capability, Role
from sinergi.accounts.tokens import TOKEN_PREFIX, revoke_token, user_for_token
from sinergi.audit.models import AuditEvent
from sinergi.changes.tests.clients import ApiClient


def create(capsys, *args: str) -> tuple[ApiToken, str]:
    call_command("token", "create", *args)
    out = capsys.readouterr().out
    [secret] = [word for word in out.split() if word.startswith(TOKEN_PREFIX)]
    found = user_for_token(secret)
    assert found is not None
    return found[1], secret


def test_it_creates_a_system_account_and_its_token_for_an_agency(bp3mi, capsys):
    token, secret = create(
        capsys, "--agency", "bp3mi-sulteng", "--name", "SIKS-NG Sentra", "--scopes", "persons:read", "persons:write"
    )
    account = token.user
    assert account.username == "system.bp3mi-sulteng.siks-ng-sentra"
    assert (account.agency, account.is_system_account, account.has_usable_password()) == (bp3mi, True, False)
    assert account.role_set() == {Role.OPERATOR_DATA}
    assert account.has_capability(Capability.IMPORT_DATA)
    assert (token.name, token.scopes) == ("SIKS-NG Sentra", ["persons:read", "persons:write"])
    assert AuditEvent.objects.filter(action="system_account.created", object_id=str(account.pk)).exists()
    assert ApiClient(secret).get("/api/v1/changes").status_code == 200


def test_it_gives_a_second_token_of_the_same_system_the_same_account(bp3mi, capsys):
    first, _ = create(capsys, "--agency", "bp3mi-sulteng", "--name", "SIKS-NG")
    second, _ = create(capsys, "--agency", "bp3mi-sulteng", "--name", "SIKS-NG")
    assert first.pk != second.pk
    assert first.user == second.user
    assert User.objects.filter(is_system_account=True).count() == 1


def test_it_still_creates_a_token_for_a_person(alice, capsys):
    token, _ = create(capsys, "--user", "alice", "--name", "skrip", "--scopes", "cases:read")
    assert (token.user, token.scopes) == (alice, ["cases:read"])


def test_it_refuses_an_unknown_agency_and_names_the_known_codes(bp3mi):
    with pytest.raises(CommandError, match="bp3mi-sulteng"):
        call_command("token", "create", "--agency", "bp3mi", "--name", "SIKS-NG")
    assert not ApiToken.objects.exists()


def test_it_asks_for_an_agency_or_a_user(bp3mi):
    with pytest.raises(CommandError):
        call_command("token", "create", "--name", "SIKS-NG")
    with pytest.raises(CommandError):
        call_command("token", "create", "--name", "SIKS-NG", "--agency", "bp3mi-sulteng", "--user", "alice")


def test_it_refuses_a_system_name_that_is_a_persons_username(bp3mi):
    User.objects.create(username="system.bp3mi-sulteng.siks-ng", agency=bp3mi)
    with pytest.raises(CommandError, match="choose another system name"):
        call_command("token", "create", "--agency", "bp3mi-sulteng", "--name", "SIKS-NG")


def test_it_lists_tokens_with_prefix_account_scopes_and_state(bp3mi, alice, capsys):
    system, _ = create(capsys, "--agency", "bp3mi-sulteng", "--name", "SIKS-NG", "--scopes", "persons:read")
    create(capsys, "--user", "alice", "--name", "skrip")
    call_command("token", "list")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    [line] = [line for line in lines if system.prefix in line]
    assert "SIKS-NG" in line and "bp3mi-sulteng" in line and "system" in line and "persons:read" in line
    assert "never used" in line or "last used" in line


def test_it_revokes_a_token_by_its_prefix(bp3mi, capsys):
    token, secret = create(capsys, "--agency", "bp3mi-sulteng", "--name", "SIKS-NG")
    api = ApiClient(secret)
    assert api.get("/api/v1/changes").status_code == 200
    call_command("token", "revoke", token.prefix)
    assert "Revoked" in capsys.readouterr().out
    assert api.get("/api/v1/changes").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoked", object_id=str(token.pk)).exists()
    call_command("token", "list")
    assert "revoked" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No active token"):
        call_command("token", "revoke", token.prefix)


def test_it_revokes_by_the_prefix_without_its_sng_start(bp3mi, capsys):
    token, secret = create(capsys, "--agency", "bp3mi-sulteng", "--name", "SIKS-NG")
    assert revoke_token(actor=None, prefix=token.prefix.removeprefix(TOKEN_PREFIX)) == token
    assert user_for_token(secret) is None


def test_it_revokes_by_id_when_two_tokens_share_a_prefix(bp3mi, capsys):
    first, _ = create(capsys, "--agency", "bp3mi-sulteng", "--name", "SIKS-NG")
    second, _ = create(capsys, "--agency", "bp3mi-sulteng", "--name", "SIKS-NG")
    ApiToken.objects.filter(pk=second.pk).update(prefix=first.prefix)
    with pytest.raises(CommandError, match="--id"):
        call_command("token", "revoke", first.prefix)
    call_command("token", "revoke", "--id", str(second.pk))
    assert list(ApiToken.objects.filter(revoked_at__isnull=True)) == [first]


def test_it_never_lets_a_system_account_into_the_pages(bp3mi, capsys):
    token, secret = create(capsys, "--agency", "bp3mi-sulteng", "--name", "SIKS-NG")
    client = Client()
    try:
        # No password matches an unusable one: not an empty one, not the stored marker, not the token.
        for password in ("", token.user.password, secret):
            response = client.post("/akun/login/", {"login": token.user.username, "password": password})
            assert response.status_code == 200
            assert "_auth_user_id" not in client.session
    finally:
        cache.clear()  # allauth counts failed logins in the cache, which outlives the test's transaction
    # A bearer token is for the API only: a page answers with the login redirect.
    response = client.get("/orang/", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/login/")
