"""Breach pages: report (anyone, phone-first), the register, a breach with its clock and the head's steps, and
the notification report (PDF)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.breaches import services, workflow
from sinergi.breaches.clock import clock_state
from sinergi.breaches.documents import authority_notice, notification_report_pdf, subject_letter
from sinergi.breaches.forms import AssessForm, NoticeForm, ReportForm
from sinergi.breaches.selectors import breaches_visible_to, get_breach_for_user
from sinergi.registry.services import InvalidData


@require_GET
def breach_list(request: AuthedRequest) -> HttpResponse:
    now = timezone.now()
    breaches = breaches_visible_to(request.user).select_related("reported_by")[:200]
    rows = [(breach, clock_state(breach.notify_by, now) if breach.clock_running else None) for breach in breaches]
    return render(
        request,
        "breaches/list.html",
        {"rows": rows, "is_register": request.user.has_capability(Capability.VIEW_BREACHES)},
    )


@require_http_methods(["GET", "POST"])
def breach_report(request: AuthedRequest) -> HttpResponse:
    if request.user.agency_id is None:
        raise PermissionDenied
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = ReportForm(request.POST or None, initial={"discovered_at": now})
    if request.method == "POST" and form.is_valid():
        try:
            breach = services.report_breach(actor=request.user, data=form.to_data())
        except InvalidData as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The breach is reported; your agency's head has been alerted."))
            return redirect("breaches:detail", pk=breach.pk)
    return render(request, "breaches/report.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def breach_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    breach = get_breach_for_user(request.user, pk)
    which = request.POST.get("form", "")
    assess_initial = {
        "confirmed": "1" if breach.status != "DIDUGA" else None,
        "data_categories": breach.data_categories,
        "persons_affected": breach.persons_affected,
        "affected_persons": ", ".join(str(p) for p in breach.affected_persons.values_list("pk", flat=True)),
        "cause": breach.cause,
        "containment": breach.containment,
        "recovery": breach.recovery,
        "partner_agency": breach.partner_agency_id,
        "discovered_at": timezone.localtime(breach.discovered_at),
    }
    assess_form = AssessForm(
        request.POST if which == "assess" else None, initial=assess_initial, agency_id=breach.agency_id
    )
    notice_form = NoticeForm(
        request.POST if which == "notice" else None,
        initial={"notified_at": timezone.localtime().replace(second=0, microsecond=0)},
    )
    if request.method == "POST":
        try:
            if which == "assess" and assess_form.is_valid():
                services.assess_breach(actor=request.user, breach_id=breach.pk, data=assess_form.to_data())
                messages.success(request, _("The assessment is saved."))
                return redirect("breaches:detail", pk=breach.pk)
            if which == "notice" and notice_form.is_valid():
                c = notice_form.cleaned_data
                services.record_notice(
                    actor=request.user,
                    breach_id=breach.pk,
                    recipient=c["recipient"],
                    notified_at=c["notified_at"],
                    how=c["how"],
                )
                messages.success(request, _("The notice is recorded."))
                return redirect("breaches:detail", pk=breach.pk)
        except InvalidData as error:
            (assess_form if which == "assess" else notice_form).add_service_errors(error)
        except services.BreachError as error:
            messages.error(request, str(error))
            return redirect("breaches:detail", pk=breach.pk)
    actions = workflow.actions_for(request.user, breach)
    errors = assess_form.errors or notice_form.errors
    return render(
        request,
        "breaches/detail.html",
        {
            "breach": breach,
            "clock": clock_state(breach.notify_by, timezone.now()) if breach.clock_running else None,
            "actions": actions,
            "assess_form": assess_form,
            "notice_form": notice_form,
            "affected": breach.affected_persons.order_by("full_name") if "assess" in actions else [],
            "notice": authority_notice(breach) if workflow.DOWNLOAD_REPORT in actions else [],
            "letter": subject_letter(breach) if workflow.DOWNLOAD_REPORT in actions else [],
        },
        status=400 if errors else 200,
    )


@require_POST
def breach_close(request: AuthedRequest, pk: int) -> HttpResponse:
    breach = get_breach_for_user(request.user, pk)
    try:
        services.close_breach(actor=request.user, breach_id=breach.pk)
    except services.BreachError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The breach is closed."))
    return redirect("breaches:detail", pk=breach.pk)


@require_GET
def breach_report_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    breach = get_breach_for_user(request.user, pk)
    try:
        services.report_downloaded(actor=request.user, breach=breach, document="pdf")
    except services.BreachError as error:
        messages.error(request, str(error))
        return redirect("breaches:detail", pk=breach.pk)
    response = HttpResponse(notification_report_pdf(breach), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pemberitahuan-{breach.reference}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
