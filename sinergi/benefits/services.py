"""Every write of assistance given: types and budgets (agency admin or supervisor), proposals with eligibility
and the cross-agency duplicate check, the flow steps from the table in workflow.py, delivery with proof.

Money rules, each refused with a message and nothing saved: approval only while the budget of the period has
room for the approved amount (committed + spent + this ≤ budget, under a lock on the budget row); delivery not
above the approved amount; proof a real image or PDF (sinergi.cases.uploads checks the content).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability, Role
from sinergi.audit.events import record_event
from sinergi.benefits.eligibility import clean_eligibility, unmet_rules
from sinergi.benefits.models import AssistanceType, AtensiComponent, Benefit, BenefitStatus, BenefitStep, Budget
from sinergi.benefits.selectors import (
    budget_figures,
    budget_for,
    duplicate_warnings,
    get_benefit_for_user,
    linked_person_ids,
)
from sinergi.benefits.workflow import BENEFIT_TRANSITIONS, may, may_propose, transition_for
from sinergi.cases import uploads
from sinergi.registry.services import InvalidData
from sinergi.sharing.selectors import own_person_for

PROOF_TYPES = (".jpg", ".jpeg", ".png", ".pdf")


class BenefitError(Exception):
    """A refused step (a conflict with the benefit's state or the budget); the message says what to do."""


def _rupiah(value: Decimal) -> str:
    return f"Rp{value:,.0f}".replace(",", ".")


def _amount(raw: object, field: str) -> Decimal:
    try:
        value = Decimal(str(raw).replace(".", "").replace(",", ".")) if isinstance(raw, str) else Decimal(str(raw))
    except InvalidOperation:
        raise InvalidData({field: [_("Enter an amount in rupiah, e.g. 2500000.")]}) from None
    if not value.is_finite() or value < 0:
        raise InvalidData({field: [_("The amount cannot be negative: enter 0 or more rupiah.")]})
    if value >= Decimal(10) ** 13:
        raise InvalidData({field: [_("The amount is too large: check the number of digits.")]})
    return value.quantize(Decimal(1))


def _require_manager(actor: User) -> None:
    if (
        not actor.is_authenticated
        or actor.agency_id is None
        or not actor.has_capability(Capability.MANAGE_ASSISTANCE_TYPES)
    ):
        raise PermissionDenied(_("Only your agency's administrator or supervisor sets assistance types and budgets."))


# --- types and budgets -----------------------------------------------------------------------------------------


@transaction.atomic
def define_assistance_type(
    *,
    actor: User,
    code: str,
    name: str,
    default_amount: Decimal | int | str = 0,
    atensi_component: str = "",
    items: str = "",
    eligibility: list[dict[str, object]] | None = None,
    overlaps_with: list[str] | None = None,
    duplicate_window_days: int = 365,
    must_be_new: bool = False,
) -> AssistanceType:
    """Create or update the actor's agency's type with this code (idempotent: the demo calls it again).

    Refused with InvalidData naming each field to fix: a code that is not a slug, no name, a negative amount,
    an eligibility rule that is unknown or has no usable value, a non-positive duplicate window."""
    _require_manager(actor)
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{0,39}", code or ""):
        errors["code"] = [_("Use lowercase letters, digits, - and _ for the code, e.g. modal_usaha.")]
    if not (name or "").strip():
        errors["name"] = [_("Write the name of the assistance.")]
    try:
        default_amount = _amount(default_amount, "default_amount")
    except InvalidData as error:
        errors.update(error.errors)
    if atensi_component not in AtensiComponent.values:
        errors["atensi_component"] = [_("Choose the ATENSI component from the list.")]
    eligibility, problems = clean_eligibility(eligibility or [])
    if problems:
        errors["eligibility"] = problems
    if not 1 <= int(duplicate_window_days) <= 3650:
        errors["duplicate_window_days"] = [_("Enter a number of days between 1 and 3650.")]
    if errors:
        raise InvalidData(errors)
    name = name.strip()
    values = {
        "name": name,
        "default_amount": Decimal(default_amount),
        "atensi_component": atensi_component,
        "items": items,
        "eligibility": eligibility or [],
        "overlaps_with": overlaps_with or [],
        "duplicate_window_days": duplicate_window_days,
    }
    kind = AssistanceType.objects.select_for_update().filter(agency_id=actor.agency_pk, code=code).first()
    if kind is not None and must_be_new:
        raise InvalidData({"code": [_("Your agency already has an assistance type with this code.")]})
    if kind is not None and all(getattr(kind, field) == value for field, value in values.items()):
        return kind  # unchanged: nothing to write or audit
    created = kind is None
    if kind is None:
        kind = AssistanceType(agency_id=actor.agency_pk, code=code)
    for field, value in values.items():
        setattr(kind, field, value)
    kind.save()
    record_event(
        actor=actor, action="benefit_type.created" if created else "benefit_type.updated", obj=kind, summary=code
    )
    return kind


@transaction.atomic
def set_budget(
    *, actor: User, assistance_type: AssistanceType, period_start: date, period_end: date, amount: Decimal | int
) -> Budget:
    _require_manager(actor)
    if assistance_type.agency_id != actor.agency_id:
        raise PermissionDenied(_("Only the giving agency sets this budget."))
    if period_end < period_start:
        raise InvalidData({"period_end": [_("The period ends before it starts.")]})
    value = _amount(amount, "amount")
    # One budget per type for any day: a benefit is charged to the budget whose period holds its date.
    # Lock the type's budgets so two administrators cannot add overlapping periods at once.
    others = list(
        Budget.objects.select_for_update()
        .filter(assistance_type=assistance_type, period_start__lte=period_end, period_end__gte=period_start)
        .exclude(period_start=period_start, period_end=period_end)
    )
    if others:
        other = others[0]
        raise InvalidData(
            {
                "period_start": [
                    _(
                        "This period overlaps the budget %(start)s–%(end)s of the same assistance. Change that "
                        "budget's amount, or choose a period that does not overlap it."
                    )
                    % {"start": f"{other.period_start:%d-%m-%Y}", "end": f"{other.period_end:%d-%m-%Y}"}
                ]
            }
        )
    budget, created = Budget.objects.select_for_update().get_or_create(
        assistance_type=assistance_type, period_start=period_start, period_end=period_end, defaults={"amount": value}
    )
    if not created and budget.amount == value:
        return budget  # unchanged: nothing to write or audit
    figures = budget_figures(budget)
    if value < figures.committed + figures.spent:
        raise BenefitError(
            _("%(committed)s is already committed or spent from this budget: it cannot be lower.")
            % {"committed": _rupiah(figures.committed + figures.spent)}
        )
    budget.amount = value
    budget.save(update_fields=["amount"])
    record_event(actor=actor, action="budget.set", obj=budget, summary=f"{assistance_type.code} {value}")
    return budget


# --- the flow --------------------------------------------------------------------------------------------------


def _step(benefit: Benefit, actor: User, to: str, note: str = "") -> None:
    BenefitStep.objects.create(benefit=benefit, from_status=benefit.status, to_status=to, note=note, by=actor)
    benefit.status = to
    benefit.updated_at = timezone.now()


@dataclass
class Proposal:
    person_id: int
    type_id: int
    amount: Decimal | int | str | None = None
    items: str = ""
    reason: str = ""
    case_id: int | None = None


@transaction.atomic
def propose_benefit(*, actor: User, data: Proposal) -> Benefit:
    """An usulan of the actor's agency's assistance for a person the actor may see; refused when the type's
    eligibility rules do not hold. Assistance the same human already got anywhere is recorded as warnings."""
    if not may_propose(actor):
        raise PermissionDenied(_("Your role does not allow proposing assistance."))
    # The assistance is the agency's own record of the person: own persons only (sinergi.sharing).
    person = own_person_for(actor, data.person_id)
    kind = AssistanceType.objects.filter(pk=data.type_id, agency_id=actor.agency_pk, is_active=True).first()
    if kind is None:
        raise InvalidData({"type_id": [_("Choose an assistance type your agency gives.")]})
    amount = kind.default_amount if data.amount in (None, "") else _amount(data.amount, "amount")
    from sinergi.assessments.models import Assessment

    # The same human's latest assessment, whichever record it was made on (a receiver may assess the person on
    # the referring agency's record before taking them in).
    assessment = Assessment.objects.filter(person_id__in=linked_person_ids(person)).order_by("-at", "-id").first()
    unmet = unmet_rules(actor, kind, person, assessment)
    if unmet:
        raise InvalidData({"type_id": unmet})
    benefit = Benefit.objects.create(
        person=person,
        agency_id=actor.agency_pk,
        assistance_type=kind,
        case_id=data.case_id if data.case_id and _case_visible(actor, data.case_id, person.pk) else None,
        assessment=assessment,
        proposed_amount=amount,
        items=(data.items or kind.items)[:300],
        reason=data.reason.strip()[:4000],
        duplicate_warnings=duplicate_warnings(person, kind),
        proposed_by=actor,
    )
    BenefitStep.objects.create(benefit=benefit, to_status=BenefitStatus.PROPOSED, by=actor, note=benefit.reason)
    record_event(
        actor=actor,
        action="benefit.proposed",
        obj=benefit,
        summary=f"{kind.code} person {person.pk}",
        detail={"duplicates": len(benefit.duplicate_warnings)},
    )
    return benefit


def _case_visible(actor: User, case_id: int, person_id: int) -> bool:
    from sinergi.cases.selectors import cases_visible_to

    return cases_visible_to(actor).filter(pk=case_id, person_id=person_id).exists()


def _check_move(actor: User, benefit: Benefit, action: str) -> str:
    found = transition_for(benefit.status, action)
    if found is None:
        raise BenefitError(
            _("The assistance is %(status)s: this step is not possible now.")
            % {"status": BenefitStatus(benefit.status).label}
        )
    to, transition = found
    if not may(actor, benefit, transition):
        if actor.agency_id != benefit.agency_id:
            raise PermissionDenied(
                _("Only %(agency)s decides on its own assistance.") % {"agency": benefit.agency.name}
            )
        roles = ", ".join(str(Role(r).label) for r in sorted(transition.roles))
        raise PermissionDenied(_("This step needs the role: %(roles)s.") % {"roles": roles})
    return to


@transaction.atomic
def move_benefit(
    *, actor: User, benefit_id: int, action: str, note: str = "", approved_amount: object = None
) -> Benefit:
    """verify, approve (optionally a lower amount), reject, cancel. Approval re-runs the duplicate check and
    needs room in the budget of the period."""
    benefit = get_benefit_for_user(actor, benefit_id, write=True)
    to = _check_move(actor, benefit, action)
    transition = BENEFIT_TRANSITIONS[(benefit.status, to)]
    note = note.strip()[:4000]
    if transition.needs_note and not note:
        raise InvalidData({"note": [_("Write the reason.")]})
    if to == BenefitStatus.APPROVED:
        _approve(actor, benefit, approved_amount)
    _step(benefit, actor, to, note)
    benefit.save()
    record_event(actor=actor, action=f"benefit.{action}", obj=benefit, summary=f"{benefit.assistance_type.code} → {to}")
    return benefit


def _approve(actor: User, benefit: Benefit, approved_amount: object) -> None:
    amount = benefit.proposed_amount if approved_amount in (None, "") else _amount(approved_amount, "approved_amount")
    if amount > benefit.proposed_amount:
        raise InvalidData({"approved_amount": [_("Approve at most the proposed amount; propose again for more.")]})
    today = timezone.localdate()
    budget = budget_for(benefit.assistance_type, today)
    if budget is None:
        raise BenefitError(
            _("There is no budget for %(type)s in this period. Ask your administrator to set one.")
            % {"type": benefit.assistance_type.name}
        )
    budget = Budget.objects.select_for_update().get(pk=budget.pk)
    figures = budget_figures(budget)
    if figures.remaining - amount < 0:
        raise BenefitError(
            _(
                "The budget would go negative: %(remaining)s is left of %(budget)s. "
                "Approve a lower amount or ask for more budget."
            )
            % {"remaining": _rupiah(figures.remaining), "budget": _rupiah(budget.amount)}
        )
    benefit.approved_amount = amount
    benefit.budget = budget
    benefit.duplicate_warnings = duplicate_warnings(benefit.person, benefit.assistance_type, exclude_pk=benefit.pk)


@transaction.atomic
def deliver_benefit(
    *,
    actor: User,
    benefit_id: int,
    delivered_on: date,
    amount: object,
    proof: UploadedFile[bytes] | None,
    items: str = "",
    note: str = "",
) -> Benefit:
    """Record the penyaluran: date, amount (at most the approved one), and the proof (receipt photo or PDF)."""
    benefit = get_benefit_for_user(actor, benefit_id, write=True)
    to = _check_move(actor, benefit, "deliver")
    errors: dict[str, list[str]] = {}
    value = _amount(amount, "amount")
    if benefit.approved_amount is not None and value > benefit.approved_amount:
        errors["amount"] = [
            _("The approved amount is %(approved)s: deliver at most that.")
            % {"approved": _rupiah(benefit.approved_amount)}
        ]
    if delivered_on > timezone.localdate():
        errors["delivered_on"] = [_("The delivery date cannot be in the future.")]
    if proof is None:
        errors["proof"] = [_("Attach the signed receipt photo or the berita acara PDF.")]
    else:
        problem = uploads.check_upload(proof)
        if problem is None and uploads.extension(proof.name or "") not in PROOF_TYPES:
            problem = _("The proof must be a photo (JPG, PNG) or a PDF.")
        if problem:
            errors["proof"] = [problem]
    if errors:
        raise InvalidData(errors)
    assert proof is not None
    benefit.delivered_amount = value
    benefit.delivered_on = delivered_on
    if items:
        benefit.items = items[:300]
    benefit.proof_name = uploads.safe_name(proof.name or "bukti")
    benefit.proof_content_type = uploads.content_type_for(proof.name or "")
    benefit.proof.save(benefit.proof_name, proof, save=False)
    _step(benefit, actor, to, note.strip()[:4000])
    benefit.save()
    record_event(
        actor=actor, action="benefit.delivered", obj=benefit, summary=f"{benefit.assistance_type.code} {value}"
    )
    return benefit
