"""/audit/: the agency's trail and access log for auditors (and supervisors); nobody else's."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.roles import Role
from sinergi.audit.events import record_event
from sinergi.audit.models import AuditEvent
from sinergi.audit.selectors import audit_events_visible_to
from sinergi.audit.views import PAGE_SIZE
from sinergi.registry.services import record_person_view
from sinergi.testing.factories import UserFactory, make_person

AUDIT = "/audit/"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def siti(alice):
    return make_person(alice, full_name="Siti Aminah", sex="P", birth_date=date(1990, 10, 12))


def test_it_shows_the_auditor_who_opened_a_person_record(client, alice, bob, siti):
    client.force_login(alice)
    assert client.get(f"/orang/{siti.pk}/").status_code == 200

    client.force_login(bob)
    response = client.get(AUDIT, {"action": "person.viewed"})
    assert response.status_code == 200
    [event] = response.context["events"]
    assert (event.action, event.actor, event.object_id, event.via) == ("person.viewed", alice, str(siti.pk), "web")
    body = response.content.decode()
    assert "person.viewed" in body
    assert alice.display_name in body


def test_it_forbids_the_audit_trail_to_a_petugas(client, alice, siti):
    client.force_login(alice)
    assert client.get(AUDIT).status_code == 403


def test_it_lets_a_supervisor_read_the_audit_trail(client, bp3mi, siti):
    kepala = UserFactory(username="kepala", agency=bp3mi, roles=[Role.SUPERVISOR])
    client.force_login(kepala)
    response = client.get(AUDIT)
    assert response.status_code == 200
    assert "person.registered" in {event.action for event in response.context["events"]}


def test_it_shows_who_from_another_agency_touched_the_agencys_records(bob, dave, siti):
    record_person_view(actor=dave, person=siti)  # e.g. later through a referral
    visible = audit_events_visible_to(bob)
    assert visible.filter(actor=dave, action="person.viewed", object_id=str(siti.pk)).exists()


def test_it_hides_other_agencies_events_from_the_auditor(bob, dave, carol):
    make_person(dave, full_name="Budi Santoso", sex="L")
    make_person(carol, full_name="Wayan Sudarta", sex="L")
    record_event(actor=dave, action="api_token.created", summary="dinsos token")
    assert not audit_events_visible_to(bob).exists()


def test_it_shows_nothing_to_a_user_without_the_capability(alice, carol, siti):
    assert not audit_events_visible_to(alice).exists()
    assert not audit_events_visible_to(carol).exists()


def test_it_filters_by_person(client, alice, bob, siti):
    other = make_person(alice, full_name="Soeharto", sex="L", birth_date=date(1984, 3, 17))
    record_person_view(actor=alice, person=siti)
    record_person_view(actor=alice, person=other)
    client.force_login(bob)
    response = client.get(AUDIT, {"person": str(siti.pk)})
    assert {event.object_id for event in response.context["events"]} == {str(siti.pk)}
    assert {event.action for event in response.context["events"]} == {"person.registered", "person.viewed"}


def test_it_pages_newest_first_with_a_fixed_number_of_queries(client, alice, bob, siti, django_assert_max_num_queries):
    for _ in range(PAGE_SIZE + 9):
        record_person_view(actor=alice, person=siti)
    client.force_login(bob)
    with django_assert_max_num_queries(5):
        first = client.get(AUDIT)
    ids = [event.pk for event in first.context["events"]]
    assert len(ids) == PAGE_SIZE
    assert ids == sorted(ids, reverse=True)
    assert first.context["next_before"] == ids[-1]

    second = client.get(AUDIT, {"before": ids[-1]})
    rest = [event.pk for event in second.context["events"]]
    assert len(rest) == AuditEvent.objects.count() - PAGE_SIZE
    assert max(rest) < min(ids)
    assert second.context["next_before"] is None


def test_it_lists_the_page_with_the_same_queries_for_few_and_many_events(client, alice, bob, siti):
    client.force_login(bob)
    with CaptureQueriesContext(connection) as few:
        client.get(AUDIT)
    for n in range(20):
        viewer = UserFactory(username=f"viewer{n}", agency=alice.agency)
        record_person_view(actor=viewer, person=siti)
    with CaptureQueriesContext(connection) as many:
        response = client.get(AUDIT)
    assert len(response.context["events"]) == 21
    assert len(many.captured_queries) == len(few.captured_queries)


def test_it_records_the_origin_of_a_web_request(client, alice, siti):
    client.force_login(alice)
    client.get(f"/orang/{siti.pk}/", REMOTE_ADDR="10.0.0.7")
    event = AuditEvent.objects.get(action="person.viewed")
    assert (event.ip_address, event.via, event.agency) == ("10.0.0.7", "web", alice.agency)


def test_it_records_a_command_as_such(alice):
    event = record_event(actor=None, action="demo.person_seeded", summary="x" * 400)
    assert (event.via, event.ip_address, event.agency) == ("command", None, None)
    assert len(event.summary) == 300
