"""Findings 3 and 4 (issue 9): the admin has no password-only login; supervisors, data officers and admins
must switch on TOTP (configurable); the account pages render, in Indonesian; lockout is by username only."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.cache import cache

from sinergi.accounts.roles import Role
from sinergi.testing.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")
LOGIN = "/akun/login/"


@pytest.fixture(autouse=True)
def forget_rate_limits():
    yield
    cache.clear()


@pytest.fixture
def admin_user(bp3mi):
    return UserFactory(username="adi", agency=bp3mi, roles=[Role.ADMIN], is_staff=True, is_superuser=True)


def main_of(response) -> str:
    match = re.search(r"<main[^>]*>(.*)</main>", response.content.decode(), re.S)
    assert match, "no <main>"
    return match.group(1).strip()


def test_it_sends_the_admin_login_to_the_allauth_login(client, admin_user):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    # A password posted to the admin's own login no longer logs anyone in.
    response = client.post("/admin/login/?next=/admin/", {"username": "adi", "password": TEST_PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_it_asks_for_the_second_factor_before_the_admin_opens(client, admin_user):
    TOTP.activate(admin_user, generate_totp_secret())
    response = client.post(LOGIN, {"login": "adi", "password": TEST_PASSWORD})
    assert response.status_code == 302 and "/2fa/authenticate" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    assert client.get("/api/v1/persons?q=Siti").status_code in (401, 403)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.OPERATOR_DATA, Role.ADMIN])
def test_it_requires_totp_for_the_roles_that_can_do_most(client, settings, bp3mi, role):
    settings.SINERGI_MFA_REQUIRED_ROLES = ["supervisor", "operator_data", "admin"]
    user = UserFactory(username="kepala", agency=bp3mi, roles=[role])
    client.force_login(user)
    response = client.get("/orang/")
    assert response.status_code == 302 and response["Location"] == "/akun/2fa/totp/activate/"
    assert client.get("/api/v1/persons?q=Siti").status_code == 403
    # The setup page stays reachable (allauth first asks for the password again after a while).
    response = client.get("/akun/2fa/totp/activate/")
    assert response.status_code == 200 or response["Location"].startswith("/akun/reauthenticate/")
    TOTP.activate(user, generate_totp_secret())
    assert client.get("/orang/").status_code == 200


def test_it_lets_other_roles_in_without_totp_and_can_be_switched_off(client, settings, alice, sari):
    settings.SINERGI_MFA_REQUIRED_ROLES = ["supervisor", "operator_data", "admin"]
    client.force_login(alice)
    assert client.get("/orang/").status_code == 200
    settings.SINERGI_MFA_REQUIRED_ROLES = []
    client.force_login(sari)
    assert client.get("/orang/").status_code == 200


@pytest.mark.parametrize(
    ("path", "indonesian"),
    [
        ("/akun/2fa/", "Autentikator"),
        ("/akun/password/change/", "Kata Sandi"),
        ("/akun/reauthenticate/", "Kata Sandi"),
    ],
)
def test_it_renders_the_account_pages_in_indonesian(client, alice, path, indonesian):
    # (The TOTP setup page first asks for the password again: /akun/reauthenticate/ is that page.)
    client.force_login(alice)
    response = client.get(path)
    assert response.status_code == 200
    main = main_of(response)
    assert "<form" in main or "<a" in main, main[:200]
    assert indonesian.lower() in main.lower()


def test_it_renders_the_password_reset_page_for_a_visitor(client, db):
    response = client.get("/akun/password/reset/")
    assert response.status_code == 200
    assert "<form" in main_of(response)


def test_it_locks_by_username_not_by_the_office_address(client, bp3mi):
    users = [UserFactory(username=f"staf{i}", agency=bp3mi, roles=[Role.PETUGAS]) for i in range(13)]
    # Twelve strangers behind the same NAT address mistype their passwords once each...
    for user in users[:12]:
        response = client.post(LOGIN, {"login": user.username, "password": "salah"}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code in (200, 400)
    # ...and a colleague at the same address still logs in.
    response = client.post(LOGIN, {"login": users[12].username, "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302, response.content[:300]


def test_it_checks_the_second_factor_with_the_users_own_query(client, settings, bp3mi):
    """The TOTP check on every page of a supervisor is loaded with the user: no query of its own, and a
    factor switched off counts from the next page."""
    from allauth.mfa.models import Authenticator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.SINERGI_MFA_REQUIRED_ROLES = ["supervisor"]
    user = UserFactory(username="kepala", agency=bp3mi, roles=[Role.SUPERVISOR])
    TOTP.activate(user, generate_totp_secret())
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/notifikasi/").status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].lstrip().startswith('SELECT 1 AS "a" FROM "mfa_')]
    assert len(queries.captured_queries) == 3  # session, user (roles, badge, factor), the notifications
    Authenticator.objects.filter(user=user).delete()
    response = client.get("/notifikasi/")
    assert response.status_code == 302 and response["Location"] == "/akun/2fa/totp/activate/"
