"""Special-assistance list API (/api/v1/special-assistance): the same selectors and services as the pages.

An entry is visible to its proposing agency and its partner agency; any other agency gets 404. The person's
data (`person`) is null for the partner agency once the entry is withdrawn. Reading needs the token scope
`cases:read`, proposing, agreeing and withdrawing `cases:write`. Refusals: 409 when the entry's state (or the
missing consent) does not allow the step, 403 when your agency, role or token may not, 422 per field.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.models import Agency, User
from sinergi.api.auth import require_scope
from sinergi.assistance import services
from sinergi.assistance.export import COLUMNS, CONTENT_TYPES
from sinergi.assistance.models import AssistanceEntry, AssistanceNeed, AssistanceStatus
from sinergi.assistance.selectors import (
    CandidateRow,
    EntryFilter,
    EntryRow,
    candidate_rows,
    entry_rows,
    get_entry_for_user,
    list_entries,
)
from sinergi.referrals.models import LawfulBasis
from sinergi.referrals.services import ConsentOverride
from sinergi.registry.api import ErrorOut
from sinergi.registry.services import InvalidData
from sinergi.sharing.pseudonyms import listed_name

router = Router(tags=["special assistance"])

MAX_PAGE = 200


# --- schemas -------------------------------------------------------------------------------------------------


class AssistanceAgencyOut(Schema):
    id: int
    code: str
    name: str
    kind: str


class AssistancePersonOut(Schema):
    person_id: int
    full_name: str
    nik: str
    sex: str = Field(description="L (laki-laki) or P (perempuan), as on the KTP; empty when unknown.")
    birth_place: str
    birth_date: date | None
    address: str
    region_code: str = Field(description="Kemendagri code of the address, e.g. 72.71.05.1001.")
    village: str
    district: str
    regency: str
    province: str
    destination_country: str = Field(description="ISO 3166-1 alpha-2 code of the latest stay abroad.")
    flag_child: bool
    flag_trafficking: bool = Field(description="Suspected TPPO victim: identity confidential (UU 21/2007 Pasal 44).")


class AgreementOut(Schema):
    agency: str
    by: str | None
    at: datetime | None


class StepOut(Schema):
    kind: str = Field(description="DIUSULKAN, DISETUJUI (one agency's agreement) or DITARIK.")
    agency: str
    by: str
    at: datetime
    note: str


class EntryOut(Schema):
    id: int
    status: str = Field(description="DIUSULKAN (proposed), DISETUJUI (both agencies agreed: on the list), DITARIK.")
    status_label: str
    status_changed_at: datetime
    case_id: int
    case_number: str
    categories: list[str] = Field(description="Complaint categories of the case (jenis masalah).")
    needs: list[str] = Field(description=", ".join(AssistanceNeed.values))
    note: str
    proposing_agency: AssistanceAgencyOut
    partner_agency: AssistanceAgencyOut
    proposed_by: str
    proposed_at: datetime
    proposer_agreement: AgreementOut
    partner_agreement: AgreementOut
    agreed_at: datetime | None
    withdrawn_by: str | None
    withdrawn_at: datetime | None
    withdrawal_reason: str
    sharing_basis: str = Field(description="CONSENT, or the lawful basis a supervisor recorded instead.")
    person: AssistancePersonOut | None = Field(description="Null for the partner agency once the entry is withdrawn.")


class EntryDetailOut(EntryOut):
    steps: list[StepOut]


class EntryPageOut(Schema):
    items: list[EntryOut]
    next_before: int | None = Field(
        description="Pass it as `?before=` for the next (older) page; null on the last page."
    )


class CandidateOut(Schema):
    case_id: int
    case_number: str
    person_id: int
    full_name: str
    categories: list[str]
    assessed_at: datetime | None
    assessed_needs: str


class AssistanceOverrideIn(Schema):
    basis: str = Field(description=", ".join(LawfulBasis.values))
    reason: str = Field(description="Why consent cannot be obtained.")


class ProposalIn(Schema):
    case_id: int
    partner_agency_id: int = Field(description="One of GET /special-assistance/partners.")
    needs: list[str] = Field(description=", ".join(AssistanceNeed.values))
    note: str = ""
    override: AssistanceOverrideIn | None = Field(
        None,
        description="Supervisors only, when no consent to share the person's data is recorded on the case: audited.",
    )


class AssistanceReasonIn(Schema):
    reason: str


# --- helpers -------------------------------------------------------------------------------------------------


def _name(user: User | None) -> str | None:
    return user.display_name if user is not None else None


def _agency_out(agency: Agency) -> AssistanceAgencyOut:
    return AssistanceAgencyOut(id=agency.pk, code=agency.code, name=agency.name, kind=agency.kind)


def _entry_out(row: EntryRow) -> EntryOut:
    entry, person = row.entry, row.person
    return EntryOut(
        id=entry.pk,
        status=entry.status,
        status_label=str(AssistanceStatus(entry.status).label),
        status_changed_at=entry.status_changed_at,
        case_id=entry.case_id,
        case_number=entry.case.number,
        categories=list(row.categories),
        needs=list(entry.needs),
        note=entry.note,
        proposing_agency=_agency_out(entry.proposing_agency),
        partner_agency=_agency_out(entry.partner_agency),
        proposed_by=entry.proposed_by.display_name,
        proposed_at=entry.proposed_at,
        proposer_agreement=AgreementOut(
            agency=entry.proposing_agency.name, by=_name(entry.proposer_agreed_by), at=entry.proposer_agreed_at
        ),
        partner_agreement=AgreementOut(
            agency=entry.partner_agency.name, by=_name(entry.partner_agreed_by), at=entry.partner_agreed_at
        ),
        agreed_at=entry.agreed_at,
        withdrawn_by=_name(entry.withdrawn_by),
        withdrawn_at=entry.withdrawn_at,
        withdrawal_reason=entry.withdrawal_reason,
        sharing_basis=entry.override_basis or ("CONSENT" if entry.consent_id else ""),
        person=AssistancePersonOut(person_id=entry.case.person_id, **asdict(person)) if person is not None else None,
    )


def _detail_out(user: User, entry: AssistanceEntry) -> EntryDetailOut:
    row = entry_rows(user, [entry])[0]
    return EntryDetailOut(
        **_entry_out(row).dict(),
        steps=[
            StepOut(kind=s.kind, agency=s.agency.name, by=s.by.display_name, at=s.at, note=s.note)
            for s in entry.steps.select_related("by", "agency")
        ],
    )


def _candidate_out(row: CandidateRow) -> CandidateOut:
    case = row.case
    return CandidateOut(
        case_id=case.pk,
        case_number=case.number,
        person_id=case.person_id,
        full_name=listed_name(case.person, case),
        categories=[category.name for category in case.categories.all()],
        assessed_at=row.assessed_at,
        assessed_needs=row.needs,
    )


def _refusal(error: services.AssistanceError | InvalidData) -> Status[ErrorOut]:
    if isinstance(error, InvalidData):
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))
    return Status(409, ErrorOut(detail=str(error)))


class ListFilter(Schema):
    status: str = Field("", description="DIUSULKAN, DISETUJUI or DITARIK; all when empty.")
    agency_id: int | None = Field(None, description="Entries this agency proposed or is the partner of.")
    date_from: date | None = Field(None, description="Reached its status on or after this day (WITA).")
    date_to: date | None = Field(None, description="Reached its status on or before this day (WITA).")


class ExportFilter(ListFilter):
    format: str = Field("xlsx", description="xlsx or csv.")


def _filter(flt: ListFilter) -> EntryFilter | Status[ErrorOut]:
    if flt.status and flt.status not in AssistanceStatus.values:
        return Status(
            422,
            ErrorOut(
                detail=_("Some values need fixing."),
                errors={"status": [_("Unknown status: use one of %(values)s.") % {"values": AssistanceStatus.values}]},
            ),
        )
    return EntryFilter(status=flt.status, agency_id=flt.agency_id, date_from=flt.date_from, date_to=flt.date_to)


# --- endpoints -----------------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: EntryPageOut, 422: ErrorOut},
    summary="Entries your agency proposed or is the partner of, newest first (keyset pagination)",
    description="Page with `before` = the previous page's `next_before`.",
)
def list_assistance(
    request: AuthedRequest, filters: Query[ListFilter], before: int | None = None, limit: int = 50
) -> Any:
    require_scope(request, "cases:read")
    flt = _filter(filters)
    if isinstance(flt, Status):
        return flt
    size = max(1, min(limit, MAX_PAGE))
    rows = list_entries(request.user, flt, before=before, limit=size + 1)
    items = [_entry_out(row) for row in rows[:size]]
    return Status(200, EntryPageOut(items=items, next_before=rows[size - 1].entry.pk if len(rows) > size else None))


@router.get(
    "/candidates",
    response={200: list[CandidateOut]},
    summary="Your agency's cases to propose",
    description="Cases whose latest assessment says the person needs special social assistance, and whose person "
    "has no proposed or agreed entry.",
)
def candidates(request: AuthedRequest) -> Any:
    require_scope(request, "cases:read")
    return Status(200, [_candidate_out(row) for row in candidate_rows(request.user, limit=MAX_PAGE)])


@router.get(
    "/partners",
    response={200: list[AssistanceAgencyOut]},
    summary="Agencies your agency may propose to",
    description="The other side of the BP3MI–Kemensos agreement: social-affairs agencies for BP3MI, BP3MI for them.",
)
def partners(request: AuthedRequest) -> Any:
    require_scope(request, "cases:read")
    agency = request.user.agency
    found = list(services.partner_agencies_for(agency)) if agency is not None else []
    return Status(200, [_agency_out(a) for a in found])


@router.get(
    "/export",
    response={200: None, 403: ErrorOut, 422: ErrorOut},
    summary="The list as a file in the Kemensos template (CSV or XLSX)",
    description="Columns: " + ", ".join(COLUMNS) + ". Only agreed entries unless `status` says otherwise. "
    "CSV: UTF-8 with BOM, `;`-separated, every field quoted. Exports are audited. See docs/special-assistance.md.",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file (Content-Disposition: attachment).",
                "content": {
                    content_type: {"schema": {"type": "string", "format": "binary"}}
                    for content_type in CONTENT_TYPES.values()
                },
            }
        }
    },
)
def export(request: AuthedRequest, filters: Query[ExportFilter]) -> Any:
    require_scope(request, "cases:read")
    flt = _filter(filters)
    if isinstance(flt, Status):
        return flt
    try:
        exported = services.export_list(actor=request.user, flt=flt, file_format=filters.format)
    except InvalidData as error:
        return _refusal(error)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "",
    response={200: EntryDetailOut, 201: EntryDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Propose the person of your case for the list (status DIUSULKAN)",
    description="201 when proposed, 200 when this case was already proposed (a repeated request changes nothing). "
    "409 when the case's latest assessment does not say the person needs special assistance, when the person "
    "is already on the list, or when no consent to share their data is recorded (a supervisor may give "
    "`override`).",
)
def propose(request: AuthedRequest, payload: ProposalIn) -> Any:
    require_scope(request, "cases:write")
    given = payload.override
    data = services.ProposalData(
        case_id=payload.case_id,
        partner_agency_id=payload.partner_agency_id,
        needs=list(payload.needs),
        note=payload.note,
        override=ConsentOverride(basis=given.basis, reason=given.reason) if given is not None else None,
    )
    try:
        entry, created = services.propose_entry(actor=request.user, data=data)
    except (services.AssistanceError, InvalidData) as error:
        return _refusal(error)
    return Status(201 if created else 200, _detail_out(request.user, get_entry_for_user(request.user, entry.pk)))


@router.get(
    "/{entry_id}",
    response={200: EntryDetailOut, 404: ErrorOut},
    summary="One entry with its steps",
)
def entry_detail(request: AuthedRequest, entry_id: int) -> Any:
    require_scope(request, "cases:read")
    entry = get_entry_for_user(request.user, entry_id)
    services.record_entry_view(actor=request.user, entry=entry)
    return Status(200, _detail_out(request.user, entry))


_STEP = {200: EntryDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


@router.post(
    "/{entry_id}/agree",
    response=_STEP,
    summary="A supervisor agrees for their agency; the second agency's agreement puts the person on the list",
    description="Agreeing again for an agency that has agreed changes nothing. 409 when the entry is withdrawn or "
    "the consent it relied on was withdrawn.",
)
def agree(request: AuthedRequest, entry_id: int) -> Any:
    require_scope(request, "cases:write")
    try:
        services.agree_entry(actor=request.user, entry_id=entry_id)
    except services.AssistanceError as error:
        return _refusal(error)
    return Status(200, _detail_out(request.user, get_entry_for_user(request.user, entry_id)))


@router.post(
    "/{entry_id}/withdraw",
    response=_STEP,
    summary="Either agency withdraws the entry with a reason (→ DITARIK)",
    description="Withdrawing a withdrawn entry changes nothing.",
)
def withdraw(request: AuthedRequest, entry_id: int, payload: AssistanceReasonIn) -> Any:
    require_scope(request, "cases:write")
    try:
        services.withdraw_entry(actor=request.user, entry_id=entry_id, reason=payload.reason)
    except (services.AssistanceError, InvalidData) as error:
        return _refusal(error)
    return Status(200, _detail_out(request.user, get_entry_for_user(request.user, entry_id)))
