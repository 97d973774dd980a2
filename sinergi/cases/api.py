"""Cases API (/api/v1/cases): the same services and selectors as the pages.

Only the agency that took the complaint sees a case here; other agencies see what a referral shares through
/api/v1/referrals. Errors: 404 when the case does not exist or is not yours (the same answer on purpose),
403 when your role or token may not do it, 409 when the case's state does not allow it, 422 per field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.models import User
from sinergi.api.auth import require_scope
from sinergi.cases import services
from sinergi.cases.models import (
    Assessment,
    Attachment,
    Case,
    CaseNote,
    CaseOutcome,
    CaseStatus,
    CaseStatusChange,
    CaseTask,
    Channel,
    ClosureReason,
    Complainant,
    ComplaintCategory,
    Consent,
    ConsentDecision,
    ConsentGiver,
    ConsentMethod,
    ConsentScope,
    Phase,
    Urgency,
)
from sinergi.cases.selectors import CaseFilter, filter_cases, get_case_for_user, overdue_case_ids
from sinergi.cases.workflow import next_statuses
from sinergi.referrals.models import Referral, ReferralEvent
from sinergi.registry.api import ErrorOut
from sinergi.registry.services import InvalidData
from sinergi.sharing.access import record_access
from sinergi.sharing.pseudonyms import listed_name
from sinergi.sharing.rules import case_sections_for
from sinergi.sharing.sections import IDENTITY

router = Router(tags=["cases"])

MAX_PAGE = 200


def _one_of(choices: type[Any]) -> str:
    return "One of: " + ", ".join(f"`{value}`" for value in choices.values) + "."


# --- schemas -------------------------------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str
    name: str


class PersonRefOut(Schema):
    id: int
    full_name: str


class CaseRowOut(Schema):
    id: int
    number: str = Field(description="Per agency and year, e.g. BP3MI-SULTENG/2026/0042.")
    status: str
    received_at: datetime
    person: PersonRefOut
    categories: list[str] = Field(description="Complaint category codes.")
    urgency: str
    destination_country: str
    flag_trafficking: bool
    flag_child: bool
    assigned_to: str | None
    overdue: bool = Field(description="A referral step of this case is past its SLA deadline.")


class CasePageOut(Schema):
    items: list[CaseRowOut]
    next_before: int | None = Field(
        description="Pass it as `?before=` for the next (older) page; null on the last page."
    )


class CaseReferralOut(Schema):
    id: int
    status: str
    to_agency: str
    service: str


class CaseOut(Schema):
    id: int
    version: int
    number: str
    status: str
    status_label: str
    closure_reason: str
    outcome: str
    closing_summary: str
    next_statuses: list[str] = Field(description="States the workflow table allows next (your role may still not).")
    channel: str
    received_at: datetime
    complainant_type: str
    complainant_name: str
    complainant_contact: str
    person: PersonRefOut
    categories: list[CategoryOut]
    phase: str
    destination_country: str
    employer: str
    placement_company: str
    procedural: bool | None
    urgency: str
    flag_trafficking: bool
    flag_child: bool
    flag_disability: bool
    narrative: str
    assigned_to: str | None
    referrals: list[CaseReferralOut]
    created_at: datetime
    updated_at: datetime


class CaseIn(Schema):
    person_id: int = Field(description="A person of your agency's registry (search before you register).")
    channel: str = Field(description="How the complaint came in. " + _one_of(Channel))
    complainant_type: str = Field(description="Who complained. " + _one_of(Complainant))
    phase: str = Field(description=_one_of(Phase))
    category_codes: list[str] = Field(description="At least one complaint category code, e.g. `gaji-tidak-dibayar`.")
    received_at: datetime | None = Field(None, description="Default now; without an offset it is read as WITA.")
    complainant_name: str = Field("", description="Required unless the PMI complained.")
    complainant_contact: str = ""
    destination_country: str = Field("", description="ISO 3166-1 alpha-2, e.g. MY.")
    employer: str = ""
    placement_company: str = Field("", description="P3MI.")
    procedural: bool | None = None
    urgency: str = Field(Urgency.MEDIUM.value, description=_one_of(Urgency))
    flag_trafficking: bool = False
    flag_child: bool = False
    flag_disability: bool = False
    narrative: str = ""


class TransitionIn(Schema):
    to_status: str = Field(description=_one_of(CaseStatus))
    reason: str = Field("", description="Why; required to close a case; with `SELESAI`, the closing summary.")
    closure_reason: str = Field("", description="Required with `DITUTUP`. " + _one_of(ClosureReason))
    outcome: str = Field("", description="Required with `SELESAI`: how it ended. " + _one_of(CaseOutcome))


class NoteIn(Schema):
    text: str


class NoteOut(Schema):
    id: int
    text: str
    agency: str
    by: str
    at: datetime


class TaskIn(Schema):
    title: str
    due_date: date | None = None
    assignee_id: int | None = Field(None, description="A user of your own agency.")


class TaskOut(Schema):
    id: int
    title: str
    due_date: date | None
    assignee: str | None
    done_at: datetime | None
    created_at: datetime


class CaseAssessmentIn(Schema):
    summary: str = Field(description="What the assessment found.")
    needs: str = ""
    risk: str = Field(Urgency.MEDIUM.value, description=_one_of(Urgency))
    needs_special_assistance: bool = False


class CaseAssessmentOut(Schema):
    id: int
    agency: str
    referral_id: int | None
    summary: str
    needs: str
    risk: str
    needs_special_assistance: bool
    by: str
    at: datetime


class ConsentIn(Schema):
    scope: str = Field(description=_one_of(ConsentScope))
    given_by: str = Field(description="For a child only a parent or guardian. " + _one_of(ConsentGiver))
    giver_name: str
    method: str = Field(description=_one_of(ConsentMethod))
    given_at: datetime | None = Field(None, description="Default now; without an offset it is read as WITA.")
    decision: str = Field(
        ConsentDecision.GIVEN, description="Given or refused (a refusal is recorded too). " + _one_of(ConsentDecision)
    )
    expires_at: datetime | None = Field(
        None, description="End of validity; sharing under the consent stops then. Without an offset read as WITA."
    )


class ConsentOut(Schema):
    id: int
    scope: str = Field(description="The purpose. " + _one_of(ConsentScope))
    decision: str
    given_by: str
    giver_name: str
    method: str
    given_at: datetime
    expires_at: datetime | None
    withdrawn_at: datetime | None
    withdrawal_note: str
    active: bool = Field(description="Given, not withdrawn, not expired: shares made under it stand.")


class ConsentWithdrawalIn(Schema):
    note: str = Field("", max_length=500, description="How the person withdrew (telephone, letter, …).")


class ConsentWithdrawalOut(Schema):
    consent: ConsentOut
    stopped: list[str] = Field(description="Shares made under the consent that stopped at once.")
    continues: list[str] = Field(description="Shares of the case that stand on another lawful basis.")
    cannot_undo: list[str] = Field(description="What was already shared and cannot be called back: tell the person.")


class TimelineEntryOut(Schema):
    at: datetime
    kind: str = Field(description="status, note, task, assessment, consent, attachment or referral.")
    object_id: int
    agency: str | None
    by: str | None
    text: str


# --- helpers -------------------------------------------------------------------------------------------------


def _invalid(error: InvalidData) -> Status[ErrorOut]:
    return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))


def _aware(moment: datetime | None) -> datetime | None:
    """A time sent without an offset is WITA, the agencies' clock (never stored naive)."""
    if moment is None or timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment)


