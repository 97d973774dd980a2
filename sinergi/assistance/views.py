"""Special-assistance pages: the list with filters and exports, candidate cases, proposing, an entry with
agree/withdraw. Forms parse, services decide and write, selectors read; a refused step changes nothing."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.assistance import services
from sinergi.assistance.forms import EntryFilterForm, ProposalForm, WithdrawForm
from sinergi.assistance.models import OPEN_ASSISTANCE_STATUSES, AssistanceEntry, AssistanceStatus
from sinergi.assistance.selectors import (
    agencies_on_list_of,
    candidate_cases,
    candidate_rows,
    entry_rows,
    get_entry_for_user,
    latest_assessment,
    list_entries,
)
from sinergi.assistance.workflow import Action, Side, has_agreed, may, side_of
from sinergi.cases.models import Case
from sinergi.cases.selectors import get_case_for_user
from sinergi.registry.countries import country_name
from sinergi.registry.services import InvalidData

PAGE_SIZE = 25
MAX_CANDIDATES = 200


def _require(request: AuthedRequest, capability: Capability) -> None:
    # 404, not 403: for someone without the list, the list does not exist (as for an entry not theirs).
    if not request.user.has_capability(capability):
        raise Http404


def _is_htmx(request: AuthedRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _filter_form(request: AuthedRequest) -> EntryFilterForm:
    return EntryFilterForm(request.GET, agencies=list(agencies_on_list_of(request.user)))


# --- the list -------------------------------------------------------------------------------------------------


@require_GET
def entry_list(request: AuthedRequest) -> HttpResponse:
    _require(request, Capability.VIEW_ASSISTANCE_LIST)
    form = _filter_form(request)
    rows = []
    next_before = None
    before = request.GET.get("before", "")
    if form.is_valid():
        rows = list_entries(
            request.user, form.to_filter(), before=int(before) if before.isdigit() else None, limit=PAGE_SIZE + 1
        )
        if len(rows) > PAGE_SIZE:
            rows = rows[:PAGE_SIZE]
            next_before = rows[-1].entry.pk
    context = {
        "form": form,
        "rows": rows,
        "next_before": next_before,
        "paged": before.isdigit(),
        "filtering": form.is_filtering,
        "export_status": (form.cleaned_data.get("status") if form.is_valid() else "") or AssistanceStatus.AGREED,
        "candidate_count": candidate_cases(request.user).count(),
        "can_propose": request.user.has_capability(Capability.PROPOSE_ASSISTANCE),
    }
    if _is_htmx(request) and request.headers.get("HX-Target") == "assistance-results":
        return render(request, "assistance/list.html#results", context)
    return render(request, "assistance/list.html", context)


@require_GET
def export(request: AuthedRequest, file_format: str) -> HttpResponse:
    """The list as CSV or XLSX in the Kemensos template; agreed entries unless a status filter says otherwise."""
    _require(request, Capability.VIEW_ASSISTANCE_LIST)
    form = _filter_form(request)
    if not form.is_valid():
        messages.error(request, _("Check the filters: the export uses them."))
        return redirect("assistance:list")
    exported = services.export_list(actor=request.user, flt=form.to_filter(), file_format=file_format)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- candidates and proposing ---------------------------------------------------------------------------------


@require_GET
def candidates(request: AuthedRequest) -> HttpResponse:
    _require(request, Capability.VIEW_ASSISTANCE_LIST)
    return render(
        request,
        "assistance/candidates.html",
        {
            "candidates": candidate_rows(request.user, limit=MAX_CANDIDATES),
            "can_propose": request.user.has_capability(Capability.PROPOSE_ASSISTANCE),
        },
    )


def _proposal_page(request: AuthedRequest, case: Case, form: ProposalForm, *, status: int = 200) -> HttpResponse:
    consent = services.sharing_consent(case)
    context = {
        "case": case,
        "form": form,
        "assessment": latest_assessment(case),
        "consent": consent,
        "can_override": request.user.has_capability(Capability.OVERRIDE_CONSENT),
        "existing": AssistanceEntry.objects.filter(case=case, status__in=OPEN_ASSISTANCE_STATUSES).first(),
    }
    return render(request, "assistance/propose.html", context, status=status)


@require_http_methods(["GET", "POST"])
def propose(request: AuthedRequest, case_id: int) -> HttpResponse:
    if not request.user.has_capability(Capability.PROPOSE_ASSISTANCE):
        raise PermissionDenied(_("Your role does not allow proposing for the special-assistance list."))
    case = get_case_for_user(request.user, case_id)
    assert request.user.agency is not None
    partners = list(services.partner_agencies_for(request.user.agency))
    if request.method == "GET":
        return _proposal_page(request, case, ProposalForm(partners=partners))
    form = ProposalForm(request.POST, partners=partners)
    if not form.is_valid():
        return _proposal_page(request, case, form, status=400)
    try:
        entry, created = services.propose_entry(actor=request.user, data=form.to_data(case.pk))
    except InvalidData as error:
        form.add_service_errors(error)
        return _proposal_page(request, case, form, status=400)
    except services.AssistanceError as refusal:
        form.add_error(None, str(refusal))
        return _proposal_page(request, case, form, status=409)
    if created:
        messages.success(
            request,
            _("Proposed. A supervisor of your agency and one of %(agency)s must both agree.")
            % {"agency": entry.partner_agency.name},
        )
    else:
        messages.info(request, _("This case was already proposed; here is the entry."))
    return redirect("assistance:detail", pk=entry.pk)


# --- an entry -------------------------------------------------------------------------------------------------


def _render_detail(
    request: AuthedRequest, entry: AssistanceEntry, withdraw_form: WithdrawForm | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    side = side_of(user, entry)
    row = entry_rows(user, [entry])[0]
    context = {
        "entry": entry,
        "row": row,
        "steps": list(entry.steps.select_related("by", "agency")),
        "is_proposer": side == Side.PROPOSER,
        "can_agree": may(user, entry, Action.AGREE) and side is not None and not has_agreed(entry, side),
        "has_agreed": side is not None and has_agreed(entry, side),
        "can_withdraw": may(user, entry, Action.WITHDRAW),
        "withdraw_form": withdraw_form or WithdrawForm(),
        "destination": country_name(row.person.destination_country)
        if row.person and row.person.destination_country
        else "",
        "consent_missing": entry.is_open and not entry.override_basis and services.sharing_consent(entry.case) is None,
    }
    return render(request, "assistance/detail.html", context, status=status)


@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk)
    services.record_entry_view(actor=request.user, entry=entry)
    return _render_detail(request, entry)


@require_POST
def agree(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        entry = services.agree_entry(actor=request.user, entry_id=pk)
    except (services.AssistanceError, PermissionDenied) as refusal:
        messages.error(request, str(refusal))
        return redirect("assistance:detail", pk=pk)
    if entry.status == AssistanceStatus.AGREED:
        messages.success(request, _("Both agencies agreed: the person is on the special-assistance list."))
    else:
        messages.success(request, _("Your agency's agreement is recorded. The other agency must agree too."))
    return redirect("assistance:detail", pk=pk)


@require_POST
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = get_entry_for_user(request.user, pk)
    form = WithdrawForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, entry, form, status=400)
    try:
        services.withdraw_entry(actor=request.user, entry_id=pk, reason=form.cleaned_data["reason"])
    except InvalidData as error:
        form.add_service_errors(error)
        return _render_detail(request, entry, form, status=400)
    except (services.AssistanceError, PermissionDenied) as refusal:
        messages.error(request, str(refusal))
        return redirect("assistance:detail", pk=pk)
    messages.success(request, _("The entry is withdrawn; the other agency sees your reason."))
    return redirect("assistance:detail", pk=pk)
