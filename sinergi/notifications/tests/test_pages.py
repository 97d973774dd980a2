"""The notification inbox: list, open (marks read, local pages only), mark all read."""

from __future__ import annotations

from typing import Any

import pytest

from sinergi.accounts.models import User
from sinergi.notifications.models import Notification, NotificationKind
from sinergi.notifications.views import is_local_path


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def note(user: User, url: str = "/rujukan/7/", title: str = "Rujukan baru", key: str = "k1") -> Notification:
    return Notification.objects.create(
        recipient=user, kind=NotificationKind.REFERRAL_NEW, title=title, url=url, dedupe_key=key
    )


def test_it_lists_the_users_notifications_with_unread_highlighted(client, alice, carol):
    read = note(alice, title="Sudah dibaca", key="a")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    note(alice, title="Belum dibaca", key="b")
    note(carol, title="Milik Carol", key="c")
    client.force_login(alice)
    body = client.get("/notifikasi/").content.decode()
    assert '<li class="unread">' in body
    assert "<strong>Belum dibaca</strong>" in body
    assert "Sudah dibaca" in body
    assert "Milik Carol" not in body


def test_it_marks_a_notification_read_when_opened_and_goes_to_its_page(client, alice):
    notification = note(alice, url="/rujukan/7/")
    client.force_login(alice)
    response = client.post(f"/notifikasi/{notification.pk}/buka/")
    assert (response.status_code, response["Location"]) == (302, "/rujukan/7/")
    notification.refresh_from_db()
    assert notification.read_at is not None


@pytest.mark.parametrize("url", ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"])
def test_it_never_redirects_off_the_site(client, alice, url):
    notification = note(alice, url=url)
    client.force_login(alice)
    response = client.post(f"/notifikasi/{notification.pk}/buka/")
    assert (response.status_code, response["Location"]) == (302, "/notifikasi/")


def test_it_answers_404_for_someone_elses_notification(client, alice, carol):
    notification = note(carol)
    client.force_login(alice)
    assert client.post(f"/notifikasi/{notification.pk}/buka/").status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_it_marks_all_read(client, alice, carol):
    note(alice, key="a")
    note(alice, key="b")
    theirs = note(carol, key="c")
    client.force_login(alice)
    response = client.post("/notifikasi/baca-semua/")
    assert (response.status_code, response["Location"]) == (302, "/notifikasi/")
    assert not alice.notifications.filter(read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_refuses_mark_all_read_by_get(client, alice):
    client.force_login(alice)
    assert client.get("/notifikasi/baca-semua/").status_code == 405


def test_it_recognises_local_paths():
    assert is_local_path("/kasus/3/#tasks")
    assert not is_local_path("kasus/3/")
    assert not is_local_path("http://127.0.0.1/rujukan/1/")


def test_it_lists_three_times_the_notifications_with_the_same_number_of_queries(client, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/notifikasi/").status_code == 200
        return len(captured)

    for n in range(2):
        note(alice, title=f"Rujukan {n}", key=f"few-{n}")
    client.force_login(alice)
    client.get("/notifikasi/")  # session and language warm-up
    few = queries()
    for n in range(4):
        note(alice, title=f"Rujukan lagi {n}", key=f"more-{n}")
    assert queries() == few
