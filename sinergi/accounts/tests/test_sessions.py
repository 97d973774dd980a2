"""The session store's plain SELECT answers as Django's: a live session, none for an unknown or expired key."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.sessions import SessionStore

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


def test_it_reads_back_what_was_saved(db: Any) -> None:
    store = SessionStore()
    store["answer"] = 42
    store.create()
    again = SessionStore(store.session_key)
    assert again["answer"] == 42
    assert again.session_key == store.session_key


def test_it_has_no_session_for_an_unknown_key(db: Any) -> None:
    store = SessionStore("x" * 32)
    assert store.load() == {}
    assert store.session_key is None


def test_it_has_no_session_once_expired(db: Any) -> None:
    store = SessionStore()
    store["answer"] = 42
    store.create()
    Session.objects.filter(session_key=store.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert SessionStore(store.session_key).load() == {}


def test_it_keeps_a_signed_in_user_until_logout_or_expiry(client: Any, alice: User) -> None:
    client.force_login(alice)
    assert client.get("/notifikasi/").status_code == 200
    key = client.cookies["sessionid"].value
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/notifikasi/").status_code == 302  # expired: the login page
    client.force_login(alice)
    assert client.get("/notifikasi/").status_code == 200
    client.post("/akun/logout/")
    assert client.get("/notifikasi/").status_code == 302