def _name(user: Any) -> str | None:
    return user.display_name if user is not None else None


def _case_out(user: User, case: Case) -> CaseOut:
    sections = case_sections_for(user, case)
    case = (
        Case.objects.filter(pk=case.pk)
        .select_related("person", "assigned_to")
        .prefetch_related(
            "categories",
            Prefetch("referrals", queryset=Referral.objects.select_related("to_agency", "service").order_by("id")),
        )
        .get()
    )
    return CaseOut(
        id=case.pk,
        version=case.version,
        number=case.number,
        status=case.status,
        status_label=str(CaseStatus(case.status).label),
        closure_reason=case.closure_reason,
        outcome=case.outcome,
        closing_summary=case.closing_summary,
        next_statuses=next_statuses(case.status),
        channel=case.channel,
        received_at=case.received_at,
        complainant_type=case.complainant_type,
        complainant_name=case.complainant_name,
        complainant_contact=case.complainant_contact,
        # The person as far as the sharing rule lets the case agency read them (its own registry: fully).
        person=PersonRefOut(id=case.person.pk, full_name=case.person.full_name if IDENTITY in sections else ""),
        categories=[CategoryOut(code=c.code, name=c.name) for c in case.categories.all()],
        phase=case.phase,
        destination_country=case.destination_country,
        employer=case.employer,
        placement_company=case.placement_company,
        procedural=case.procedural,
        urgency=case.urgency,
        flag_trafficking=case.flag_trafficking,
        flag_child=case.flag_child,
        flag_disability=case.flag_disability,
        narrative=case.narrative,
        assigned_to=_name(case.assigned_to),
        referrals=[
            CaseReferralOut(id=r.pk, status=r.status, to_agency=r.to_agency.name, service=r.service.name)
            for r in case.referrals.all()
        ],
        created_at=case.created_at,
        updated_at=case.updated_at,
    )


