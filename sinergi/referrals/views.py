"""Referral pages: the inbox, a referral with its actions, the letter, its public verification, and KPIs.

Forms parse, services decide and write, selectors read. Every refusal of a service is shown as its message
and changes nothing (the services are atomic).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, OuterRef, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.referrals import services
from sinergi.referrals.forms import (
    AssessmentForm,
    CompleteForm,
    FollowOnForm,
    KpiPeriodForm,
    OverrideForm,
    ReasonForm,
    ServiceLogForm,
)
from sinergi.referrals.inbox import (
    DIRECTIONS,
    INBOX_TABS,
    history_filter,
    inbox_conditions,
    inbox_counts,
    person_name_for,
    running_deadlines,
    taken_in_persons,
)
from sinergi.referrals.kpis import Duration, SideKpis, referral_kpis
from sinergi.referrals.letters import letter_for_user
from sinergi.referrals.models import (
    RECEIVER_SEES_CASE,
    Deadline,
    Referral,
    ReferralStatus,
    SlaStep,
)
from sinergi.referrals.selectors import (
    get_referral_for_user,
    referrals_visible_to,
    shared_case_for,
    shared_sections_for,
)
from sinergi.referrals.workflow import Side, transitions_from
from sinergi.registry.services import InvalidData
from sinergi.sharing.access import record_access
from sinergi.sharing.consent import share_is_lawful
from sinergi.sharing.rules import may_take_in, with_restriction
from sinergi.sop.models import SharedSection

ROWS_PER_SECTION = 50
R = ReferralStatus

# --- inbox ----------------------------------------------------------------------------------------------------


@dataclass
class InboxRow:
    referral: Referral
    person_name: str | None  # None: the user's agency may not see who it is
    due_at: datetime | None
    step: str
    overdue: bool


@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    """Four views of the referrals of the user's agency; each row shows the next running deadline."""
    user = request.user
    now = timezone.now()
    conditions = inbox_conditions(user, now)
    tab = request.GET.get("tab", "")
    status, direction = request.GET.get("status", ""), request.GET.get("direction", "")
    visible = referrals_visible_to(user)
    # One count per tab, each served by its own index (inbox, outbox, creator and assignee, running
    # deadlines) and capped: a single aggregate with a FILTER per tab read every referral of the agency.
    counts = inbox_counts(user, conditions)
    if tab not in conditions:
        # Start where the work is: incoming referrals when there are any, else what is late, else mine.
        tab = next((key for key in ("menunggu", "terlambat", "milik-saya") if counts[key]), "menunggu")
    next_running = running_deadlines(referral=OuterRef("pk")).order_by("due_at")
    selected = visible.filter(conditions[tab])
    if tab == "semua":
        # The history: every referral, newest first, narrowed by status and direction.
        selected = selected.filter(history_filter(user, status=status, direction=direction))
    order = ["-id"] if tab == "semua" else [F("next_due").asc(nulls_last=True), "-id"]
    next_due = Subquery(next_running.values("due_at")[:1])
    # The page's rows first, from the referrals alone; then their case, person and agencies for those 50 only.
    # In one query PostgreSQL joined all of a tab's thousands of rows before sorting them (0.2–0.5 s).
    page = list(selected.annotate(next_due=next_due).order_by(*order).values_list("pk", flat=True)[:ROWS_PER_SECTION])
    referrals = list(
        with_restriction(visible.filter(pk__in=page), "person_id")  # the sharing rule reads it once per list
        .annotate(next_due=next_due, next_step=Subquery(next_running.values("step")[:1]))
        .select_related("case__person", "from_agency", "to_agency", "service", "consent")
        .order_by(*order)
    )
    taken_in = taken_in_persons(user, referrals)  # the closed ones' names, for the whole page at once
    rows = [
        InboxRow(
            referral=referral,
            person_name=person_name_for(user, referral, taken_in),
            due_at=referral.next_due,
            step=str(SlaStep(referral.next_step).label) if referral.next_step else "",
            overdue=bool(referral.next_due and referral.next_due < now),
        )
        for referral in referrals
    ]
    tabs = [(key, label, counts[key]) for key, label in INBOX_TABS]
    return render(
        request,
        "referrals/inbox.html",
        {
            "tabs": tabs,
            "tab": tab,
            "rows": rows,
            "limit": ROWS_PER_SECTION,
            "statuses": R.choices,
            "directions": DIRECTIONS,
            "status": status,
            "direction": direction,
            "can_view_kpis": user.has_capability(Capability.VIEW_KPIS),
            "can_edit_sop": user.has_capability(Capability.EDIT_SOP),
        },
    )


