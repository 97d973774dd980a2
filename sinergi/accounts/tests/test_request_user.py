"""The signed-in user of a page is loaded with its roles and the unread badge in one query, and still answers
every check as a separately loaded user would: roles changed, deactivated, password changed, notifications read."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.backends import load_request_user
from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability, Role
from sinergi.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.usefixtures("fast_password_hashing")

AUDIT_LINK = 'href="/audit/"'


def note(user: User, key: str) -> Notification:
    return Notification.objects.create(
        recipient=user, kind=NotificationKind.TASK, title=f"Tugas {key}", url="/kasus/", dedupe_key=key
    )


def badge(body: str) -> str | None:
    """The unread figure beside "Notifications" in the menu, or None without a badge."""
    link = body.split('href="/notifikasi/"', 1)[1].split("</a>", 1)[0]
    if "badge" not in link:
        return None
    return link.split('<span class="badge sensitive">', 1)[1].split("</span>", 1)[0]


def test_it_loads_the_user_roles_and_unread_count_in_one_query(client: Any, alice: User) -> None:
    note(alice, "a")
    client.force_login(alice)
    with CaptureQueriesContext(connection) as queries:
        body = client.get("/notifikasi/").content.decode()
    sql = [query["sql"] for query in queries.captured_queries]
    assert badge(body) == "1"
    assert not [s for s in sql if s.lstrip().startswith('SELECT "accounts_userrole"')]
    # session, the user (with roles and badge), the page's notifications: the frame adds nothing per page
    assert len(sql) == 3, sql


def test_it_loads_the_roles_and_the_unread_count(alice: User) -> None:
    note(alice, "a")
    note(alice, "b")
    Notification.objects.filter(dedupe_key="b").update(read_at="2026-01-05T10:00:00+08:00")
    alice.set_roles([Role.PETUGAS, Role.SUPERVISOR])
    user = load_request_user(alice.pk)
    assert user is not None
    assert user.role_set() == {Role.PETUGAS, Role.SUPERVISOR}
    assert user.unread_notification_count == 1  # type: ignore[attr-defined]


def test_it_loads_a_user_without_roles_as_having_none(alice: User) -> None:
    alice.set_roles([])
    user = load_request_user(alice.pk)
    assert user is not None
    assert user.role_set() == frozenset()
    assert not user.has_capability(Capability.VIEW_PERSONS)


def test_it_counts_a_role_change_from_the_next_page(client: Any, alice: User) -> None:
    client.force_login(alice)
    assert AUDIT_LINK not in client.get("/notifikasi/").content.decode()
    alice.set_roles([Role.PETUGAS, Role.SUPERVISOR])
    assert AUDIT_LINK in client.get("/notifikasi/").content.decode()
    alice.set_roles([Role.PETUGAS])
    assert AUDIT_LINK not in client.get("/notifikasi/").content.decode()
    assert client.get("/audit/").status_code in (403, 404)


def test_it_shows_the_right_unread_count_after_a_notification_is_read(client: Any, alice: User) -> None:
    first = note(alice, "a")
    note(alice, "b")
    client.force_login(alice)
    assert badge(client.get("/notifikasi/").content.decode()) == "2"
    client.post(f"/notifikasi/{first.pk}/buka/")
    assert badge(client.get("/notifikasi/").content.decode()) == "1"
    client.post("/notifikasi/baca-semua/")
    body = client.get("/notifikasi/").content.decode()
    assert badge(body) is None
    assert "/notifikasi/baca-semua/" not in body  # nothing left to mark


def test_it_counts_again_after_marking_read_in_the_same_request(alice: User) -> None:
    from sinergi.notifications.selectors import unread_count
    from sinergi.notifications.services import mark_all_read

    note(alice, "a")
    user = load_request_user(alice.pk)
    assert user is not None
    assert unread_count(user) == 1
    mark_all_read(user=user)
    assert unread_count(user) == 0


def test_it_logs_out_a_deactivated_user(client: Any, alice: User) -> None:
    client.force_login(alice)
    assert client.get("/notifikasi/").status_code == 200
    User.objects.filter(pk=alice.pk).update(is_active=False)
    response = client.get("/notifikasi/")
    assert response.status_code == 302
    assert "/akun/" in response["Location"]


def test_it_logs_out_other_sessions_after_a_password_change(client: Any, alice: User) -> None:
    client.force_login(alice)
    alice.set_password("a-new-password-1234")
    alice.save()
    response = client.get("/notifikasi/")
    assert response.status_code == 302
