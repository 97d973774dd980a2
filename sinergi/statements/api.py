"""Statements API (/api/v1/statements): the same selectors and services as the pages.

Public (no authentication): a published statement with its superseded versions, and checking a verification
code. Everything else is for the agencies involved in the case (others get 404), with the token scope
`cases:read` to read and `cases:write` to draft, edit, justify, approve and correct. Refusals: 409 when the
statement's state or the privacy check does not allow the step (the message says why), 403 for the role or the
token, 422 per field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.registry.api import ErrorOut
from sinergi.registry.services import InvalidData
from sinergi.statements import services
from sinergi.statements.facts import fact_sheet, involved_agencies
from sinergi.statements.models import StatementVersion
from sinergi.statements.selectors import get_involved_case, get_version_for_user, public_versions, version_by_code
from sinergi.statements.workflow import actions_for

router = Router(tags=["statements"])


class StatementFlagOut(Schema):
    id: int
    kind: str
    match: str
    reason: str
    justification: str


class StatementApprovalOut(Schema):
    agency: str
    approved_by: str | None
    approved_at: datetime | None


class StatementVersionOut(Schema):
    id: int
    public_id: str
    case_id: int
    number: int
    status: str
    title: str
    body: str
    change_note: str
    code: str
    published_at: datetime | None
    flags: list[StatementFlagOut]
    approvals: list[StatementApprovalOut]
    actions: list[str]


class StatementPublicVersionOut(Schema):
    number: int
    status: str
    title: str
    body: str
    change_note: str
    code: str
    published_at: datetime | None
    superseded_at: datetime | None
    approved_by_agencies: list[str]


class StatementPublicOut(Schema):
    public_id: str
    versions: list[StatementPublicVersionOut]


class StatementCodeOut(Schema):
    genuine: bool
    public_id: str | None = None
    number: int | None = None
    status: str | None = None


class StatementDraftIn(Schema):
    case_id: int
    title: str
    body: str


class StatementTextIn(Schema):
    title: str
    body: str


class StatementJustifyIn(Schema):
    justification: str


class StatementCorrectionIn(Schema):
    change_note: str


class FactValueOut(Schema):
    value: str
    source: str
    verified_by: str


class FactOut(Schema):
    key: str
    label: str
    value: str
    disputed: bool
    values: list[FactValueOut]


class FactSheetOut(Schema):
    case_id: int
    status: str
    facts: list[FactOut]


def _version_out(request: AuthedRequest, version: StatementVersion) -> StatementVersionOut:
    approvals = {a.agency_id: a for a in version.approvals.select_related("by")}
    return StatementVersionOut(
        id=version.pk,
        public_id=version.statement.public_id,
        case_id=version.statement.case_id,
        number=version.number,
        status=version.status,
        title=version.title,
        body=version.body,
        change_note=version.change_note,
        code=version.code,
        published_at=version.published_at,
        flags=[
            StatementFlagOut(id=f.pk, kind=f.kind, match=f.match, reason=f.reason, justification=f.justification)
            for f in version.flags.all()
        ],
        approvals=[
            StatementApprovalOut(
                agency=agency.name,
                approved_by=approvals[agency.pk].by.display_name if agency.pk in approvals else None,
                approved_at=approvals[agency.pk].at if agency.pk in approvals else None,
            )
            for agency in involved_agencies(version.statement.case)
        ],
        actions=sorted(action.value for action in actions_for(request.user, version)),
    )


def _refusal(error: services.StatementError | InvalidData) -> Status[ErrorOut]:
    if isinstance(error, InvalidData):
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))
    return Status(409, ErrorOut(detail=str(error)))


_STEP = {200: StatementVersionOut, 201: StatementVersionOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.get(
    "/public/{public_id}",
    auth=None,
    response={200: StatementPublicOut, 404: ErrorOut},
    summary="A published statement and its superseded versions (no authentication)",
)
def public_statement(request: Any, public_id: str) -> Any:
    versions = public_versions(public_id)
    return StatementPublicOut(
        public_id=public_id,
        versions=[
            StatementPublicVersionOut(
                number=v.number,
                status=v.status,
                title=v.title,
                body=v.body,
                change_note=v.change_note,
                code=v.code,
                published_at=v.published_at,
                superseded_at=v.superseded_at,
                approved_by_agencies=[a.agency.name for a in v.approvals.all()],
            )
            for v in versions
        ],
    )


@router.get(
    "/verify/{code}",
    auth=None,
    response={200: StatementCodeOut},
    summary="Check a verification code from a published statement (no authentication)",
)
def verify_code(request: Any, code: str) -> Any:
    version = version_by_code(code)
    if version is None:
        return StatementCodeOut(genuine=False)
    return StatementCodeOut(
        genuine=True, public_id=version.statement.public_id, number=version.number, status=version.status
    )


@router.get(
    "/cases/{case_id}/facts",
    response={200: FactSheetOut, 404: ErrorOut},
    summary="The case fact sheet: every value per fact, its source, and whether the fact is disputed",
)
def case_facts(request: AuthedRequest, case_id: int) -> Any:
    require_scope(request, "cases:read")
    sheet = fact_sheet(get_involved_case(request.user, case_id))
    return FactSheetOut(
        case_id=case_id,
        status=sheet.status,
        facts=[
            FactOut(
                key=fact.key,
                label=fact.label,
                value=fact.value,
                disputed=fact.disputed,
                values=[FactValueOut(value=v.value, source=v.source, verified_by=v.verified_by) for v in fact.values],
            )
            for fact in sheet.facts
        ],
    )


@router.post(
    "", response=_STEP, summary="Draft a statement about a case your agency takes part in (runs the privacy check)"
)
def draft(request: AuthedRequest, payload: StatementDraftIn) -> Any:
    require_scope(request, "cases:write")
    try:
        version = services.draft_statement(
            actor=request.user, case_id=payload.case_id, title=payload.title, body=payload.body
        )
    except (services.StatementError, InvalidData) as error:
        return _refusal(error)
    return Status(201, _version_out(request, get_version_for_user(request.user, version.pk)))


@router.get(
    "/versions/{version_id}",
    response={200: StatementVersionOut, 404: ErrorOut},
    summary="A version with its privacy flags, approvals and what you may do now",
)
def version_detail(request: AuthedRequest, version_id: int) -> Any:
    require_scope(request, "cases:read")
    return _version_out(request, get_version_for_user(request.user, version_id))


@router.post(
    "/versions/{version_id}/edit",
    response=_STEP,
    summary="Change a draft's text: the privacy check runs again and every approval is withdrawn",
)
def edit(request: AuthedRequest, version_id: int, payload: StatementTextIn) -> Any:
    require_scope(request, "cases:write")
    try:
        services.edit_version(actor=request.user, version_id=version_id, title=payload.title, body=payload.body)
    except (services.StatementError, InvalidData) as error:
        return _refusal(error)
    return _version_out(request, get_version_for_user(request.user, version_id))


@router.post(
    "/versions/{version_id}/flags/{flag_id}/justify",
    response=_STEP,
    summary="Justify a privacy flag instead of removing the text",
)
def justify(request: AuthedRequest, version_id: int, flag_id: int, payload: StatementJustifyIn) -> Any:
    require_scope(request, "cases:write")
    try:
        services.justify_flag(
            actor=request.user, version_id=version_id, flag_id=flag_id, justification=payload.justification
        )
    except (services.StatementError, InvalidData) as error:
        return _refusal(error)
    return _version_out(request, get_version_for_user(request.user, version_id))


@router.post(
    "/versions/{version_id}/approve",
    response=_STEP,
    summary="Approve for your agency (its designated official; not the drafter or editor)",
    description="409 while a privacy flag is open, for the drafter, or when your agency approved already. "
    "The last involved agency's approval publishes the version.",
)
def approve(request: AuthedRequest, version_id: int) -> Any:
    require_scope(request, "cases:write")
    try:
        services.approve_version(actor=request.user, version_id=version_id)
    except services.StatementError as error:
        return _refusal(error)
    return _version_out(request, get_version_for_user(request.user, version_id))


@router.post(
    "/versions/{version_id}/correct",
    response=_STEP,
    summary="Start a correction of a published version (a new draft version)",
)
def correct(request: AuthedRequest, version_id: int, payload: StatementCorrectionIn) -> Any:
    require_scope(request, "cases:write")
    try:
        draft_version = services.start_correction(
            actor=request.user, version_id=version_id, change_note=payload.change_note
        )
    except (services.StatementError, InvalidData) as error:
        return _refusal(error)
    return Status(201, _version_out(request, get_version_for_user(request.user, draft_version.pk)))