# --- detail and actions ---------------------------------------------------------------------------------------

# The button each target state is reached by (DITERIMA → DALAM_LAYANAN happens by logging the first service).
ACTION_FOR_STATUS = {
    R.SENT: "send",
    R.ACKNOWLEDGED: "acknowledge",
    R.ACCEPTED: "accept",
    R.REJECTED: "reject",
    R.IN_SERVICE: "service",
    R.COMPLETED: "complete",
    R.FAILED: "fail",
    R.REVOKED: "revoke",
}


def available_actions(user: User, referral: Referral) -> set[str]:
    """What this user may do to the referral now: the transition table filtered by side and capability."""
    actions = set()
    for to_status, rule in transitions_from(referral.status).items():
        agency_id = referral.from_agency_id if rule.side == Side.SENDER else referral.to_agency_id
        if user.agency_id == agency_id and user.has_capability(rule.capability):
            actions.add(ACTION_FOR_STATUS[R(to_status)])
    if (
        user.agency_id == referral.to_agency_id
        and user.has_capability(Capability.HANDLE_REFERRALS)
        and referral.status in (R.ACCEPTED, R.IN_SERVICE)
    ):
        actions |= {"service", "assess"}
    if (
        user.agency_id == referral.case.agency_id
        and user.has_capability(Capability.SEND_REFERRALS)
        and referral.case.is_open
        and referral.status != R.DRAFT
    ):
        actions.add("follow-on")
    return actions


def _load(user: User, pk: int) -> Referral:
    referral = get_referral_for_user(user, pk)
    # The page shows more than the selector loads; fetch it in one go.
    return (
        Referral.objects.select_related(
            "case__person__region__parent__parent__parent",
            "case__agency",
            "from_agency",
            "to_agency",
            "service",
            "sop_route__sop",
            "sop_route__category",
            "consent",
            "override_by",
            "decided_by",
            "created_by",
            "assigned_to",
            "parent__to_agency",
            "parent__service",
        )
        .prefetch_related("case__categories")
        .get(pk=referral.pk)
    )


@dataclass
class DeadlineRow:
    deadline: Deadline
    label: str
    state: str  # running | overdue | met | late | stopped


def _deadline_rows(referral: Referral, now: datetime) -> list[DeadlineRow]:
    rows = []
    for deadline in referral.deadlines.all():
        if deadline.met_at is not None:
            state = "met" if deadline.met_at <= deadline.due_at else "late"
        elif deadline.cancelled_at is not None:
            state = "stopped"
        else:
            state = "overdue" if deadline.due_at < now else "running"
        rows.append(DeadlineRow(deadline, str(SlaStep(deadline.step).label), state))
    return rows


def _consent_gate(user: User, referral: Referral, actions: set[str]) -> dict[str, Any] | None:
    """For a draft the user may send: is consent missing, and may the user override?"""
    if "send" not in actions or referral.sop_route is None or not referral.sop_route.consent_scope:
        return None
    scope = referral.sop_route.consent_scope
    has_consent = referral.case.consents.active().filter(scope=scope).exists()
    if has_consent:
        return None
    return {
        "scope": dict(referral.sop_route._meta.get_field("consent_scope").flatchoices).get(scope, scope),
        "case_url": reverse("cases:detail", args=[referral.case_id]) + "#consents",
        "can_record": user.agency_id == referral.case.agency_id and user.has_capability(Capability.MANAGE_CASES),
        "can_override": user.has_capability(Capability.OVERRIDE_CONSENT),
    }


ACTION_FORMS: dict[str, type[forms.Form]] = {
    "reject": ReasonForm,
    "fail": ReasonForm,
    "revoke": ReasonForm,
    "service": ServiceLogForm,
    "assess": AssessmentForm,
    "complete": CompleteForm,
    "override": OverrideForm,
}


