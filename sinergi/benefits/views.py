"""Assistance pages: the agency's queue, proposing, a benefit with its steps, delivery with proof, a person's
assistance history, the budget view, the "recommended but nothing received" report and the period lists."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.benefits import exports, services
from sinergi.benefits.forms import AssistanceTypeForm, BudgetForm
from sinergi.benefits.models import BenefitStatus
from sinergi.benefits.selectors import (
    budgets_for,
    budgets_of_type,
    duplicate_warnings,
    get_benefit_for_user,
    get_type_for_manager,
    history_for_person,
    labelled,
    queue_for,
    recommended_but_not_received,
    types_for_agency,
    types_managed_by,
)
from sinergi.benefits.workflow import actions_for, may_propose
from sinergi.registry.selectors import get_person_for_user
from sinergi.registry.services import InvalidData
from sinergi.sharing.selectors import take_in_referral_for


def _date(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        return default


@require_GET
def queue(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status and status not in BenefitStatus.values:
        status = ""
    rows = list(queue_for(request.user, status)[:200])
    return render(request, "benefits/queue.html", {"rows": rows, "status": status, "statuses": BenefitStatus.choices})


@require_http_methods(["GET", "POST"])
def propose(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = get_person_for_user(request.user, person_id)
    if not may_propose(request.user):
        raise PermissionDenied(_("Your role does not allow proposing assistance."))
    types = list(types_for_agency(request.user))
    errors: dict[str, list[str]] = {}
    source = request.POST if request.method == "POST" else request.GET
    # A plain dict: in a template, `values.items` of a QueryDict would be its method, not the field.
    values = {key: source.get(key, "") for key in ("type_id", "type", "amount", "items", "reason")}
    if request.method == "POST":
        try:
            benefit = services.propose_benefit(
                actor=request.user,
                data=services.Proposal(
                    person_id=person.pk,
                    type_id=int(request.POST.get("type_id") or 0),
                    amount=request.POST.get("amount") or None,
                    items=request.POST.get("items", ""),
                    reason=request.POST.get("reason", ""),
                ),
            )
        except InvalidData as error:
            errors = error.errors
        else:
            if benefit.duplicate_warnings:
                messages.warning(request, _("Proposed — but this person may already have received this assistance."))
            else:
                messages.success(request, _("Assistance proposed."))
            return redirect("benefits:detail", pk=benefit.pk)
    from sinergi.assessments.selectors import recommendations_for_person

    recommended = [r for r in recommendations_for_person(request.user, person) if r.kind == "assistance"]
    recommended_codes = {r.code for r in recommended}
    chosen = values.get("type", "")
    return render(
        request,
        "benefits/propose.html",
        {
            "person": person,
            "types": types,
            "errors": errors,
            "values": values,
            "recommended": recommended,
            "recommended_codes": recommended_codes,
            "chosen": chosen,
            # Assistance is recorded on the agency's own persons: a shared person is taken in first.
            "not_own": person.registered_by_agency_id != request.user.agency_id,
            "take_in_from": take_in_referral_for(request.user, person),
        },
        status=422 if errors else 200,
    )


@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    benefit = get_benefit_for_user(request.user, pk)
    actions = actions_for(request.user, benefit)
    # Before a decision, the check runs again: another agency may have given meanwhile.
    warnings = benefit.duplicate_warnings
    if benefit.status in (BenefitStatus.PROPOSED, BenefitStatus.VERIFIED):
        warnings = duplicate_warnings(benefit.person, benefit.assistance_type, exclude_pk=benefit.pk)
    return render(
        request,
        "benefits/detail.html",
        {
            "benefit": benefit,
            "actions": [(to, t) for to, t in actions if t.action != "deliver"],
            "can_deliver": any(t.action == "deliver" for _to, t in actions),
            "warnings": labelled(warnings),
            "steps": list(benefit.steps.select_related("by")),
            "today": timezone.localdate().isoformat(),
            "is_giver": benefit.agency_id == request.user.agency_id,
        },
    )


@require_POST
def step(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        services.move_benefit(
            actor=request.user,
            benefit_id=pk,
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
            approved_amount=request.POST.get("approved_amount") or None,
        )
    except InvalidData as error:
        messages.error(request, " ".join(m for msgs in error.errors.values() for m in msgs))
    except services.BenefitError as refusal:
        messages.error(request, str(refusal))
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    return redirect("benefits:detail", pk=pk)


@require_POST
def deliver(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        services.deliver_benefit(
            actor=request.user,
            benefit_id=pk,
            delivered_on=_date(request.POST.get("delivered_on"), timezone.localdate()),
            amount=request.POST.get("amount", ""),
            proof=request.FILES.get("proof"),
            items=request.POST.get("items", ""),
            note=request.POST.get("note", ""),
        )
    except InvalidData as error:
        messages.error(request, " ".join(m for msgs in error.errors.values() for m in msgs))
    except (services.BenefitError, PermissionDenied) as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Delivery recorded."))
    return redirect("benefits:detail", pk=pk)


@require_GET
def proof(request: AuthedRequest, pk: int) -> FileResponse:
    benefit = get_benefit_for_user(request.user, pk)
    if not benefit.proof:
        raise Http404
    return FileResponse(
        benefit.proof.open("rb"),
        content_type=benefit.proof_content_type,
        filename=benefit.proof_name,
        as_attachment=False,
    )


@require_GET
def person_history(request: AuthedRequest, person_id: int) -> HttpResponse:
    person = get_person_for_user(request.user, person_id)
    rows = list(history_for_person(request.user, person))
    return render(
        request,
        "benefits/person.html",
        {
            "person": person,
            "rows": rows,
            "can_propose": may_propose(request.user) and person.registered_by_agency_id == request.user.agency_id,
        },
    )


@require_GET
def budgets(request: AuthedRequest) -> HttpResponse:
    return render(request, "benefits/budgets.html", {"rows": budgets_for(request.user)})


@require_GET
def missed(request: AuthedRequest) -> HttpResponse:
    try:
        days = max(0, min(int(request.GET.get("days", "30")), 3650))
    except ValueError:
        days = 30
    return render(
        request, "benefits/missed.html", {"rows": recommended_but_not_received(request.user, days), "days": days}
    )


@require_GET
def export(request: AuthedRequest, fmt: str) -> HttpResponse:
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    today = timezone.localdate()
    start = _date(request.GET.get("from"), today.replace(day=1))
    end = _date(request.GET.get("to"), today)
    rows = exports.rows_for(request.user, start, end)
    if fmt == "xlsx":
        body, content_type = exports.to_xlsx(rows, start, end), exports.XLSX
    else:
        body, content_type = exports.to_pdf(rows, start, end, request.user), "application/pdf"
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="penyaluran-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"'
    return response


# --- the assistance-type editor (agency administrator or supervisor) -----------------------------------------------


def _require_manager(request: AuthedRequest) -> None:
    if not request.user.has_capability(Capability.MANAGE_ASSISTANCE_TYPES):
        raise PermissionDenied(_("Only your agency's administrator or supervisor sets assistance types and budgets."))


@require_GET
def types(request: AuthedRequest) -> HttpResponse:
    _require_manager(request)
    return render(request, "benefits/types.html", {"types": list(types_managed_by(request.user))})


@require_http_methods(["GET", "POST"])
def type_new(request: AuthedRequest) -> HttpResponse:
    _require_manager(request)
    form = AssistanceTypeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                kind = services.define_assistance_type(actor=request.user, must_be_new=True, **form.to_kwargs())
            except InvalidData as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Assistance type %(name)s saved. Set its budget.") % {"name": kind.name})
                return redirect("benefits:type", pk=kind.pk)
        return render(request, "benefits/type_form.html", {"form": form, "creating": True}, status=422)
    return render(request, "benefits/type_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
def type_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    kind = get_type_for_manager(request.user, pk)
    form = AssistanceTypeForm(
        request.POST if request.method == "POST" else None, initial=AssistanceTypeForm.initial_for(kind), editing=True
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.define_assistance_type(actor=request.user, **form.to_kwargs())
            except InvalidData as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Assistance type %(name)s saved.") % {"name": kind.name})
                return redirect("benefits:type", pk=kind.pk)
        status = 422
    return render(
        request,
        "benefits/type_detail.html",
        {"kind": kind, "form": form, "budget_form": BudgetForm(), "budgets": budgets_of_type(kind)},
        status=status,
    )


@require_POST
def type_budget(request: AuthedRequest, pk: int) -> HttpResponse:
    _require_manager(request)
    kind = get_type_for_manager(request.user, pk)
    budget_form = BudgetForm(request.POST)
    if budget_form.is_valid():
        try:
            services.set_budget(
                actor=request.user,
                assistance_type=kind,
                period_start=budget_form.cleaned_data["period_start"],
                period_end=budget_form.cleaned_data["period_end"],
                amount=budget_form.cleaned_data["amount"],
            )
        except InvalidData as error:
            budget_form.add_service_errors(error)
        except (services.BenefitError, PermissionDenied) as refusal:
            budget_form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Budget saved."))
            return redirect("benefits:type", pk=kind.pk)
    form = AssistanceTypeForm(initial=AssistanceTypeForm.initial_for(kind), editing=True)
    context = {"kind": kind, "form": form, "budget_form": budget_form, "budgets": budgets_of_type(kind)}
    return render(request, "benefits/type_detail.html", context, status=422)
