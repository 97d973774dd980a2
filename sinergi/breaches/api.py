"""Breach register API (/api/v1/breaches): report a suspected breach, the register, assess, record the notices,
close, and the notification report (PDF) for the authority.

A breach is its agency's: heads, administrators and auditors read the register, a reporter the breaches they
reported; other agencies get 404. Scopes: `persons:read`, `persons:write` (the register is about personal data).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.breaches import services
from sinergi.breaches.clock import clock_state
from sinergi.breaches.documents import notification_report_pdf
from sinergi.breaches.models import Breach, BreachStatus, DataCategory, NoticeRecipient
from sinergi.breaches.selectors import breaches_visible_to, get_breach_for_user
from sinergi.registry.api import ErrorOut
from sinergi.registry.services import InvalidData

router = Router(tags=["breaches"])


class BreachClockOut(Schema):
    notify_by: datetime = Field(description="discovered_at + 72 calendar hours (UTC).")
    running: bool = Field(description="True while a notice is still owed on a suspected or confirmed breach.")
    seconds_left: int = Field(description="Negative once overdue.")
    overdue: bool
    escalation_level: int = Field(description="0 none, 1 at discovery, 2 24 h left, 3 6 h left, 4 overdue.")


class BreachNoticeOut(Schema):
    notified_at: datetime | None
    how: str
    late: bool | None


class BreachOut(Schema):
    id: int
    reference: str
    status: str = Field(description=", ".join(BreachStatus.values))
    description: str
    how_found: str
    discovered_at: datetime
    occurred_at: datetime | None
    reported_at: datetime
    reported_by_id: int
    clock: BreachClockOut
    assessed_at: datetime | None
    dismissal_reason: str
    data_categories: list[str] = Field(description=", ".join(DataCategory.values))
    persons_affected: int | None
    affected_person_ids: list[int] = Field(description="Registry persons of the agency recorded as affected.")
    cause: str
    containment: str
    recovery: str
    partner_agency_id: int | None
    subjects_notice: BreachNoticeOut
    authority_notice: BreachNoticeOut
    closed_at: datetime | None


class BreachReportIn(Schema):
    description: str = Field(description="What happened (no names or NIKs of the persons concerned).")
    discovered_at: datetime = Field(description="With a time zone, e.g. 2026-03-17T10:00:00+08:00.")
    how_found: str
    occurred_at: datetime | None = None


class BreachAssessIn(Schema):
    confirmed: bool = Field(description="true: a breach (give the details); false: dismissed (give the reason).")
    dismissal_reason: str = ""
    data_categories: list[str] = Field(default_factory=list, description=", ".join(DataCategory.values))
    persons_affected: int | None = None
    affected_person_ids: list[int] = Field(default_factory=list, description="Your agency's persons only.")
    cause: str = ""
    containment: str = ""
    recovery: str = ""
    partner_agency_id: int | None = None
    discovered_at: datetime | None = Field(
        default=None, description="A corrected discovery time (with a time zone); moves the deadline with it."
    )


class BreachNoticeIn(Schema):
    recipient: str = Field(description=", ".join(NoticeRecipient.values))
    notified_at: datetime = Field(description="With a time zone.")
    how: str = Field(description="How the notice was sent (letter number, e-mail, the authority's portal).")


def _notice(moment: datetime | None, how: str, breach: Breach) -> BreachNoticeOut:
    return BreachNoticeOut(notified_at=moment, how=how, late=None if moment is None else moment > breach.notify_by)


def _out(breach: Breach) -> BreachOut:
    state = clock_state(breach.notify_by, timezone.now())
    return BreachOut(
        id=breach.pk,
        reference=breach.reference,
        status=breach.status,
        description=breach.description,
        how_found=breach.how_found,
        discovered_at=breach.discovered_at,
        occurred_at=breach.occurred_at,
        reported_at=breach.reported_at,
        reported_by_id=breach.reported_by_id,
        clock=BreachClockOut(
            notify_by=breach.notify_by,
            running=breach.clock_running,
            seconds_left=int(state.remaining.total_seconds()),
            overdue=state.overdue,
            escalation_level=breach.escalation_level,
        ),
        assessed_at=breach.assessed_at,
        dismissal_reason=breach.dismissal_reason,
        data_categories=list(breach.data_categories),
        persons_affected=breach.persons_affected,
        affected_person_ids=[person.pk for person in breach.affected_persons.all()],
        cause=breach.cause,
        containment=breach.containment,
        recovery=breach.recovery,
        partner_agency_id=breach.partner_agency_id,
        subjects_notice=_notice(breach.subjects_notified_at, breach.subjects_notified_how, breach),
        authority_notice=_notice(breach.authority_notified_at, breach.authority_notified_how, breach),
        closed_at=breach.closed_at,
    )


def _refusal(error: Exception) -> Status[ErrorOut]:
    if isinstance(error, InvalidData):
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))
    return Status(409, ErrorOut(detail=str(error)))


_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get("", response={200: list[BreachOut]}, summary="Your agency's breach register, newest discovery first")
def list_breaches(request: AuthedRequest, limit: int = 50) -> Any:
    require_scope(request, "persons:read")
    found = breaches_visible_to(request.user).prefetch_related("affected_persons")[: max(1, min(limit, 200))]
    return Status(200, [_out(breach) for breach in found])


@router.post(
    "",
    response={201: BreachOut, 403: ErrorOut, 422: ErrorOut},
    summary="Report a suspected personal-data breach of your agency",
    description="Anyone of the agency may report. The 3×24-hour clock (72 calendar hours, UU 27/2022 Pasal 46) "
    "starts at `discovered_at`; the agency's heads and administrators are alerted at once.",
)
def report(request: AuthedRequest, payload: BreachReportIn) -> Any:
    require_scope(request, "persons:write")
    try:
        breach = services.report_breach(actor=request.user, data=services.ReportData(**payload.dict()))
    except InvalidData as error:
        return _refusal(error)
    return Status(201, _out(breach))


@router.get("/{breach_id}", response={200: BreachOut, 404: ErrorOut}, summary="One breach with its clock")
def detail(request: AuthedRequest, breach_id: int) -> Any:
    require_scope(request, "persons:read")
    return Status(200, _out(get_breach_for_user(request.user, breach_id)))


@router.post(
    "/{breach_id}/assess",
    response={200: BreachOut, **_WRITE},
    summary="Assess: confirm (data involved, persons, cause, containment, recovery) or dismiss with a reason",
)
def assess(request: AuthedRequest, breach_id: int, payload: BreachAssessIn) -> Any:
    require_scope(request, "persons:write")
    try:
        breach = services.assess_breach(
            actor=request.user, breach_id=breach_id, data=services.AssessmentData(**payload.dict())
        )
    except (InvalidData, services.BreachError) as error:
        return _refusal(error)
    return Status(200, _out(breach))


@router.post(
    "/{breach_id}/notifications",
    response={200: BreachOut, **_WRITE},
    summary="Record the notice sent to the data subjects (SUBJEK) or to the authority (LEMBAGA)",
)
def notify(request: AuthedRequest, breach_id: int, payload: BreachNoticeIn) -> Any:
    require_scope(request, "persons:write")
    try:
        breach = services.record_notice(actor=request.user, breach_id=breach_id, **payload.dict())
    except (InvalidData, services.BreachError) as error:
        return _refusal(error)
    return Status(200, _out(breach))


@router.post("/{breach_id}/close", response={200: BreachOut, **_WRITE}, summary="Close (both notices recorded)")
def close(request: AuthedRequest, breach_id: int) -> Any:
    require_scope(request, "persons:write")
    try:
        breach = services.close_breach(actor=request.user, breach_id=breach_id)
    except services.BreachError as error:
        return _refusal(error)
    return Status(200, _out(breach))


@router.get(
    "/{breach_id}/report",
    response={200: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="The notification report for the authority (PDF, Indonesian), with the letter template to subjects",
    description="Names no person and no NIK. For the heads, administrators and auditors; the download is audited.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF (Content-Disposition: attachment).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def notification_report(request: AuthedRequest, breach_id: int) -> Any:
    require_scope(request, "persons:read")
    breach = get_breach_for_user(request.user, breach_id)
    try:
        services.report_downloaded(actor=request.user, breach=breach, document="api")
    except services.BreachError as error:
        return _refusal(error)
    response = HttpResponse(notification_report_pdf(breach), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pemberitahuan-{breach.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