def _render_detail(
    request: AuthedRequest, referral: Referral, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    user = request.user
    now = timezone.now()
    sections = shared_sections_for(user, referral)
    actions = available_actions(user, referral)
    bound = bound or {}
    action_forms: dict[str, forms.Form] = {
        name: bound.get(name) or form_class() for name, form_class in ACTION_FORMS.items()
    }
    if "follow-on" in actions:
        action_forms["follow_on"] = bound.get("follow-on") or FollowOnForm(
            services=services.allowed_services(referral.case)
        )
    events = list(referral.events.select_related("by"))
    context = {
        "referral": referral,
        "case": referral.case,
        "is_owner": user.agency_id == referral.case.agency_id,
        "is_receiver": user.agency_id == referral.to_agency_id,
        "sections": sections,
        "shared_section_labels": [
            SharedSection(section).label for section in referral.shared_sections if section in SharedSection.values
        ],
        "shared": shared_case_for(user, referral, sections),
        "can_take_in": may_take_in(user, referral),
        "deadlines": _deadline_rows(referral, now),
        "events": events,
        "sent_by": next((e.by for e in events if e.to_status == R.SENT), None),
        "service_records": list(referral.service_records.select_related("by", "agency")),
        # Follow-ons the user's agency may see: not other receivers' (need-to-know between agencies).
        "follow_ons": list(referrals_visible_to(user).filter(parent=referral).select_related("to_agency", "service")),
        "actions": actions,
        "forms": action_forms,
        "open_form": next(iter(bound), ""),
        "consent_gate": _consent_gate(user, referral, actions),
        "has_letter": referral.status != R.DRAFT
        and (
            user.agency_id == referral.from_agency_id
            or (
                user.agency_id == referral.to_agency_id
                and referral.status in RECEIVER_SEES_CASE
                and share_is_lawful(referral)
            )
        ),
        "status_tone": status_tone(referral.status),
    }
    return render(request, "referrals/detail.html", context, status=status)


def status_tone(status: str) -> str:
    """The badge class of a status: closed without service is shown in red."""
    return "sensitive" if status in (R.REJECTED, R.FAILED, R.REVOKED) else ""


@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = _load(request.user, pk)
    # Reading the person's identity or contact through the referral is in the access log.
    record_access(
        actor=request.user,
        person=referral.case.person,
        sections=shared_sections_for(request.user, referral),
        context="referral",
    )
    return _render_detail(request, referral)


Handler = Callable[[AuthedRequest, Referral, Any], str]


def _send(request: AuthedRequest, referral: Referral, form: OverrideForm | None) -> str:
    override = form.to_override() if form is not None else None
    services.send_referral(actor=request.user, referral_id=referral.pk, override=override)
    return _("The referral is sent to %(agency)s.") % {"agency": referral.to_agency.name}


def _acknowledge(request: AuthedRequest, referral: Referral, form: None) -> str:
    services.acknowledge_referral(actor=request.user, referral_id=referral.pk)
    return _("Receipt acknowledged. Accept or reject the referral before its deadline.")


def _accept(request: AuthedRequest, referral: Referral, form: None) -> str:
    services.accept_referral(actor=request.user, referral_id=referral.pk)
    return _("Referral accepted. Record the services you deliver.")


def _reject(request: AuthedRequest, referral: Referral, form: ReasonForm) -> str:
    services.reject_referral(actor=request.user, referral_id=referral.pk, reason=form.cleaned_data["reason"])
    return _("Referral rejected; %(agency)s is told why.") % {"agency": referral.from_agency.name}


def _fail(request: AuthedRequest, referral: Referral, form: ReasonForm) -> str:
    services.fail_referral(actor=request.user, referral_id=referral.pk, reason=form.cleaned_data["reason"])
    return _("The referral is recorded as failed.")


def _revoke(request: AuthedRequest, referral: Referral, form: ReasonForm) -> str:
    services.revoke_referral(actor=request.user, referral_id=referral.pk, reason=form.cleaned_data["reason"])
    return _("Referral revoked.")


def _service(request: AuthedRequest, referral: Referral, form: ServiceLogForm) -> str:
    services.log_service(
        actor=request.user,
        referral_id=referral.pk,
        delivered_on=form.cleaned_data["delivered_on"],
        description=form.cleaned_data["description"],
    )
    return _("Service recorded.")


def _assess(request: AuthedRequest, referral: Referral, form: AssessmentForm) -> str:
    services.add_referral_assessment(actor=request.user, referral_id=referral.pk, data=form.to_data())
    return _("Assessment saved.")


def _complete(request: AuthedRequest, referral: Referral, form: CompleteForm) -> str:
    services.complete_referral(
        actor=request.user,
        referral_id=referral.pk,
        outcome=form.cleaned_data["outcome"],
        feedback=form.cleaned_data["feedback"],
    )
    return _("Referral completed; %(agency)s receives your feedback.") % {"agency": referral.from_agency.name}


HANDLERS: dict[str, Handler] = {
    "send": _send,
    "acknowledge": _acknowledge,
    "accept": _accept,
    "reject": _reject,
    "fail": _fail,
    "revoke": _revoke,
    "service": _service,
    "assess": _assess,
    "complete": _complete,
}


@require_POST
def act(request: AuthedRequest, pk: int, action: str) -> HttpResponse:
    """One POST endpoint per action; the service checks state, side and role again under a row lock."""
    referral = _load(request.user, pk)
    if action == "follow-on":
        return _follow_on(request, referral)
    handler = HANDLERS.get(action)
    if handler is None:
        raise Http404
    # Sending with a lawful basis instead of consent is the override form of the send action.
    form_name = "override" if action == "send" and "basis" in request.POST else action
    form_class = ACTION_FORMS.get(form_name)
    form = form_class(request.POST) if form_class is not None else None
    if form is not None and not form.is_valid():
        return _render_detail(request, referral, {form_name: form}, status=400)
    try:
        message = handler(request, referral, form)
    except InvalidData as error:
        if form is None or not hasattr(form, "add_service_errors"):
            messages.error(request, " ".join(m for ms in error.errors.values() for m in ms))
            return redirect("referrals:detail", pk=referral.pk)
        form.add_service_errors(error)
        return _render_detail(request, referral, {form_name: form}, status=400)
    except (services.ReferralError, PermissionDenied) as refusal:
        messages.error(request, str(refusal) or _("Your role does not allow this."))
        return redirect("referrals:detail", pk=referral.pk)
    messages.success(request, message)
    return redirect("referrals:detail", pk=referral.pk)


def _follow_on(request: AuthedRequest, referral: Referral) -> HttpResponse:
    form = FollowOnForm(request.POST, services=services.allowed_services(referral.case))
    if not form.is_valid():
        return _render_detail(request, referral, {"follow-on": form}, status=400)
    try:
        follow_on = services.create_referral(
            actor=request.user,
            case_id=referral.case_id,
            service_id=form.cleaned_data["service"],
            reason=form.cleaned_data["reason"],
            parent_id=referral.pk,
        )
    except InvalidData as error:
        form.add_service_errors(error)
        return _render_detail(request, referral, {"follow-on": form}, status=400)
    except (services.ReferralError, PermissionDenied, Http404) as refusal:
        messages.error(request, str(refusal) or _("Only the agency that owns the case can refer it onward."))
        return redirect("referrals:detail", pk=referral.pk)
    messages.success(request, _("Follow-on referral drafted. Check it and send it."))
    return redirect("referrals:detail", pk=follow_on.pk)


# --- letter and its public verification -----------------------------------------------------------------------


@require_GET
def letter(request: AuthedRequest, pk: int) -> HttpResponse:
    """The surat rujukan as PDF: the sending agency, and the receiving one while the referral is open."""
    referral = _load(request.user, pk)
    content = letter_for_user(request.user, referral)
    filename = "surat-rujukan-" + re.sub(r"[^A-Za-z0-9]+", "-", referral.letter_number).strip("-") + ".pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@dataclass(frozen=True)
class VerifiedLetter:
    """What the public may learn about a letter: that it is genuine and where it stands. No personal data."""

    letter_number: str
    sent_at: datetime | None
    from_agency: str
    to_agency: str
    service: str
    status: str
    status_label: str
    closed_at: datetime | None


@login_not_required
@require_GET
def verify_letter(request: HttpRequest, token: str) -> HttpResponse:
    """Public page behind the letter's QR code (no login): genuine or not registered."""
    referral = (
        Referral.objects.select_related("from_agency", "to_agency", "service")
        .exclude(status=R.DRAFT)
        .filter(verification_token=token)
        .first()
    )
    if referral is None:
        response = render(request, "referrals/verify_unknown.html", status=404)
    else:
        verified = VerifiedLetter(
            letter_number=referral.letter_number,
            sent_at=referral.sent_at,
            from_agency=referral.from_agency.name,
            to_agency=referral.to_agency.name,
            service=referral.service.name,
            status=referral.status,
            status_label=referral.get_status_display(),
            closed_at=referral.closed_at,
        )
        response = render(request, "referrals/verify.html", {"letter": verified})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


# --- KPIs -----------------------------------------------------------------------------------------------------


@dataclass
class KpiRow:
    key: str
    label: str
    values: list[str]
    note: str = ""


def _share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}% ({part}/{whole})" if whole else "—"


