"""Data-subject pages: the access export, the requests list (the inbox with its clocks), a new request, one
request with its answer, and lifting a restriction. Each view parses, calls a selector or a service, renders."""

from __future__ import annotations

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.privacy import services
from sinergi.privacy.deadlines import PERIODS
from sinergi.privacy.documents import subject_access_pdf
from sinergi.privacy.erasure import plan_erasure
from sinergi.privacy.forms import FIELD_LABELS, AnswerForm, LiftForm, RequestFilterForm, RequestForm
from sinergi.privacy.models import Outcome, RequestKind
from sinergi.privacy.selectors import (
    RequestFilter,
    active_restriction,
    filter_requests,
    get_request_for_user,
    may_receive,
)
from sinergi.privacy.services import export_subject_data, subject_person_for
from sinergi.privacy.subject_access import NOT_EXPORTED, SECTIONS
from sinergi.privacy.workflow import OUTCOMES, actions_for
from sinergi.registry.services import InvalidData

LIST_ROWS = 200


@require_GET
def subject_access(request: AuthedRequest, pk: int) -> HttpResponse:
    person = subject_person_for(request.user, pk)
    return render(
        request,
        "privacy/subject_access.html",
        {"person": person, "sections": SECTIONS, "not_exported": sorted(NOT_EXPORTED.items())},
    )


@require_GET
def subject_access_export(request: AuthedRequest, pk: int, file_format: str) -> HttpResponse:
    if file_format not in ("json", "pdf"):
        raise Http404
    export = export_subject_data(actor=request.user, person_id=pk, file_format=file_format)
    if file_format == "json":
        response = HttpResponse(
            json.dumps(export, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
        )
    else:
        response = HttpResponse(subject_access_pdf(export), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="data-pribadi-{pk}.{file_format}"'
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def request_list(request: AuthedRequest) -> HttpResponse:
    if not may_receive(request.user):
        raise PermissionDenied(_("Your role does not allow seeing data-subject requests."))
    form = RequestFilterForm(request.GET or {"status": "open"})
    cleaned = form.cleaned_data if form.is_valid() else {"status": "open"}
    flt = RequestFilter(
        status=cleaned.get("status", "open"), kind=cleaned.get("kind", ""), overdue=bool(cleaned.get("overdue"))
    )
    rows = list(filter_requests(request.user, flt)[:LIST_ROWS])
    return render(request, "privacy/request_list.html", {"form": form, "rows": rows, "now": timezone.now()})


@require_http_methods(["GET", "POST"])
def request_new(request: AuthedRequest, pk: int) -> HttpResponse:
    if not may_receive(request.user):
        raise PermissionDenied(_("Your role does not allow recording data-subject requests."))
    person = services.own_person_for_request(request.user, pk)
    form = RequestForm(request.POST or None, initial={"kind": request.GET.get("kind", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.receive_request(
                actor=request.user,
                person_id=person.pk,
                data=services.RequestData(
                    kind=data["kind"],
                    channel=data["channel"],
                    identity_check=data["identity_check"],
                    requester=data["requester"],
                    requester_name=data["requester_name"],
                    details=data["details"],
                    field=data["field"],
                    proposed_value=data["proposed_value"],
                    received_at=data["received_at"],
                ),
            )
        except InvalidData as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Request recorded. The legal deadline is running."))
            return redirect("privacy:request_detail", pk=created.pk)
    return render(
        request,
        "privacy/request_new.html",
        {"person": person, "form": form, "periods": [(RequestKind(k).label, p) for k, p in PERIODS.items()]},
    )


@require_http_methods(["GET", "POST"])
def request_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    subject_request = get_request_for_user(request.user, pk)
    actions = actions_for(request.user, subject_request)
    form = AnswerForm(request.POST or None)
    outcome = form.fields["outcome"]
    assert isinstance(outcome, forms.ChoiceField)
    outcome.choices = [(value, label) for value, label in Outcome.choices if value in OUTCOMES[subject_request.kind]]
    if request.method == "POST":
        try:
            if request.POST.get("action") == "start" and "start" in actions:
                services.start_request(actor=request.user, request_id=pk)
                messages.success(request, _("Marked as in progress."))
                return redirect("privacy:request_detail", pk=pk)
            if "answer" not in actions:
                raise PermissionDenied(_("This request cannot be answered by you now."))
            if form.is_valid():
                services.answer_request(
                    actor=request.user,
                    request_id=pk,
                    outcome=form.cleaned_data["outcome"],
                    answer=form.cleaned_data["answer"],
                    reason=form.cleaned_data["reason"],
                )
                messages.success(request, _("Answer recorded."))
                return redirect("privacy:request_detail", pk=pk)
        except InvalidData as error:
            form.add_service_errors(error)
    plan = None
    if subject_request.kind == RequestKind.ERASURE and subject_request.is_open and "answer" in actions:
        plan = plan_erasure(subject_request.person)
        if not plan.allowed and not form.is_bound:
            form.initial = {"outcome": "DITOLAK", "reason": plan.refusal_text()}
    return render(
        request,
        "privacy/request_detail.html",
        {
            "req": subject_request,
            "actions": actions,
            "form": form,
            "plan": plan,
            "now": timezone.now(),
            "field_label": FIELD_LABELS.get(subject_request.field, subject_request.field),
            "restriction": active_restriction(subject_request.person_id),
        },
    )


@require_POST
def lift_restriction(request: AuthedRequest, pk: int) -> HttpResponse:
    if not request.user.has_capability(Capability.ANSWER_SUBJECT_REQUESTS):
        raise PermissionDenied(_("Only the head or the administrator of the agency lifts a restriction."))
    form = LiftForm(request.POST)
    reason = form.data.get("reason", "")
    try:
        services.lift_restriction(actor=request.user, person_id=pk, reason=reason)
    except InvalidData as error:
        messages.error(request, " ".join(m for msgs in error.errors.values() for m in msgs))
    else:
        messages.success(request, _("Restriction lifted: the record is shared again as the sharing rule allows."))
    return redirect("registry:detail", pk=pk)