def _assessment_out(assessment: Assessment) -> CaseAssessmentOut:
    return CaseAssessmentOut(
        id=assessment.pk,
        agency=assessment.agency.name,
        referral_id=assessment.referral_id,
        summary=assessment.summary,
        needs=assessment.needs,
        risk=assessment.risk,
        needs_special_assistance=assessment.needs_special_assistance,
        by=assessment.by.display_name,
        at=assessment.at,
    )


def _consent_out(consent: Consent) -> ConsentOut:
    return ConsentOut(
        id=consent.pk,
        scope=consent.scope,
        given_by=consent.given_by,
        giver_name=consent.giver_name,
        method=consent.method,
        given_at=consent.given_at,
        decision=consent.decision,
        expires_at=consent.expires_at,
        withdrawn_at=consent.withdrawn_at,
        withdrawal_note=consent.withdrawal_note,
        active=consent.is_active,
    )


# --- endpoints -----------------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: CasePageOut, 422: ErrorOut},
    summary="Your agency's cases, newest first (keyset pagination)",
    description="Filters combine. `status`: a case status or `open`; `category`: a complaint category code; "
    "`regency`: a Kemendagri code of the person's address (e.g. 72.02); `destination`: a country code; "
    "`overdue`: only cases with a referral step past its deadline. Page with `before` = the previous "
    "page's `next_before`.",
)
def list_cases(
    request: AuthedRequest,
    status: str = "",
    category: str = "",
    regency: str = "",
    destination: str = "",
    overdue: bool = False,
    received_from: date | None = None,
    received_to: date | None = None,
    before: int | None = None,
    limit: int = 50,
) -> Any:
    require_scope(request, "cases:read")
    if status and status != "open" and status not in CaseStatus.values:
        return Status(
            422,
            ErrorOut(
                detail=_("Some values need fixing."),
                errors={
                    "status": [_("Unknown status: use open or one of %(values)s.") % {"values": CaseStatus.values}]
                },
            ),
        )
    flt = CaseFilter(
        status=status,
        category=category,
        regency=regency,
        destination=destination.upper(),
        overdue=overdue,
        received_from=received_from,
        received_to=received_to,
    )
    queryset = (
        filter_cases(request.user, flt)
        .select_related("person", "assigned_to")
        .prefetch_related(Prefetch("categories", queryset=ComplaintCategory.objects.only("code")))
        .order_by("-id")
    )
    if before is not None:
        queryset = queryset.filter(id__lt=before)
    size = max(1, min(limit, MAX_PAGE))
    rows = list(queryset[: size + 1])
    late = overdue_case_ids(case.pk for case in rows[:size])
    items = [
        CaseRowOut(
            id=case.pk,
            number=case.number,
            status=case.status,
            received_at=case.received_at,
            # Cases are opened on the agency's own registry; a name from elsewhere is not listed.
            person=PersonRefOut(
                id=case.person.pk,
                full_name=listed_name(case.person, case)
                if case.person.registered_by_agency_id == request.user.agency_id
                else "",
            ),
            categories=[category.code for category in case.categories.all()],
            urgency=case.urgency,
            destination_country=case.destination_country,
            flag_trafficking=case.flag_trafficking,
            flag_child=case.flag_child,
            assigned_to=_name(case.assigned_to),
            overdue=case.pk in late,
        )
        for case in rows[:size]
    ]
    return Status(200, CasePageOut(items=items, next_before=rows[size - 1].pk if len(rows) > size else None))


