"""Outreach API (/api/v1/outreach): events with attendee counts, follow-ups and what they led to.

An event is visible to its agency only (404 for others). Scopes: `cases:read`, `cases:write`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.cases.services import CaseData
from sinergi.outreach import services
from sinergi.outreach.models import AgeGroup, FollowUp, FollowUpKind, OutreachEvent, TargetGroup
from sinergi.outreach.selectors import events_visible_to, get_event_for_user, get_follow_up_for_user
from sinergi.programmes.services import ProgrammeError
from sinergi.registry.api import ErrorOut
from sinergi.registry.services import InvalidData

router = Router(tags=["outreach"])


class OutreachCountIO(Schema):
    sex: str = Field(description="L or P")
    age_group: str = Field(description=", ".join(AgeGroup.values))
    count: int


class OutreachFollowUpOut(Schema):
    id: int
    kind: str = Field(description=", ".join(FollowUpKind.values))
    status: str
    description: str
    person_id: int | None
    programme_type: str
    case_id: int | None = Field(description="The case it led to.")
    case_number: str | None
    enrolment_id: int | None = Field(description="The enrolment it led to.")


class OutreachEventOut(Schema):
    id: int
    held_on: date
    region_code: str | None
    place: str
    topic: str
    target_group: str = Field(description=", ".join(TargetGroup.values))
    counsellor_id: int
    materials: str
    attendees: int
    counts: list[OutreachCountIO]
    named_attendees: int = Field(description="How many agreed to leave their name (names are not in the API).")
    follow_ups: list[OutreachFollowUpOut]


class OutreachEventIn(Schema):
    held_on: date
    place: str
    topic: str
    target_group: str
    counsellor_id: int
    region_code: str = ""
    materials: str = ""
    counts: list[OutreachCountIO] = []


class OutreachFollowUpIn(Schema):
    kind: str = Field(description=", ".join(FollowUpKind.values))
    description: str
    person_id: int | None = None
    reporter_name: str = ""
    reporter_contact: str = ""
    programme_type: str = ""
    category_codes: list[str] = []


class OutreachEnrolIn(Schema):
    cohort_id: int


class OutreachCaseIn(Schema):
    channel: str = "LAINNYA"
    complainant_type: str = "KELUARGA"
    phase: str = "SELAMA"
    category_codes: list[str]
    complainant_name: str = ""
    complainant_contact: str = ""
    narrative: str = ""
    destination_country: str = ""


def _follow_up_out(f: FollowUp) -> OutreachFollowUpOut:
    return OutreachFollowUpOut(
        id=f.pk,
        kind=f.kind,
        status=f.status,
        description=f.description,
        person_id=f.person_id,
        programme_type=f.programme_type,
        case_id=f.case_id,
        case_number=f.case.number if f.case is not None else None,
        enrolment_id=f.enrolment_id,
    )


def _event_out(event: OutreachEvent) -> OutreachEventOut:
    counts = [OutreachCountIO(sex=c.sex, age_group=c.age_group, count=c.count) for c in event.counts.all()]
    return OutreachEventOut(
        id=event.pk,
        held_on=event.held_on,
        region_code=event.region_id,
        place=event.place,
        topic=event.topic,
        target_group=event.target_group,
        counsellor_id=event.counsellor_id,
        materials=event.materials,
        attendees=sum(c.count for c in counts),
        counts=counts,
        named_attendees=event.named_attendees.count(),
        follow_ups=[_follow_up_out(f) for f in event.follow_ups.select_related("case")],
    )


def _refusal(error: Exception) -> Status[ErrorOut]:
    if isinstance(error, InvalidData):
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))
    return Status(409, ErrorOut(detail=str(error)))


_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("", response={200: list[OutreachEventOut]}, summary="Your agency's outreach events, newest first")
def list_events(request: AuthedRequest, limit: int = 50) -> Any:
    require_scope(request, "cases:read")
    found = events_visible_to(request.user).prefetch_related("counts")[: max(1, min(limit, 200))]
    return Status(200, [_event_out(e) for e in found])


@router.post("", response={201: OutreachEventOut, **_WRITE}, summary="Record an outreach event")
def create_event(request: AuthedRequest, payload: OutreachEventIn) -> Any:
    require_scope(request, "cases:write")
    data = services.EventData(
        held_on=payload.held_on,
        place=payload.place,
        topic=payload.topic,
        target_group=payload.target_group,
        counsellor_id=payload.counsellor_id,
        region_code=payload.region_code,
        materials=payload.materials,
        counts={(c.sex, c.age_group): c.count for c in payload.counts},
    )
    try:
        event = services.record_event_held(actor=request.user, data=data)
    except InvalidData as error:
        return _refusal(error)
    return Status(201, _event_out(event))


@router.get("/{event_id}", response={200: OutreachEventOut, 404: ErrorOut}, summary="One event with its follow-ups")
def event_detail(request: AuthedRequest, event_id: int) -> Any:
    require_scope(request, "cases:read")
    return Status(200, _event_out(get_event_for_user(request.user, event_id)))


@router.post("/{event_id}/follow-ups", response={201: OutreachFollowUpOut, **_WRITE}, summary="Raise a follow-up")
def raise_follow_up(request: AuthedRequest, event_id: int, payload: OutreachFollowUpIn) -> Any:
    require_scope(request, "cases:write")
    try:
        follow_up = services.raise_follow_up(
            actor=request.user, event_id=event_id, data=services.FollowUpData(**payload.dict())
        )
    except InvalidData as error:
        return _refusal(error)
    return Status(201, _follow_up_out(follow_up))


@router.post(
    "/follow-ups/{follow_up_id}/enrol",
    response={200: OutreachFollowUpOut, **_WRITE},
    summary="Enrol the follow-up's person",
)
def enrol(request: AuthedRequest, follow_up_id: int, payload: OutreachEnrolIn) -> Any:
    require_scope(request, "cases:write")
    try:
        services.enrol_from_follow_up(actor=request.user, follow_up_id=follow_up_id, cohort_id=payload.cohort_id)
    except (InvalidData, services.OutreachError, ProgrammeError) as error:
        return _refusal(error)
    return Status(200, _follow_up_out(get_follow_up_for_user(request.user, follow_up_id)))


@router.post(
    "/follow-ups/{follow_up_id}/case",
    response={200: OutreachFollowUpOut, **_WRITE},
    summary="Open a case for the follow-up's person",
)
def open_case(request: AuthedRequest, follow_up_id: int, payload: OutreachCaseIn) -> Any:
    require_scope(request, "cases:write")
    follow_up = get_follow_up_for_user(request.user, follow_up_id)
    if follow_up.person_id is None:
        return _refusal(services.OutreachError(_("Choose or register the person this follow-up is about first.")))
    data = CaseData(person_id=follow_up.person_id, **payload.dict())
    try:
        services.open_case_from_follow_up(actor=request.user, follow_up_id=follow_up_id, data=data)
    except (InvalidData, services.OutreachError) as error:
        return _refusal(error)
    return Status(200, _follow_up_out(get_follow_up_for_user(request.user, follow_up_id)))
