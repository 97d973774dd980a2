"""Fact sheet and statement pages, and the public page of a published statement (no login).

Forms parse, services decide and write, selectors read; the buttons come from `workflow.actions_for`.
"""

from __future__ import annotations

import itertools

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.registry.services import InvalidData
from sinergi.statements import services
from sinergi.statements.diff import changed_lines
from sinergi.statements.facts import fact_sheet, involved_agencies
from sinergi.statements.forms import CorrectionForm, FactClaimForm, JustifyForm, StatementForm
from sinergi.statements.models import StatementVersion, VersionStatus
from sinergi.statements.selectors import (
    get_involved_case,
    get_version_for_user,
    involved_cases_for,
    public_versions,
    statements_visible_to,
    version_by_code,
)
from sinergi.statements.workflow import actions_for


def _refused(request: AuthedRequest, error: Exception) -> None:
    if isinstance(error, InvalidData):
        for field_errors in error.errors.values():
            for message in field_errors:
                messages.error(request, message)
    else:
        messages.error(request, str(error))


@require_GET
def statement_list(request: AuthedRequest) -> HttpResponse:
    statements = (
        statements_visible_to(request.user)
        .select_related("case", "drafting_agency")
        .prefetch_related("versions")
        .order_by("-created_at")[:100]
    )
    cases = involved_cases_for(request.user).select_related("agency").order_by("-received_at")[:30]
    return render(request, "statements/list.html", {"statements": statements, "cases": cases})


@require_GET
def case_facts(request: AuthedRequest, case_id: int) -> HttpResponse:
    case = get_involved_case(request.user, case_id)
    sheet = fact_sheet(case)
    context = {
        "case": case,
        "sheet": sheet,
        "is_owner": case.agency_id == request.user.agency_id,
        "statements": case.statements.prefetch_related("versions").order_by("-created_at"),
        "claim_form": FactClaimForm(),
        "statement_form": StatementForm(),
    }
    return render(request, "statements/facts.html", context)


@require_POST
def state_fact(request: AuthedRequest, case_id: int) -> HttpResponse:
    form = FactClaimForm(request.POST)
    if form.is_valid():
        try:
            services.state_fact(actor=request.user, case_id=case_id, **form.cleaned_data)
            messages.success(request, _("The value was added to the fact sheet."))
        except (services.StatementError, InvalidData) as error:
            _refused(request, error)
    else:
        messages.error(request, _("Fill in the fact, its value and its source."))
    return redirect("statements:facts", case_id=case_id)


@require_POST
def verify_fact(request: AuthedRequest, case_id: int, claim_id: int) -> HttpResponse:
    try:
        services.verify_fact(actor=request.user, case_id=case_id, claim_id=claim_id)
        messages.success(request, _("The value is verified: the fact sheet uses it."))
    except services.StatementError as error:
        _refused(request, error)
    return redirect("statements:facts", case_id=case_id)


@require_POST
def draft(request: AuthedRequest, case_id: int) -> HttpResponse:
    form = StatementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the statement a title and a text."))
        return redirect("statements:facts", case_id=case_id)
    try:
        version = services.draft_statement(actor=request.user, case_id=case_id, **form.cleaned_data)
    except (services.StatementError, InvalidData) as error:
        _refused(request, error)
        return redirect("statements:facts", case_id=case_id)
    return redirect("statements:version", pk=version.pk)


def _version_context(request: AuthedRequest, version: StatementVersion) -> dict[str, object]:
    agencies = involved_agencies(version.statement.case)
    approvals = {approval.agency_id: approval for approval in version.approvals.select_related("by")}
    published = (
        version.statement.versions.filter(status=VersionStatus.PUBLISHED).exclude(pk=version.pk).first()
        if version.status == VersionStatus.DRAFT
        else None
    )
    return {
        "version": version,
        "statement": version.statement,
        "flags": list(version.flags.select_related("justified_by")),
        "agency_approvals": [(agency, approvals.get(agency.pk)) for agency in agencies],
        "actions": {action.value for action in actions_for(request.user, version)},
        "edit_form": StatementForm(initial={"title": version.title, "body": version.body}),
        "justify_form": JustifyForm(),
        "correction_form": CorrectionForm(),
        "versions": version.statement.versions.order_by("-number"),
        "published": published,
        "changes": changed_lines(published.body, version.body) if published else [],
    }


@require_GET
def version_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    version = get_version_for_user(request.user, pk)
    return render(request, "statements/version.html", _version_context(request, version))


@require_POST
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    form = StatementForm(request.POST)
    if form.is_valid():
        try:
            services.edit_version(actor=request.user, version_id=pk, **form.cleaned_data)
            messages.success(request, _("Saved. The privacy check ran again; approvals must be given again."))
        except (services.StatementError, InvalidData) as error:
            _refused(request, error)
    else:
        messages.error(request, _("Give the statement a title and a text."))
    return redirect("statements:version", pk=pk)


@require_POST
def justify(request: AuthedRequest, pk: int, flag_id: int) -> HttpResponse:
    form = JustifyForm(request.POST)
    try:
        services.justify_flag(
            actor=request.user,
            version_id=pk,
            flag_id=flag_id,
            justification=form.data.get("justification", ""),
        )
        messages.success(request, _("Justification saved."))
    except (services.StatementError, InvalidData) as error:
        _refused(request, error)
    return redirect("statements:version", pk=pk)


@require_POST
def approve(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        version = services.approve_version(actor=request.user, version_id=pk)
        if version.status == VersionStatus.PUBLISHED:
            messages.success(request, _("Approved. Every involved agency has approved: the statement is published."))
        else:
            messages.success(request, _("Approved for your agency."))
    except services.StatementError as error:
        _refused(request, error)
    return redirect("statements:version", pk=pk)


@require_POST
def correct(request: AuthedRequest, pk: int) -> HttpResponse:
    form = CorrectionForm(request.POST)
    try:
        draft_version = services.start_correction(
            actor=request.user, version_id=pk, change_note=form.data.get("change_note", "")
        )
    except (services.StatementError, InvalidData) as error:
        _refused(request, error)
        return redirect("statements:version", pk=pk)
    return redirect("statements:version", pk=draft_version.pk)


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-cache"
    return response


@login_not_required
@require_GET
def public_statement(request: HttpRequest, public_id: str) -> HttpResponse:
    versions = public_versions(public_id)
    current = versions[0]
    older = [
        (version, changed_lines(version.body, newer.body), newer) for newer, version in itertools.pairwise(versions)
    ]
    return _public(render(request, "statements/public.html", {"current": current, "older": older}))


@login_not_required
@require_GET
def check_code(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("kode", "").strip()
    version = version_by_code(code) if code else None
    status = 404 if code and version is None else 200
    return _public(render(request, "statements/check.html", {"code": code, "found": version}, status=status))