@router.post(
    "",
    response={201: CaseOut, 403: ErrorOut, 422: ErrorOut},
    summary="Record a complaint as a new case (status DITERIMA)",
    description="The case gets the next number of your agency for the year it was received. 422 names every "
    "field to fix; a `person_id` your agency cannot see is refused like an unknown one.",
)
def open_case(request: AuthedRequest, payload: CaseIn) -> Any:
    require_scope(request, "cases:write")
    values = payload.dict()
    values["received_at"] = _aware(values["received_at"])
    try:
        case = services.open_case(actor=request.user, data=services.CaseData(**values))
    except InvalidData as error:
        return _invalid(error)
    except Http404:
        # The only lookup inside open_case is the person: say which field is wrong rather than "not found".
        return Status(
            422,
            ErrorOut(
                detail=_("Some values need fixing."),
                errors={"person_id": [_("No such person in your agency's records: search the registry first.")]},
            ),
        )
    return Status(201, _case_out(request.user, case))


@router.get("/{case_id}", response={200: CaseOut, 404: ErrorOut}, summary="One case of your agency")
def case_detail(request: AuthedRequest, case_id: int) -> Any:
    require_scope(request, "cases:read")
    case = get_case_for_user(request.user, case_id)
    record_access(
        actor=request.user, person=case.person, sections=case_sections_for(request.user, case), context="case"
    )
    return Status(200, _case_out(request.user, case))


