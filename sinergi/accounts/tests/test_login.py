"""Everything but the login page and /healthz needs a login; the login page speaks Indonesian first."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from sinergi.accounts.models import User
from sinergi.testing.factories import TEST_PASSWORD

LOGIN = "/akun/login/"

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


@pytest.fixture(autouse=True)
def forget_rate_limits():
    """allauth counts failed logins in the cache, which outlives the test's transaction."""
    yield
    cache.clear()


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/orang/",
        "/orang/baru/",
        "/orang/cocok/?full_name=Siti",
        "/orang/nik/?nik=7271055210900001",
        "/orang/1/",
        "/orang/1/ubah/",
        "/wilayah/pilih/?province=72",
        "/audit/",
        "/akun/profil/",
        "/akun/password/change/",
    ],
)
def test_it_sends_an_anonymous_visitor_to_the_login_page(client, db, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")


@pytest.mark.parametrize(
    "path", ["/orang/baru/", "/orang/1/ubah/", "/orang/1/phone/tambah/", "/orang/1/phone/1/hapus/"]
)
def test_it_sends_an_anonymous_post_to_the_login_page_and_saves_nothing(client, db, path):
    from sinergi.registry.models import Person

    response = client.post(path, {"full_name": "Siti Aminah", "kind": "PMI", "number": "0812 4455 6677"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{LOGIN}?next=")
    assert not Person.objects.exists()


def test_it_serves_the_login_page_and_healthz_without_login(client, db):
    assert client.get(LOGIN).status_code == 200
    assert client.get("/healthz").status_code == 200


def test_it_shows_the_login_page_in_indonesian_by_default(client, db):
    body = client.get(LOGIN).content.decode()
    assert '<html lang="id">' in body
    assert "Masuk ke Sinergi" in body


def test_it_switches_an_anonymous_visitor_to_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": LOGIN})
    assert (response.status_code, response["Location"]) == (302, LOGIN)
    body = client.get(LOGIN).content.decode()
    assert '<html lang="en">' in body
    assert "Log in to Sinergi" in body


def test_it_logs_in_with_username_and_password(client, alice):
    response = client.post(LOGIN, {"login": "alice", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert client.get("/orang/").status_code == 200


def test_it_refuses_a_wrong_password(client, alice):
    response = client.post(LOGIN, {"login": "alice", "password": "wrong-password"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_locks_an_account_after_repeated_failures_even_for_the_right_password(client, alice):
    for _ in range(5):
        client.post(LOGIN, {"login": "alice", "password": "wrong-password"})
    response = client.post(LOGIN, {"login": "alice", "password": TEST_PASSWORD})
    assert response.status_code != 302
    assert "_auth_user_id" not in client.session


def test_it_does_not_let_anyone_sign_up(client, db):
    client.post(
        "/akun/signup/", {"username": "mallory", "password1": "a-long-password-1", "password2": "a-long-password-1"}
    )
    assert not User.objects.filter(username="mallory").exists()
