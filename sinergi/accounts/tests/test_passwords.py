"""Passwords are stored with Argon2 (the first of PASSWORD_HASHERS), never in clear."""

from __future__ import annotations

from django.contrib.auth.hashers import check_password

from sinergi.testing.factories import TEST_PASSWORD


def test_it_hashes_passwords_with_argon2(alice):
    alice.refresh_from_db()
    assert alice.password.startswith("argon2")
    assert TEST_PASSWORD not in alice.password
    assert check_password(TEST_PASSWORD, alice.password)


def test_it_logs_in_against_the_argon2_hash(client, alice):
    response = client.post("/akun/login/", {"login": "alice", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)