@router.post(
    "/{case_id}/transitions",
    response={200: CaseOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Move a case along its workflow (DITERIMA → VERIFIKASI → PENANGANAN → SELESAI, or DITUTUP)",
    description="409 when the move is not allowed from the current state (the message names both) or the case "
    "still has open referrals; 403 when your role may not make this move; 422 when a reason or closure "
    "reason is missing. Every move is recorded with who, when and why.",
)
def change_status(request: AuthedRequest, case_id: int, payload: TransitionIn) -> Any:
    require_scope(request, "cases:write")
    try:
        case = services.change_case_status(
            actor=request.user,
            case_id=case_id,
            to_status=payload.to_status,
            reason=payload.reason,
            closure_reason=payload.closure_reason,
            outcome=payload.outcome,
        )
    except services.CaseError as refusal:
        return Status(409, ErrorOut(detail=str(refusal)))
    except InvalidData as error:
        return _invalid(error)
    return Status(200, _case_out(request.user, case))


@router.post(
    "/{case_id}/notes",
    response={201: NoteOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add a note to the case timeline",
)
def add_note(request: AuthedRequest, case_id: int, payload: NoteIn) -> Any:
    require_scope(request, "cases:write")
    try:
        note = services.add_note(actor=request.user, case_id=case_id, text=payload.text)
    except InvalidData as error:
        return _invalid(error)
    return Status(
        201, NoteOut(id=note.pk, text=note.text, agency=note.agency.name, by=note.by.display_name, at=note.at)
    )


@router.post(
    "/{case_id}/tasks",
    response={201: TaskOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add a task (the assignee is notified)",
)
def add_task(request: AuthedRequest, case_id: int, payload: TaskIn) -> Any:
    require_scope(request, "cases:write")
    try:
        task = services.add_task(actor=request.user, case_id=case_id, **payload.dict())
    except InvalidData as error:
        return _invalid(error)
    return Status(
        201,
        TaskOut(
            id=task.pk,
            title=task.title,
            due_date=task.due_date,
            assignee=_name(task.assignee),
            done_at=task.done_at,
            created_at=task.created_at,
        ),
    )


@router.post(
    "/{case_id}/assessments",
    response={201: CaseAssessmentOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record your agency's assessment (asesmen)",
    description="A receiving agency assesses through its referral: POST /referrals/{id}/assessments.",
)
def add_assessment(request: AuthedRequest, case_id: int, payload: CaseAssessmentIn) -> Any:
    require_scope(request, "cases:write")
    try:
        assessment = services.add_assessment(
            actor=request.user, case_id=case_id, data=services.AssessmentData(**payload.dict())
        )
    except InvalidData as error:
        return _invalid(error)
    return Status(201, _assessment_out(assessment))


@router.post(
    "/{case_id}/consents",
    response={201: ConsentOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Record consent (UU PDP); a child's must come from a parent or guardian",
    description="A referral whose SOP route requires consent of this scope can be sent once it is recorded.",
)
def record_consent(request: AuthedRequest, case_id: int, payload: ConsentIn) -> Any:
    require_scope(request, "cases:write")
    values = payload.dict()
    values["given_at"] = _aware(values["given_at"])
    values["expires_at"] = _aware(values["expires_at"])
    try:
        consent = services.record_consent(actor=request.user, case_id=case_id, data=services.ConsentData(**values))
    except InvalidData as error:
        return _invalid(error)
    return Status(201, _consent_out(consent))


@router.post(
    "/{case_id}/consents/{consent_id}/withdraw",
    response={200: ConsentWithdrawalOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Withdraw consent: every share made under it stops at once",
    description="Returns what stopped, what continues on another lawful basis and what cannot be undone (to tell "
    "the person). Withdrawing again changes nothing and returns the same.",
)
def withdraw_consent(request: AuthedRequest, case_id: int, consent_id: int, payload: ConsentWithdrawalIn) -> Any:
    require_scope(request, "cases:write")
    try:
        effects = services.withdraw_consent(
            actor=request.user, case_id=case_id, consent_id=consent_id, note=payload.note
        )
    except InvalidData as error:
        return _invalid(error)
    consent = Consent.objects.get(case_id=case_id, pk=consent_id)
    return ConsentWithdrawalOut(
        consent=_consent_out(consent),
        stopped=effects.stopped,
        continues=effects.continues,
        cannot_undo=effects.cannot_undo,
    )


@router.get(
    "/{case_id}/timeline",
    response={200: list[TimelineEntryOut], 404: ErrorOut},
    summary="Everything that happened on the case, oldest first",
    description="Status changes, notes, tasks, assessments (also those of receiving agencies), consents, "
    "attachments and referral steps.",
)
def timeline(request: AuthedRequest, case_id: int) -> Any:
    require_scope(request, "cases:read")
    case = get_case_for_user(request.user, case_id)
    record_access(
        actor=request.user, person=case.person, sections=case_sections_for(request.user, case), context="timeline"
    )
    entries: list[TimelineEntryOut] = []
    for change in CaseStatusChange.objects.filter(case=case).select_related("by"):
        label = CaseStatus(change.to_status).label
        text = f"{label}: {change.reason}" if change.reason else str(label)
        entries.append(_entry(change.at, "status", change.pk, None, change.by, text))
    for note in CaseNote.objects.filter(case=case).select_related("by", "agency"):
        entries.append(_entry(note.at, "note", note.pk, note.agency.name, note.by, note.text))
    for task in CaseTask.objects.filter(case=case).select_related("created_by"):
        entries.append(_entry(task.created_at, "task", task.pk, None, task.created_by, task.title))
    for assessment in Assessment.objects.filter(case=case).select_related("by", "agency"):
        entries.append(
            _entry(
                assessment.at, "assessment", assessment.pk, assessment.agency.name, assessment.by, assessment.summary
            )
        )
    for consent in Consent.objects.filter(case=case).select_related("recorded_by"):
        text = f"{ConsentScope(consent.scope).label}: {consent.giver_name}"
        entries.append(_entry(consent.given_at, "consent", consent.pk, None, consent.recorded_by, text))
    for attachment in Attachment.objects.filter(case=case).select_related("by", "agency"):
        entries.append(
            _entry(
                attachment.at,
                "attachment",
                attachment.pk,
                attachment.agency.name,
                attachment.by,
                attachment.original_name,
            )
        )
    for event in ReferralEvent.objects.filter(referral__case=case).select_related("by", "referral__to_agency"):
        text = f"{event.referral.to_agency.name}: {event.get_to_status_display()}"
        if event.note:
            text += f" ({event.note})"
        entries.append(_entry(event.at, "referral", event.referral_id, None, event.by, text))
    entries.sort(key=lambda entry: (entry.at, entry.kind, entry.object_id))
    return Status(200, entries)


def _entry(at: datetime, kind: str, object_id: int, agency: str | None, by: Any, text: str) -> TimelineEntryOut:
    return TimelineEntryOut(at=at, kind=kind, object_id=object_id, agency=agency, by=_name(by), text=text)
