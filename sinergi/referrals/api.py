"""Referrals API (/api/v1/referrals): transitions as POST actions, the same services as the pages.

A referral is visible to the sending agency, and to the receiving agency once sent; any other agency gets 404.
The receiver sees the case sections the joint SOP shares only while the referral is open. Refusals:
409 when the referral's state does not allow the action (the message names the states, and who acted last),
403 when your agency, role or token may not, 422 per field.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.db.models import Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.models import User
from sinergi.api.auth import require_scope
from sinergi.cases.api import CaseAssessmentIn, CaseAssessmentOut, _assessment_out
from sinergi.cases.selectors import get_case_for_user
from sinergi.cases.services import AssessmentData
from sinergi.directory.models import Service
from sinergi.referrals import services
from sinergi.referrals.models import (
    OPEN_REFERRAL_STATUSES,
    Deadline,
    LawfulBasis,
    Referral,
    ReferralStatus,
)
from sinergi.referrals.selectors import get_referral_for_user, referrals_visible_to, shared_case_for
from sinergi.registry.api import EpisodeOut, ErrorOut, FamilyOut, PhoneOut, episode_out
from sinergi.registry.services import InvalidData
from sinergi.sharing.access import record_access
from sinergi.sharing.sections import SHAREABLE_SECTIONS
from sinergi.sharing.shared_case import SharedCase
from sinergi.sop.models import SharedSection

router = Router(tags=["referrals"])

MAX_PAGE = 200
BOXES = ("incoming", "outgoing", "overdue", "mine")


# --- schemas -------------------------------------------------------------------------------------------------


class ReferralAgencyOut(Schema):
    id: int
    code: str
    name: str


class ServiceOut(Schema):
    id: int
    code: str
    name: str
    category: str
    agency: ReferralAgencyOut
    eligibility: str


class ReferralRowOut(Schema):
    id: int
    status: str
    case_id: int
    case_number: str
    from_agency: str
    to_agency: str
    service: str
    sent_at: datetime | None
    assigned_to: str | None
    next_due_at: datetime | None = Field(description="The earliest running SLA deadline.")
    overdue: bool


class ReferralPageOut(Schema):
    items: list[ReferralRowOut]
    next_before: int | None = Field(
        description="Pass it as `?before=` for the next (older) page; null on the last page."
    )


class DeadlineOut(Schema):
    step: str = Field(description="ACK (acknowledge), DECIDE (accept or reject), FIRST_SERVICE, COMPLETE.")
    started_at: datetime
    due_at: datetime
    met_at: datetime | None
    cancelled_at: datetime | None
    overdue: bool
    escalation_level: int = Field(description="0 none, 1 receiving supervisors alerted, 2 sending supervisors too.")


class EventOut(Schema):
    from_status: str
    to_status: str
    by: str | None
    at: datetime
    note: str


class ServiceRecordOut(Schema):
    id: int
    agency: str
    delivered_on: date
    description: str
    by: str
    at: datetime


class IdentityOut(Schema):
    person_id: int
    full_name: str
    sex: str
    birth_date: date | None
    nik: str
    flag_child: bool
    flag_disability: bool
    flag_trafficking: bool


class ContactOut(Schema):
    phones: list[PhoneOut]
    region_code: str | None
    address_text: str


class MigrationOut(Schema):
    destination_country: str
    employer: str
    placement_company: str
    procedural: bool | None
    episodes: list[EpisodeOut]


class ComplaintOut(Schema):
    channel: str
    received_at: datetime
    categories: list[str]
    phase: str
    urgency: str
    narrative: str


class SharedNoteOut(Schema):
    id: int
    text: str
    by: str
    at: datetime


class AttachmentOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    at: datetime


class SharedCaseOut(Schema):
    """Each section is null unless the referral shares it with you (the owning agency sees all)."""

    sections: list[str]
    identity: IdentityOut | None = None
    contact: ContactOut | None = None
    family: list[FamilyOut] | None = None
    migration: MigrationOut | None = None
    complaint: ComplaintOut | None = None
    assessments: list[CaseAssessmentOut] | None = None
    notes: list[SharedNoteOut] | None = None
    attachments: list[AttachmentOut] | None = None


class ReferralOut(Schema):
    id: int
    status: str
    status_label: str
    case_id: int
    case_number: str
    from_agency: ReferralAgencyOut
    to_agency: ReferralAgencyOut
    service: ServiceOut
    parent_id: int | None
    reason: str
    status_reason: str = Field(description="Why rejected, failed or revoked.")
    outcome: str
    feedback: str
    letter_number: str
    override_basis: str = Field(description="Lawful basis when a supervisor sent it without consent.")
    override_reason: str
    assigned_to: str | None
    created_at: datetime
    sent_at: datetime | None
    acknowledged_at: datetime | None
    accepted_at: datetime | None
    decided_by: str | None
    first_service_at: datetime | None
    closed_at: datetime | None
    deadlines: list[DeadlineOut]
    events: list[EventOut]
    service_records: list[ServiceRecordOut] = Field(description="Kept by the receiver after the referral closes.")
    receiver_assessments: list[CaseAssessmentOut] = Field(
        description="The receiving agency's asesmen on this referral."
    )
    shared: SharedCaseOut


class ReferralIn(Schema):
    case_id: int
    service_id: int = Field(description="One of GET /referrals/services?case_id=.")
    reason: str
    parent_id: int | None = Field(None, description="The referral this one follows on from (rujukan lanjutan).")


class ReferralOverrideIn(Schema):
    basis: str = Field(description=", ".join(LawfulBasis.values))
    reason: str = Field(description="Why consent cannot be obtained.")


class SendIn(Schema):
    override: ReferralOverrideIn | None = Field(
        None, description="Supervisors only, when the SOP requires consent that is not recorded: audited."
    )


class ReferralReasonIn(Schema):
    reason: str


class ServiceRecordIn(Schema):
    delivered_on: date
    description: str


class CompleteIn(Schema):
    outcome: str
    feedback: str = Field(description="For the sending agency.")


# --- helpers -------------------------------------------------------------------------------------------------


def _refusal(error: services.ReferralError | InvalidData) -> Status[ErrorOut]:
    if isinstance(error, InvalidData):
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))
    return Status(409, ErrorOut(detail=str(error)))


def _act(request: AuthedRequest, referral_id: int, action: Callable[[], object]) -> Any:
    """Run one handshake step: 200 with the referral as the user now sees it, or the refusal (409/422)."""
    require_scope(request, "referrals:write")
    try:
        action()
    except (services.ReferralError, InvalidData) as error:
        return _refusal(error)
    return Status(200, _referral_out(request.user, referral_id))


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


def _agency_out(agency: Any) -> ReferralAgencyOut:
    return ReferralAgencyOut(id=agency.pk, code=agency.code, name=agency.name)


def _service_out(service: Service) -> ServiceOut:
    return ServiceOut(
        id=service.pk,
        code=service.code,
        name=service.name,
        category=service.category,
        agency=_agency_out(service.agency),
        eligibility=service.eligibility,
    )


def _shared_case(shared: SharedCase) -> SharedCaseOut:
    """The shared case view (``sinergi.sharing.shared_case``) as JSON: the same content the page renders."""
    sections = shared.sections
    out = SharedCaseOut(sections=sorted(sections & SHAREABLE_SECTIONS))
    if shared.person is not None:
        person = shared.person
        case = shared.complaint.case if shared.complaint else None
        out.identity = IdentityOut(
            person_id=person.pk,
            full_name=person.full_name,
            sex=person.sex,
            birth_date=person.birth_date,
            nik=person.nik,
            # The case's flags belong to the complaint section (they were set from the person's at intake).
            flag_child=person.is_minor or bool(case and case.flag_child),
            flag_disability=bool(case and case.flag_disability),
            flag_trafficking=bool(case and case.flag_trafficking),
        )
    if SharedSection.CONTACT in sections and shared.contact_of is not None:
        person = shared.contact_of
        out.contact = ContactOut(
            phones=[PhoneOut(id=p.pk, number=p.number, label=p.label) for p in shared.phones],
            region_code=person.region_id,
            address_text=person.address_text,
        )
    if SharedSection.FAMILY in sections:
        out.family = [
            FamilyOut(
                id=f.pk,
                relationship=f.relationship,
                name=f.name,
                phone=f.phone,
                is_next_of_kin=f.is_next_of_kin,
                relative_id=None,
            )
            for f in shared.family
        ]
    if SharedSection.MIGRATION in sections and shared.migration_case is not None:
        case = shared.migration_case
        out.migration = MigrationOut(
            destination_country=case.destination_country,
            employer=case.employer,
            placement_company=case.placement_company,
            procedural=case.procedural,
            episodes=[episode_out(e) for e, _country in shared.episodes],
        )
    if shared.complaint is not None:
        case = shared.complaint.case
        out.complaint = ComplaintOut(
            channel=case.channel,
            received_at=case.received_at,
            categories=[c.code for c in shared.complaint.categories],
            phase=case.phase,
            urgency=case.urgency,
            narrative=case.narrative,
        )
    if SharedSection.ASSESSMENTS in sections:
        out.assessments = [_assessment_out(a) for a in shared.assessments]
    if SharedSection.NOTES in sections:
        out.notes = [SharedNoteOut(id=n.pk, text=n.text, by=n.by.display_name, at=n.at) for n in shared.notes]
    if SharedSection.ATTACHMENTS in sections:
        out.attachments = [
            AttachmentOut(id=a.pk, kind=a.kind, name=a.original_name, size=a.size, at=a.at) for a in shared.attachments
        ]
    return out


def _referral_out(user: User, referral_id: int) -> ReferralOut:
    referral = get_referral_for_user(user, referral_id)
    case = referral.case
    now = timezone.now()
    return ReferralOut(
        id=referral.pk,
        status=referral.status,
        status_label=str(ReferralStatus(referral.status).label),
        case_id=case.pk,
        case_number=case.number,
        from_agency=_agency_out(referral.from_agency),
        to_agency=_agency_out(referral.to_agency),
        service=_service_out(referral.service),
        parent_id=referral.parent_id,
        reason=referral.reason,
        status_reason=referral.status_reason,
        outcome=referral.outcome,
        feedback=referral.feedback,
        letter_number=referral.letter_number,
        override_basis=referral.override_basis,
        # The supervisor's written reason stays with the sending agency (the page hides it from the receiver).
        override_reason=referral.override_reason if user.agency_id == referral.from_agency_id else "",
        assigned_to=_name(referral.assigned_to),
        created_at=referral.created_at,
        sent_at=referral.sent_at,
        acknowledged_at=referral.acknowledged_at,
        accepted_at=referral.accepted_at,
        decided_by=_name(referral.decided_by),
        first_service_at=referral.first_service_at,
        closed_at=referral.closed_at,
        deadlines=[
            DeadlineOut(
                step=d.step,
                started_at=d.started_at,
                due_at=d.due_at,
                met_at=d.met_at,
                cancelled_at=d.cancelled_at,
                overdue=d.is_overdue(now),
                escalation_level=d.escalation_level,
            )
            for d in referral.deadlines.order_by("started_at", "due_at")
        ],
        events=[
            EventOut(from_status=e.from_status, to_status=e.to_status, by=_name(e.by), at=e.at, note=e.note)
            for e in referral.events.select_related("by")
        ],
        service_records=[
            ServiceRecordOut(
                id=s.pk,
                agency=s.agency.name,
                delivered_on=s.delivered_on,
                description=s.description,
                by=s.by.display_name,
                at=s.at,
            )
            for s in referral.service_records.select_related("agency", "by")
        ],
        receiver_assessments=[
            _assessment_out(a)
            for a in referral.assessments.filter(agency_id=referral.to_agency_id).select_related("agency", "by")
        ],
        shared=_shared_case(shared_case_for(user, referral)),
    )


def _in_box(user: User, queryset: QuerySet[Referral], box: str) -> QuerySet[Referral]:
    if box == "incoming":
        return queryset.filter(to_agency_id=user.agency_id)
    if box == "outgoing":
        return queryset.filter(from_agency_id=user.agency_id)
    if box == "overdue":
        late = Deadline.objects.filter(
            referral=OuterRef("pk"), met_at__isnull=True, cancelled_at__isnull=True, due_at__lt=timezone.now()
        )
        return queryset.filter(Exists(late))
    if box == "mine":
        return queryset.filter(Q(assigned_to=user) | Q(created_by=user))
    return queryset


# --- endpoints -----------------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: ReferralPageOut, 422: ErrorOut},
    summary="Referrals your agency sent or received, newest first (keyset pagination)",
    description="`box`: `incoming` (received), `outgoing` (sent, drafts included), `overdue` (a step past its "
    "deadline), `mine` (created by or assigned to you). `status`: a referral status or `open`. Page with "
    "`before` = the previous page's `next_before`.",
)
def list_referrals(
    request: AuthedRequest, box: str = "", status: str = "", before: int | None = None, limit: int = 50
) -> Any:
    require_scope(request, "referrals:read")
    errors: dict[str, list[str]] = {}
    if box and box not in BOXES:
        errors["box"] = [_("Unknown box: use one of %(values)s.") % {"values": ", ".join(BOXES)}]
    if status and status != "open" and status not in ReferralStatus.values:
        errors["status"] = [_("Unknown status: use open or one of %(values)s.") % {"values": ReferralStatus.values}]
    if errors:
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=errors))
    queryset = _in_box(request.user, referrals_visible_to(request.user), box)
    if status == "open":
        queryset = queryset.filter(status__in=OPEN_REFERRAL_STATUSES)
    elif status:
        queryset = queryset.filter(status=status)
    if before is not None:
        queryset = queryset.filter(id__lt=before)
    now = timezone.now()
    running = Deadline.objects.filter(referral=OuterRef("pk"), met_at__isnull=True, cancelled_at__isnull=True)
    queryset = (
        queryset.select_related("case", "from_agency", "to_agency", "service", "assigned_to")
        .annotate(
            next_due=Subquery(running.order_by().values("referral").annotate(first=Min("due_at")).values("first")[:1]),
            late=Exists(running.filter(due_at__lt=now)),
        )
        .order_by("-id")
    )
    size = max(1, min(limit, MAX_PAGE))
    rows = list(queryset[: size + 1])
    items = [
        ReferralRowOut(
            id=r.pk,
            status=r.status,
            case_id=r.case_id,
            case_number=r.case.number,
            from_agency=r.from_agency.name,
            to_agency=r.to_agency.name,
            service=r.service.name,
            sent_at=r.sent_at,
            assigned_to=_name(r.assigned_to),
            next_due_at=r.next_due,
            overdue=r.late,
        )
        for r in rows[:size]
    ]
    return Status(200, ReferralPageOut(items=items, next_before=rows[size - 1].pk if len(rows) > size else None))


@router.get(
    "/services",
    response={200: list[ServiceOut], 404: ErrorOut},
    summary="Services the joint SOP in force allows for a case",
    description="Other agencies' services routed for the case's complaint categories; pick `service_id` from here.",
)
def allowed_services(request: AuthedRequest, case_id: int) -> Any:
    require_scope(request, "referrals:read")
    case = get_case_for_user(request.user, case_id)
    return Status(200, [_service_out(service) for service in services.allowed_services(case)])


@router.post(
    "",
    response={201: ReferralOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Draft a referral of your case to a service (status DRAFT)",
    description="422 when the SOP in force does not route the case's categories to the service; 409 when the "
    "case is no longer open. Send it with POST /referrals/{id}/send.",
)
def create_referral(request: AuthedRequest, payload: ReferralIn) -> Any:
    require_scope(request, "referrals:write")
    try:
        referral = services.create_referral(actor=request.user, **payload.dict())
    except (services.ReferralError, InvalidData) as error:
        return _refusal(error)
    return Status(201, _referral_out(request.user, referral.pk))


@router.get(
    "/{referral_id}",
    response={200: ReferralOut, 404: ErrorOut},
    summary="One referral, with its deadlines and what it shares with you",
    description="The receiver sees the shared case sections only while the referral is open; its own service "
    "records and assessments stay visible after it closes.",
)
def referral_detail(request: AuthedRequest, referral_id: int) -> Any:
    require_scope(request, "referrals:read")
    out = _referral_out(request.user, referral_id)
    # Reading the person's identity or contact through the referral is in the access log, as on the page.
    referral = get_referral_for_user(request.user, referral_id)
    record_access(actor=request.user, person=referral.case.person, sections=out.shared.sections, context="referral")
    return Status(200, out)


_ACTION = {200: ReferralOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post(
    "/{referral_id}/send",
    response=_ACTION,
    summary="Send a draft (DRAFT → DIKIRIM) behind the consent gate",
    description="Refused with 409 while the consent the SOP requires is not recorded. A supervisor may send "
    "without it by giving `override` (lawful basis and reason); both are audited. Sending issues the letter "
    "number and starts the acknowledge and accept/reject clocks.",
)
def send(request: AuthedRequest, referral_id: int, payload: SendIn | None = None) -> Any:
    require_scope(request, "referrals:write")
    given = payload.override if payload is not None else None
    override = services.ConsentOverride(**given.dict()) if given is not None else None
    try:
        services.send_referral(actor=request.user, referral_id=referral_id, override=override)
    except (services.ReferralError, InvalidData) as error:
        return _refusal(error)
    return Status(200, _referral_out(request.user, referral_id))


@router.post(
    "/{referral_id}/acknowledge",
    response=_ACTION,
    summary="Receiver: acknowledge receipt (DIKIRIM → DITERIMA_SISTEM)",
)
def acknowledge(request: AuthedRequest, referral_id: int) -> Any:
    return _act(
        request, referral_id, lambda: services.acknowledge_referral(actor=request.user, referral_id=referral_id)
    )


@router.post(
    "/{referral_id}/accept",
    response=_ACTION,
    summary="Receiver: accept (→ DITERIMA); starts the first-service clock",
    description="When someone else accepted first, 409 names who and when.",
)
def accept(request: AuthedRequest, referral_id: int) -> Any:
    return _act(request, referral_id, lambda: services.accept_referral(actor=request.user, referral_id=referral_id))


@router.post(
    "/{referral_id}/reject",
    response=_ACTION,
    summary="Receiver: reject with a reason (→ DITOLAK)",
)
def reject(request: AuthedRequest, referral_id: int, payload: ReferralReasonIn) -> Any:
    return _act(
        request,
        referral_id,
        lambda: services.reject_referral(actor=request.user, referral_id=referral_id, reason=payload.reason),
    )


@router.post(
    "/{referral_id}/services",
    response={201: ServiceRecordOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Receiver: record a service delivered (the first one: DITERIMA → DALAM_LAYANAN)",
)
def log_service(request: AuthedRequest, referral_id: int, payload: ServiceRecordIn) -> Any:
    require_scope(request, "referrals:write")
    try:
        record = services.log_service(actor=request.user, referral_id=referral_id, **payload.dict())
    except (services.ReferralError, InvalidData) as error:
        return _refusal(error)
    return Status(
        201,
        ServiceRecordOut(
            id=record.pk,
            agency=record.agency.name,
            delivered_on=record.delivered_on,
            description=record.description,
            by=record.by.display_name,
            at=record.at,
        ),
    )


@router.post(
    "/{referral_id}/assessments",
    response={201: CaseAssessmentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Receiver: record your asesmen on an accepted referral",
)
def add_assessment(request: AuthedRequest, referral_id: int, payload: CaseAssessmentIn) -> Any:
    require_scope(request, "referrals:write")
    try:
        assessment = services.add_referral_assessment(
            actor=request.user, referral_id=referral_id, data=AssessmentData(**payload.dict())
        )
    except (services.ReferralError, InvalidData) as error:
        return _refusal(error)
    return Status(201, _assessment_out(assessment))


@router.post(
    "/{referral_id}/complete",
    response=_ACTION,
    summary="Receiver: complete with outcome and feedback (DALAM_LAYANAN → SELESAI)",
)
def complete(request: AuthedRequest, referral_id: int, payload: CompleteIn) -> Any:
    return _act(
        request,
        referral_id,
        lambda: services.complete_referral(actor=request.user, referral_id=referral_id, **payload.dict()),
    )


@router.post(
    "/{referral_id}/fail",
    response=_ACTION,
    summary="Receiver: record that the service failed, with a reason (→ GAGAL)",
)
def fail(request: AuthedRequest, referral_id: int, payload: ReferralReasonIn) -> Any:
    return _act(
        request,
        referral_id,
        lambda: services.fail_referral(actor=request.user, referral_id=referral_id, reason=payload.reason),
    )


@router.post(
    "/{referral_id}/revoke",
    response=_ACTION,
    summary="Sender: revoke an open referral with a reason (→ DIBATALKAN)",
)
def revoke(request: AuthedRequest, referral_id: int, payload: ReferralReasonIn) -> Any:
    return _act(
        request,
        referral_id,
        lambda: services.revoke_referral(actor=request.user, referral_id=referral_id, reason=payload.reason),
    )