def _hours(value: float | None) -> str:
    return number_format(value, decimal_pos=1) if value is not None else "—"


def _duration(duration: Duration) -> str:
    if not duration.count:
        return "—"
    return f"{_hours(duration.median_hours)} / {_hours(duration.mean_hours)} (n={duration.count})"


def kpi_rows(sides: list[SideKpis]) -> tuple[list[KpiRow], list[KpiRow]]:
    """The KPI table and the per-step SLA table, one column per side, formatted for the page."""
    note = _("median / mean, hours")
    rows = [
        KpiRow("referrals", _("Referrals"), [str(s.referrals) for s in sides]),
        KpiRow("accepted", _("Accepted"), [str(s.accepted) for s in sides]),
        KpiRow("rejected", _("Rejected"), [str(s.rejected) for s in sides]),
        KpiRow(
            "acceptance",
            _("Acceptance rate"),
            [_share(s.accepted, s.accepted + s.rejected) for s in sides],
            _("accepted / (accepted + rejected)"),
        ),
        KpiRow("completed", _("Completed"), [str(s.completed) for s in sides]),
        KpiRow("failed", _("Failed"), [str(s.failed) for s in sides]),
        KpiRow("revoked", _("Revoked"), [str(s.revoked) for s in sides]),
        KpiRow("ack", _("Time to acknowledge"), [_duration(s.to_acknowledge) for s in sides], note),
        KpiRow("accept", _("Time to accept"), [_duration(s.to_accept) for s in sides], note),
        KpiRow("first-service", _("Time to first service"), [_duration(s.to_first_service) for s in sides], note),
        KpiRow("complete", _("Time to complete"), [_duration(s.to_complete) for s in sides], note),
        KpiRow("sla", _("SLA steps met in time"), [_share(s.sla_on_time, s.sla_decided) for s in sides]),
    ]
    sla_rows = [
        KpiRow(step, str(SlaStep(step).label), [_share(s.steps[i].on_time, s.steps[i].decided) for s in sides])
        for i, step in enumerate(SlaStep.values)
    ]
    return rows, sla_rows


@require_GET
def kpi(request: AuthedRequest) -> HttpResponse:
    """Referral KPIs of the user's agency for supervisors, auditors and administrators (404 for others)."""
    user = request.user
    if not user.has_capability(Capability.VIEW_KPIS) or user.agency is None:
        raise Http404
    form = KpiPeriodForm(request.GET or None)
    date_from, date_to = form.period()
    if not form.is_bound:
        form = KpiPeriodForm(initial={"date_from": date_from, "date_to": date_to})
    figures = referral_kpis(user.agency, date_from, date_to)
    rows, sla_rows = kpi_rows([figures.as_sender, figures.as_receiver])
    return render(
        request,
        "referrals/kpi.html",
        {
            "form": form,
            "kpis": figures,
            "side_labels": [_("As sender"), _("As receiver")],
            "rows": rows,
            "sla_rows": sla_rows,
        },
    )
