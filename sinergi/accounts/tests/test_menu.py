"""The menu's parts rendered once per process (sinergi/menu.py) still follow each user's rights and language,
and never carry one user's name, badge or CSRF token to another."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.menu import _RENDERED, forget_menu_fragments
from sinergi.notifications.models import Notification, NotificationKind
from sinergi.testing.factories import UserFactory

pytestmark = pytest.mark.usefixtures("fast_password_hashing")


@pytest.fixture(autouse=True)
def empty_store() -> None:
    forget_menu_fragments()


def menu(body: str) -> str:
    return body.split('<ul class="main-nav">', 1)[1].split("</nav>", 1)[0]


def without_tokens(body: str) -> str:
    return re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", body)


def csrf_tokens(body: str) -> set[str]:
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', body))


def test_it_renders_the_same_menu_from_the_store_as_freshly(client: Client, alice: User) -> None:
    client.force_login(alice)
    client.get("/notifikasi/")
    stored = len(_RENDERED)
    assert stored >= 3
    from_store = client.get("/notifikasi/").content.decode()
    assert len(_RENDERED) == stored
    forget_menu_fragments()
    fresh = client.get("/notifikasi/").content.decode()
    assert without_tokens(menu(from_store)) == without_tokens(menu(fresh))
    assert csrf_tokens(from_store) != csrf_tokens(fresh)  # the token is rendered per page, never stored


def test_it_gives_each_set_of_rights_its_own_menu(client: Client, alice: User, bob: User) -> None:
    client.force_login(alice)
    worker = menu(client.get("/notifikasi/").content.decode())
    client.force_login(bob)  # an auditor: the audit log, no imports
    auditor = menu(client.get("/notifikasi/").content.decode())
    assert 'href="/audit/"' in auditor
    assert 'href="/audit/"' not in worker


def test_it_follows_a_role_change_on_the_next_page(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert 'href="/impor/"' not in client.get("/notifikasi/").content.decode()
    alice.set_roles([Role.OPERATOR_DATA])
    assert 'href="/impor/"' in client.get("/notifikasi/").content.decode()
    alice.set_roles([Role.PETUGAS])
    assert 'href="/impor/"' not in client.get("/notifikasi/").content.decode()


def test_it_follows_a_language_switch(client: Client, alice: User) -> None:
    client.force_login(alice)
    assert ">Data orang</a>" in menu(client.get("/notifikasi/").content.decode())
    client.post("/i18n/setlang/", {"language": "en", "next": "/notifikasi/"})
    english = client.get("/notifikasi/").content.decode()
    assert ">Persons</a>" in menu(english)
    assert 'aria-current="true">English<' in english
    client.post("/i18n/setlang/", {"language": "id", "next": "/notifikasi/"})
    indonesian = client.get("/notifikasi/").content.decode()
    assert ">Data orang</a>" in menu(indonesian)
    assert 'aria-current="true">Bahasa Indonesia<' in indonesian


def test_it_never_shows_one_users_name_badge_or_token_to_another(bp3mi: Agency) -> None:
    """Same agency, same role: the same stored menu parts, yet each sees their own name, badge and token."""
    ani = UserFactory(username="ani", first_name="Ani", agency=bp3mi, roles=[Role.PETUGAS])
    budi = UserFactory(username="budi", first_name="Budi", agency=bp3mi, roles=[Role.PETUGAS])
    for n in range(3):
        Notification.objects.create(
            recipient=ani, kind=NotificationKind.TASK, title=f"t{n}", url="/kasus/", dedupe_key=f"k{n}"
        )
    pages = {}
    for user in (ani, budi):
        browser = Client()
        browser.force_login(user)
        pages[user.username] = browser.get("/notifikasi/").content.decode()
    assert "<summary>Ani</summary>" in menu(pages["ani"])
    assert "<summary>Budi</summary>" in menu(pages["budi"])
    assert '<span class="badge sensitive">3</span>' in menu(pages["ani"])
    assert "badge" not in menu(pages["budi"])
    assert not csrf_tokens(pages["ani"]) & csrf_tokens(pages["budi"])


def test_it_refuses_a_fragment_without_a_quoted_name() -> None:
    from django.template import TemplateSyntaxError

    with pytest.raises(TemplateSyntaxError):
        Template("{% load sinergi_menu %}{% menu_fragment name %}x{% endmenu_fragment %}")


def test_it_keeps_a_fragment_per_name(settings: Any) -> None:
    rendered = Template(
        '{% load sinergi_menu %}{% menu_fragment "a" %}A{{ x }}{% endmenu_fragment %}'
        '{% menu_fragment "b" %}B{{ x }}{% endmenu_fragment %}'
    )
    assert rendered.render(Context({"x": 1})) == "A1B1"
    assert rendered.render(Context({"x": 2})) == "A1B1"  # stored: only rights and language vary a fragment
    forget_menu_fragments()
    assert rendered.render(Context({"x": 2})) == "A2B2"
