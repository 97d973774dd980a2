"""Data-subject requests: the legal clock, recording and answering with personas, corrections applied through
the registry and audited, refusals that need a reason, the clock's notifications each once, and the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from sinergi.accounts.models import User
from sinergi.accounts.tokens import create_token
from sinergi.audit.models import AuditEvent
from sinergi.notifications.models import Notification
from sinergi.privacy import deadlines, services
from sinergi.privacy.models import RequestKind, RequestStatus, SubjectRequest
from sinergi.privacy.tests.conftest import SITI_NIK, receive
from sinergi.registry.models import Person
from sinergi.registry.services import InvalidData
from sinergi.testing.referral_fixtures import Clock, wita

# --- the deadline arithmetic --------------------------------------------------------------------------------


@given(
    kind=st.sampled_from(RequestKind.values),
    received=st.datetimes(min_value=datetime(2024, 10, 17), max_value=datetime(2040, 1, 1), timezones=st.just(UTC)),
)
def test_it_gives_three_times_24_calendar_hours_for_every_kind(kind: str, received: datetime) -> None:
    assert deadlines.due_at(kind, received) - received == timedelta(hours=72)
    assert deadlines.remind_at(kind, received) == received + timedelta(hours=48)
    assert "UU 27/2022 Pasal" in deadlines.PERIODS[kind].basis


def test_it_counts_weekends_and_holidays_as_hours_on_the_clock() -> None:
    friday_evening = wita(2026, 12, 25, 17, 30)  # Christmas, a Friday: the clock still runs over the weekend
    assert deadlines.due_at("AKSES", friday_evening) == wita(2026, 12, 28, 17, 30)
    assert deadlines.hours_left(wita(2026, 12, 28, 17, 30), wita(2026, 12, 28, 20, 30)) == -3


# --- recording ------------------------------------------------------------------------------------------------


def test_it_records_a_request_starts_the_clock_audits_and_tells_the_answerers_once(
    alice: User, sari: User, bob: User, siti: Person, clock: Clock
) -> None:
    clock.set(wita(2026, 12, 7, 9))
    request = receive(alice, siti, received_at=wita(2026, 12, 7, 8))
    assert request.status == RequestStatus.RECEIVED
    assert request.due_at == wita(2026, 12, 10, 8)
    assert request.basis == "UU 27/2022 Pasal 30 ayat (1)"
    assert AuditEvent.objects.filter(action="subject_request.received", object_id=str(request.pk)).count() == 1
    # The head answers: told once; the desk worker and the auditor are not.
    assert list(Notification.objects.values_list("recipient__username", flat=True)) == ["sari"]


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"identity_check": " "}, "identity_check"),
        ({"requester": "WALI"}, "requester_name"),
        ({"field": ""}, "field"),
        ({"proposed_value": ""}, "proposed_value"),
        ({"channel": "MERPATI"}, "channel"),
    ],
)
def test_it_says_what_to_fix(alice: User, siti: Person, values: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidData) as refused:
        receive(alice, siti, **values)
    assert field in refused.value.errors
    assert not SubjectRequest.objects.exists()


def test_a_childs_request_comes_from_a_parent_or_guardian(alice: User) -> None:
    from datetime import date

    from sinergi.testing.referral_fixtures import person_for

    child = person_for(alice, full_name="Nur Aini", birth_date=date(2015, 3, 1))
    with pytest.raises(InvalidData) as refused:
        receive(alice, child)
    assert "requester" in refused.value.errors
    request = receive(alice, child, requester="WALI", requester_name="Ibu Nur")
    assert request.requester_name == "Ibu Nur"


def test_it_refuses_a_request_received_in_the_future(alice: User, siti: Person, clock: Clock) -> None:
    with pytest.raises(InvalidData) as refused:
        receive(alice, siti, received_at=clock.now + timedelta(hours=2))
    assert "received_at" in refused.value.errors


def test_personas_may_record_and_answer_only_in_their_own_agency(
    alice: User, sari: User, bob: User, carol: User, yusuf: User, siti: Person
) -> None:
    with pytest.raises(PermissionDenied):
        receive(bob, siti)  # the auditor reads, records nothing
    with pytest.raises(Http404):
        receive(yusuf, siti)  # another agency's person: not found
    request = receive(alice, siti)
    with pytest.raises(PermissionDenied):
        services.answer_request(actor=alice, request_id=request.pk, outcome="DITOLAK", reason="x")
    with pytest.raises(Http404):
        services.answer_request(actor=yusuf, request_id=request.pk, outcome="DITOLAK", reason="x")


# --- answering ----------------------------------------------------------------------------------------------


def test_it_applies_a_granted_correction_through_the_registry_with_history_and_audit(
    alice: User, sari: User, siti: Person
) -> None:
    request = receive(alice, siti)
    services.start_request(actor=sari, request_id=request.pk)
    answered = services.answer_request(
        actor=sari, request_id=request.pk, outcome="DIKABULKAN", answer="NIK sudah diperbaiki."
    )
    siti.refresh_from_db()
    assert siti.nik == "7271055210900002"
    assert answered.status == RequestStatus.ANSWERED and answered.answered_by == sari
    assert answered.change == {"field": "nik", "before": SITI_NIK, "after": "7271055210900002"}
    assert siti.history.first().history_user == sari
    assert AuditEvent.objects.filter(action="person.updated", object_id=str(siti.pk), actor=sari).exists()
    assert AuditEvent.objects.filter(action="subject_request.answered", object_id=str(request.pk)).exists()


def test_it_keeps_the_request_open_when_the_corrected_value_is_invalid(alice: User, sari: User, siti: Person) -> None:
    request = receive(alice, siti, proposed_value="1234")
    with pytest.raises(InvalidData) as refused:
        services.answer_request(actor=sari, request_id=request.pk, outcome="DIKABULKAN")
    assert "proposed_value" in refused.value.errors
    request.refresh_from_db()
    siti.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED and siti.nik == SITI_NIK


def test_it_refuses_a_refusal_without_a_reason(alice: User, sari: User, siti: Person) -> None:
    request = receive(alice, siti)
    with pytest.raises(InvalidData) as refused:
        services.answer_request(actor=sari, request_id=request.pk, outcome="DITOLAK", reason="  ")
    assert "reason" in refused.value.errors
    answered = services.answer_request(
        actor=sari, request_id=request.pk, outcome="DITOLAK", reason="NIK di KTP yang diperlihatkan sama."
    )
    siti.refresh_from_db()
    assert answered.outcome == "DITOLAK" and siti.nik == SITI_NIK
    with pytest.raises(InvalidData):  # answered once
        services.answer_request(actor=sari, request_id=request.pk, outcome="DIKABULKAN")


# --- the clock's notifications ------------------------------------------------------------------------------


def test_it_notifies_at_24_hours_left_and_when_overdue_each_exactly_once(
    alice: User, sari: User, siti: Person, clock: Clock
) -> None:
    clock.set(wita(2026, 12, 7, 8))
    request = receive(alice, siti)  # due 10-12 08:00
    assert services.check_request_deadlines().day_left == 0
    clock.set(wita(2026, 12, 9, 8, 1))
    assert services.check_request_deadlines().day_left == 1
    assert services.check_request_deadlines().day_left == 0  # a second run (cron and worker) alerts nobody again
    clock.set(wita(2026, 12, 10, 8, 1))
    assert services.check_request_deadlines().overdue == 1
    assert services.check_request_deadlines().overdue == 0
    keys = sorted(Notification.objects.filter(recipient=sari).values_list("dedupe_key", flat=True))
    assert keys == [f"subject-request:{request.pk}:{step}" for step in ("day_left", "overdue", "received")]
    assert AuditEvent.objects.filter(action="subject_request.overdue").count() == 1


def test_it_stops_the_clock_once_answered(alice: User, sari: User, siti: Person, clock: Clock) -> None:
    request = receive(alice, siti)
    services.answer_request(actor=sari, request_id=request.pk, outcome="DITOLAK", reason="Data sudah benar.")
    clock.advance(hours=100)
    assert services.check_request_deadlines().overdue == 0


# --- the API ------------------------------------------------------------------------------------------------


def _token(user: User) -> dict[str, str]:
    _, secret = create_token(actor=None, user=user, name="dsr", scopes=["persons:read", "persons:write"])
    return {"Authorization": f"Bearer {secret}"}


def test_the_api_records_lists_and_answers_requests(
    client: Client, alice: User, sari: User, yusuf: User, siti: Person
) -> None:
    body = {
        "kind": "PERBAIKAN",
        "channel": "EMAIL",
        "identity_check": "Foto KTP dan swafoto",
        "field": "birth_place",
        "proposed_value": "Donggala",
    }
    url = f"/api/v1/privacy/persons/{siti.pk}/requests"
    created = client.post(url, body, content_type="application/json", headers=_token(alice))
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    assert created.json()["hours_left"] in (71, 72) and created.json()["basis"].startswith("UU 27/2022")
    assert client.post(url, body, content_type="application/json", headers=_token(yusuf)).status_code == 404
    listed = client.get("/api/v1/privacy/requests", headers=_token(sari)).json()
    assert [row["id"] for row in listed] == [request_id]
    assert client.get("/api/v1/privacy/requests", headers=_token(yusuf)).json() == []
    answer_url = f"/api/v1/privacy/requests/{request_id}/answer"
    refused = client.post(answer_url, {"outcome": "DITOLAK"}, content_type="application/json", headers=_token(sari))
    assert refused.status_code == 422 and "reason" in refused.json()["errors"]
    granted = client.post(answer_url, {"outcome": "DIKABULKAN"}, content_type="application/json", headers=_token(sari))
    assert granted.status_code == 200
    assert granted.json()["change"] == {"field": "birth_place", "before": "Palu", "after": "Donggala"}
    assert client.get("/api/v1/privacy/requests", headers=_token(sari)).json() == []  # open ones by default
