"""Data-subject requests for partner systems: the access export as JSON, requests (record, list, read, answer)
with their legal clocks, and the erasure dry run. The same services as the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.privacy import services
from sinergi.privacy.models import Channel, Outcome, Requester, RequestKind, RequestStatus, SubjectRequest
from sinergi.privacy.selectors import RequestFilter, filter_requests, get_request_for_user
from sinergi.privacy.services import export_subject_data
from sinergi.registry.api import ErrorOut
from sinergi.registry.services import InvalidData

router = Router(tags=["privacy"])


@router.get(
    "/persons/{person_id}/subject-access",
    response={200: dict[str, Any]},
    summary="Everything the agency holds about a person (right of access, UU PDP)",
    description="For a supervisor or administrator of the agency that registered the person; 404 otherwise. "
    "One list per kind of record (registry, source records, cases, referrals, assessments, assistance, "
    "programmes, outreach) and the access log. References to other persons and names of staff are left out. "
    "The export is recorded in the audit trail. The same export as PDF: /data-pribadi/orang/{id}/ekspor.pdf.",
)
def subject_access(request: AuthedRequest, person_id: int) -> Any:
    require_scope(request, "persons:read")
    return export_subject_data(actor=request.user, person_id=person_id, file_format="api")


class SubjectRequestIn(Schema):
    kind: RequestKind = Field(description="AKSES, PERBAIKAN (correction), PEMBATASAN (restriction), PENGHAPUSAN.")
    channel: Channel
    identity_check: str = Field(max_length=300, description="How the asker's identity (and authority) was checked.")
    requester: Requester = Requester.SELF
    requester_name: str = Field("", max_length=200, description="Required when a guardian or a proxy asked.")
    details: str = Field("", max_length=5000)
    field: str = Field("", description="For a correction: " + ", ".join(services.CORRECTABLE_FIELDS))
    proposed_value: str = Field("", max_length=300, description="For a correction: the correct value.")
    received_at: datetime | None = Field(None, description="When the request reached the agency; now if empty.")


class SubjectRequestAnswerIn(Schema):
    outcome: Outcome
    answer: str = Field("", max_length=5000, description="The answer to the person.")
    reason: str = Field("", max_length=5000, description="Required when refused or partly granted.")


class SubjectRequestOut(Schema):
    id: int
    person_id: int
    kind: str
    channel: str
    requester: str
    received_at: datetime
    due_at: datetime
    basis: str = Field(description="The article of UU 27/2022 that sets the deadline.")
    hours_left: int = Field(description="Whole hours to the deadline; negative when overdue.")
    overdue: bool
    status: str
    field: str
    proposed_value: str
    outcome: str
    answer: str
    reason: str
    change: dict[str, Any] = Field(description="What granting changed (a correction: field, before, after).")
    answered_at: datetime | None


class ErasureKeptOut(Schema):
    what: str
    count: int
    reason: str


class ErasurePlanOut(Schema):
    person_id: int
    allowed: bool = Field(description="False when the law requires keeping records (listed in `kept`).")
    kept: list[ErasureKeptOut]
    removed: list[str]


def _out(row: SubjectRequest) -> SubjectRequestOut:
    return SubjectRequestOut(
        id=row.pk,
        person_id=row.person_id,
        kind=row.kind,
        channel=row.channel,
        requester=row.requester,
        received_at=row.received_at,
        due_at=row.due_at,
        basis=row.basis,
        hours_left=row.hours_left,
        overdue=row.is_overdue,
        status=row.status,
        field=row.field,
        proposed_value=row.proposed_value,
        outcome=row.outcome,
        answer=row.answer,
        reason=row.reason,
        change=row.change,
        answered_at=row.answered_at,
    )


def _refused(error: Exception) -> Status[ErrorOut]:
    if isinstance(error, InvalidData):
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))
    return Status(403, ErrorOut(detail=str(error)))


@router.post(
    "/persons/{person_id}/requests",
    response={201: SubjectRequestOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record a data-subject request about one of your agency's persons (starts the legal clock)",
)
def create_request(request: AuthedRequest, person_id: int, payload: SubjectRequestIn) -> Any:
    require_scope(request, "persons:write")
    try:
        created = services.receive_request(
            actor=request.user, person_id=person_id, data=services.RequestData(**payload.dict())
        )
    except (InvalidData, PermissionDenied) as error:
        return _refused(error)
    return Status(201, _out(created))


class SubjectRequestFilter(Schema):
    status: str = Field("open", description="open (default), all, or DITERIMA, DIPROSES, DIJAWAB")
    kind: RequestKind | None = None
    overdue: bool = False


@router.get(
    "/requests",
    response={200: list[SubjectRequestOut]},
    summary="Your agency's data-subject requests, nearest deadline first",
)
def list_requests(request: AuthedRequest, filters: Query[SubjectRequestFilter]) -> Any:
    require_scope(request, "persons:read")
    status = filters.status if filters.status in ("open", *RequestStatus.values) else ""
    flt = RequestFilter(status=status, kind=filters.kind or "", overdue=filters.overdue)
    return Status(200, [_out(row) for row in filter_requests(request.user, flt)[:500]])


@router.get("/requests/{request_id}", response={200: SubjectRequestOut, 404: ErrorOut}, summary="One request")
def get_request(request: AuthedRequest, request_id: int) -> Any:
    require_scope(request, "persons:read")
    return Status(200, _out(get_request_for_user(request.user, request_id)))


@router.post(
    "/requests/{request_id}/answer",
    response={200: SubjectRequestOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Answer a request: granting applies it (correction, restriction, erasure); a refusal needs a reason",
)
def answer(request: AuthedRequest, request_id: int, payload: SubjectRequestAnswerIn) -> Any:
    require_scope(request, "persons:write")
    try:
        answered = services.answer_request(actor=request.user, request_id=request_id, **payload.dict())
    except (InvalidData, PermissionDenied) as error:
        return _refused(error)
    return Status(200, _out(answered))


@router.get(
    "/persons/{person_id}/erasure-plan",
    response={200: ErasurePlanOut, 404: ErrorOut},
    summary="Erasure dry run: what must be kept and why, and what anonymising would change",
)
def erasure_plan(request: AuthedRequest, person_id: int) -> Any:
    require_scope(request, "persons:read")
    plan = services.erasure_plan_for(actor=request.user, person_id=person_id)
    return Status(
        200,
        ErasurePlanOut(
            person_id=plan.person_id,
            allowed=plan.allowed,
            kept=[ErasureKeptOut(what=k.what, count=k.count, reason=k.reason) for k in plan.kept],
            removed=plan.removed,
        ),
    )
