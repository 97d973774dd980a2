"""Assistance-given API (/api/v1/benefits): the same selectors and services as the pages.

Refusals: 409 when the benefit's state or the budget does not allow the step (the message says why), 403 when
your agency or role may not (only the giving agency's supervisor approves), 422 per field. Reading needs the
token scope `cases:read`, writing `cases:write`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.benefits import services
from sinergi.benefits.models import Benefit, BenefitStatus
from sinergi.benefits.selectors import (
    budgets_for,
    get_benefit_for_user,
    history_for_person,
    queue_for,
    recommended_but_not_received,
)
from sinergi.benefits.workflow import actions_for
from sinergi.registry.api import ErrorOut
from sinergi.registry.selectors import get_person_for_user
from sinergi.registry.services import InvalidData
from sinergi.sharing.pseudonyms import listed_name

router = Router(tags=["assistance given"])


class BenefitWarningOut(Schema):
    assistance: str
    code: str
    status: str
    date: str
    agency: str = Field(description="The agency that gave it; nothing else of its record is shown.")


class BenefitOut(Schema):
    id: int
    person_id: int
    person_name: str
    agency: str
    assistance_code: str
    assistance: str
    status: str
    proposed_amount: Decimal
    approved_amount: Decimal | None
    delivered_amount: Decimal | None
    delivered_on: date | None
    items: str
    proposed_at: datetime
    has_proof: bool
    duplicate_warnings: list[BenefitWarningOut]
    actions: list[str] = Field(description="Steps you may take now (verify, approve, reject, deliver, cancel).")


class BenefitProposalIn(Schema):
    person_id: int
    type_id: int
    amount: Decimal | None = None
    items: str = ""
    reason: str = ""
    case_id: int | None = None


class BenefitStepIn(Schema):
    action: str = Field(description="verify, approve, reject or cancel (delivery: POST …/delivery).")
    note: str = ""
    approved_amount: Decimal | None = None


class BenefitBudgetOut(Schema):
    assistance_code: str
    assistance: str
    period_start: date
    period_end: date
    amount: Decimal
    committed: Decimal
    spent: Decimal
    remaining: Decimal


class BenefitMissedOut(Schema):
    person_id: int
    person_name: str
    regency: str
    agency: str
    assessed_at: date
    days_waiting: int
    recommended: list[str]


def _out(request: AuthedRequest, b: Benefit) -> BenefitOut:
    return BenefitOut(
        id=b.pk,
        person_id=b.person_id,
        person_name=listed_name(b.person),
        agency=b.agency.name,
        assistance_code=b.assistance_type.code,
        assistance=b.assistance_type.name,
        status=b.status,
        proposed_amount=b.proposed_amount,
        approved_amount=b.approved_amount,
        delivered_amount=b.delivered_amount,
        delivered_on=b.delivered_on,
        items=b.items,
        proposed_at=b.proposed_at,
        has_proof=bool(b.proof),
        duplicate_warnings=[BenefitWarningOut(**w) for w in b.duplicate_warnings],
        actions=[t.action for _to, t in actions_for(request.user, b)],
    )


def _refused(error: Exception) -> Status[ErrorOut]:
    if isinstance(error, InvalidData):
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))
    if isinstance(error, PermissionDenied):
        return Status(403, ErrorOut(detail=str(error)))
    return Status(409, ErrorOut(detail=str(error)))


@router.get("", response={200: list[BenefitOut]}, summary="Your agency's queue (open benefits unless `status`)")
def queue(request: AuthedRequest, status: str = "") -> Any:
    require_scope(request, "cases:read")
    if status and status not in BenefitStatus.values:
        status = ""
    rows = queue_for(request.user, status).select_related("agency")[:200]
    return Status(200, [_out(request, b) for b in rows])


@router.post(
    "",
    response={201: BenefitOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Propose assistance (eligibility checked; earlier giving to the same human is listed as warnings)",
)
def propose(request: AuthedRequest, payload: BenefitProposalIn) -> Any:
    require_scope(request, "cases:write")
    try:
        benefit = services.propose_benefit(actor=request.user, data=services.Proposal(**payload.dict()))
    except (InvalidData, PermissionDenied) as error:
        return _refused(error)
    return Status(201, _out(request, get_benefit_for_user(request.user, benefit.pk)))


@router.get("/budgets", response={200: list[BenefitBudgetOut]}, summary="Your agency's budgets: committed, spent")
def budgets(request: AuthedRequest) -> Any:
    require_scope(request, "cases:read")
    return Status(
        200,
        [
            BenefitBudgetOut(
                assistance_code=r.budget.assistance_type.code,
                assistance=r.budget.assistance_type.name,
                period_start=r.budget.period_start,
                period_end=r.budget.period_end,
                amount=r.budget.amount,
                committed=r.committed,
                spent=r.spent,
                remaining=r.remaining,
            )
            for r in budgets_for(request.user)
        ],
    )


@router.get(
    "/recommended-not-received",
    response={200: list[BenefitMissedOut]},
    summary="Persons whose latest assessment recommends assistance and who received none after `days` days",
)
def missed(request: AuthedRequest, days: int = 30) -> Any:
    require_scope(request, "cases:read")
    rows = recommended_but_not_received(request.user, max(0, min(days, 3650)))
    return Status(
        200,
        [
            BenefitMissedOut(
                person_id=r.person.pk,
                person_name=listed_name(r.person),
                regency=r.regency,
                agency=r.agency,
                assessed_at=r.assessed_at,
                days_waiting=r.days_waiting,
                recommended=r.codes,
            )
            for r in rows
        ],
    )


@router.get("/persons/{person_id}", response={200: list[BenefitOut], 404: ErrorOut}, summary="A person's assistance")
def person(request: AuthedRequest, person_id: int) -> Any:
    require_scope(request, "cases:read")
    found = get_person_for_user(request.user, person_id)
    return Status(200, [_out(request, b) for b in history_for_person(request.user, found).select_related("person")])


# --- assistance types and budgets (agency administrator or supervisor) ----------------------------------------------

TYPE_ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class BenefitEligibilityRuleIn(Schema):
    rule: str = Field(description="returned_within_months, max_decile, case_category or recommended.")
    value: Any = Field(None, description="Months; a decile 1-10; a list of complaint-category codes; nothing.")


class BenefitTypeIn(Schema):
    code: str = Field(description="Lowercase letters, digits, - and _; the same code across agencies is the same help.")
    name: str
    atensi_component: str = Field("", description="atensi-a1 … atensi-a7, or empty.")
    default_amount: Decimal = Decimal(0)
    items: str = ""
    eligibility: list[BenefitEligibilityRuleIn] = Field(default_factory=list)
    overlaps_with: list[str] = Field(default_factory=list)
    duplicate_window_days: int = 365


class BenefitTypeBudgetOut(Schema):
    id: int
    period_start: date
    period_end: date
    amount: Decimal
    committed: Decimal
    spent: Decimal
    remaining: Decimal


class BenefitTypeOut(Schema):
    id: int
    code: str
    name: str
    agency: str
    atensi_component: str
    default_amount: Decimal
    items: str
    eligibility: list[dict[str, Any]]
    overlaps_with: list[str]
    duplicate_window_days: int
    is_active: bool
    budgets: list[BenefitTypeBudgetOut]


class BenefitTypeBudgetIn(Schema):
    period_start: date
    period_end: date
    amount: Decimal = Field(description="Rupiah, 0 or more; the same period again changes its amount.")


def _type_out(kind: Any) -> BenefitTypeOut:
    from sinergi.benefits.selectors import budgets_of_type

    return BenefitTypeOut(
        id=kind.pk,
        code=kind.code,
        name=kind.name,
        agency=kind.agency.name,
        atensi_component=kind.atensi_component,
        default_amount=kind.default_amount,
        items=kind.items,
        eligibility=kind.eligibility,
        overlaps_with=kind.overlaps_with,
        duplicate_window_days=kind.duplicate_window_days,
        is_active=kind.is_active,
        budgets=[
            BenefitTypeBudgetOut(
                id=r.budget.pk,
                period_start=r.budget.period_start,
                period_end=r.budget.period_end,
                amount=r.budget.amount,
                committed=r.committed,
                spent=r.spent,
                remaining=r.remaining,
            )
            for r in budgets_of_type(kind)
        ],
    )


def _require_type_manager(request: AuthedRequest, scope: str) -> None:
    from sinergi.accounts.roles import Capability

    require_scope(request, scope)
    if not request.user.has_capability(Capability.MANAGE_ASSISTANCE_TYPES):
        raise PermissionDenied(_("Only your agency's administrator or supervisor sets assistance types and budgets."))


def _type_kwargs(payload: BenefitTypeIn) -> dict[str, Any]:
    values = payload.dict()
    values["eligibility"] = [
        {k: v for k, v in rule.items() if k == "rule" or v is not None} for rule in values["eligibility"]
    ]
    return values


@router.get(
    "/types", response={200: list[BenefitTypeOut], 403: ErrorOut}, summary="Your agency's assistance types (admin)"
)
def types(request: AuthedRequest) -> Any:
    from sinergi.benefits.selectors import types_managed_by

    _require_type_manager(request, "cases:read")
    return Status(200, [_type_out(k) for k in types_managed_by(request.user).select_related("agency")])


@router.post("/types", response={201: BenefitTypeOut, **TYPE_ERRORS}, summary="Create an assistance type (admin)")
def type_create(request: AuthedRequest, payload: BenefitTypeIn) -> Any:
    _require_type_manager(request, "cases:write")
    try:
        kind = services.define_assistance_type(actor=request.user, must_be_new=True, **_type_kwargs(payload))
    except (InvalidData, PermissionDenied) as error:
        return _refused(error)
    return Status(201, _type_out(kind))


@router.put(
    "/types/{type_id}",
    response={200: BenefitTypeOut, **TYPE_ERRORS},
    summary="Change an assistance type and its eligibility rules (its code stays)",
)
def type_update(request: AuthedRequest, type_id: int, payload: BenefitTypeIn) -> Any:
    from sinergi.benefits.selectors import get_type_for_manager

    _require_type_manager(request, "cases:write")
    kind = get_type_for_manager(request.user, type_id)
    if payload.code != kind.code:
        return Status(422, ErrorOut(detail=_("The code of an assistance type cannot change."), errors={}))
    try:
        kind = services.define_assistance_type(actor=request.user, **_type_kwargs(payload))
    except (InvalidData, PermissionDenied) as error:
        return _refused(error)
    return Status(200, _type_out(kind))


@router.post(
    "/types/{type_id}/budgets",
    response={201: BenefitTypeOut, **TYPE_ERRORS},
    summary="Set the budget of a period (not negative, not overlapping another period of the type)",
)
def type_budget(request: AuthedRequest, type_id: int, payload: BenefitTypeBudgetIn) -> Any:
    from sinergi.benefits.selectors import get_type_for_manager

    _require_type_manager(request, "cases:write")
    kind = get_type_for_manager(request.user, type_id)
    try:
        services.set_budget(
            actor=request.user,
            assistance_type=kind,
            period_start=payload.period_start,
            period_end=payload.period_end,
            amount=payload.amount,
        )
    except (InvalidData, PermissionDenied, services.BenefitError) as error:
        return _refused(error)
    return Status(201, _type_out(kind))


@router.get("/{benefit_id}", response={200: BenefitOut, 404: ErrorOut}, summary="One benefit")
def one(request: AuthedRequest, benefit_id: int) -> Any:
    require_scope(request, "cases:read")
    return Status(200, _out(request, get_benefit_for_user(request.user, benefit_id)))


@router.post(
    "/{benefit_id}/steps",
    response={200: BenefitOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Verify, approve, reject or cancel",
)
def step(request: AuthedRequest, benefit_id: int, payload: BenefitStepIn) -> Any:
    require_scope(request, "cases:write")
    try:
        benefit = services.move_benefit(
            actor=request.user,
            benefit_id=benefit_id,
            action=payload.action,
            note=payload.note,
            approved_amount=payload.approved_amount,
        )
    except (InvalidData, PermissionDenied, services.BenefitError) as error:
        return _refused(error)
    return Status(200, _out(request, benefit))


@router.post(
    "/{benefit_id}/delivery",
    response={200: BenefitOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Record the delivery with its proof (JPG, PNG or PDF; the content is checked)",
)
def delivery(
    request: AuthedRequest,
    benefit_id: int,
    delivered_on: Form[date],
    amount: Form[Decimal],
    proof: File[UploadedFile],
    note: Form[str] = "",
) -> Any:
    require_scope(request, "cases:write")
    try:
        benefit = services.deliver_benefit(
            actor=request.user, benefit_id=benefit_id, delivered_on=delivered_on, amount=amount, proof=proof, note=note
        )
    except (InvalidData, PermissionDenied, services.BenefitError) as error:
        return _refused(error)
    return Status(200, _out(request, benefit))
