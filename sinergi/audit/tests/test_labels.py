"""The audit page speaks words, not codes: actions, channels and agencies by name."""

from __future__ import annotations

import pytest
from django.utils import translation

from sinergi.audit.labels import ACTION_LABELS, action_label, via_label
from sinergi.testing.factories import make_person

pytestmark = pytest.mark.django_db


def test_it_shows_actions_channels_and_agencies_by_name(client, alice, bob):
    person = make_person(alice, full_name="Siti Aminah")
    client.force_login(alice)
    client.get(f"/orang/{person.pk}/")
    client.force_login(bob)
    page = client.get("/audit/").content.decode()
    with translation.override("id"):
        assert f'<td data-label="{translation.gettext("Action")}">{action_label("person.viewed")}</td>' in page
        assert via_label("web") in page
    assert "<code>person.viewed</code>" not in page
    assert ">bp3mi-sulteng<" not in page and alice.agency.name in page


def test_every_action_the_code_records_has_a_label():
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    recorded = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        recorded |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', path.read_text()))
    kinds = ("identifier", "family", "episode", "phone")
    recorded |= {f"person.{kind}_removed" for kind in kinds}
    assert recorded - set(ACTION_LABELS) == set()
