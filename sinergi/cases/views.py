"""Case pages: list, intake, detail with its timeline and the small forms that add to it.

Forms parse, services write, selectors read. The section forms work without JavaScript (post, redirect
back to the section); with htmx they post in place and get the section back, plus the timeline
out of band, rendered from the same template partials.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.cases import services
from sinergi.cases.forms import (
    AssessmentForm,
    AttachmentForm,
    CaseFilterForm,
    CaseForm,
    ConsentForm,
    NoteForm,
    PersonPickForm,
    PlanForm,
    ReferralForm,
    StatusForm,
    TaskForm,
    WithdrawConsentForm,
)
from sinergi.cases.models import (
    OPEN_CASE_STATUSES,
    Assessment,
    Attachment,
    Case,
    CaseNote,
    CaseStatus,
    CaseStatusChange,
    CaseTask,
    ClosureReason,
    Consent,
    InterventionPlan,
)
from sinergi.cases.selectors import (
    cases_visible_to,
    filter_cases,
    get_attachment_for_user,
    get_case_for_user,
    overdue_case_ids,
)
from sinergi.cases.workflow import CASE_TRANSITIONS, next_statuses
from sinergi.referrals.models import OPEN_REFERRAL_STATUSES, Deadline, Referral, ReferralEvent, ReferralStatus
from sinergi.referrals.services import ReferralError, allowed_services, create_referral
from sinergi.registry.countries import country_name
from sinergi.registry.models import Person
from sinergi.registry.selectors import SearchQuery, get_person_for_user, person_sections_for, search_persons
from sinergi.registry.services import InvalidData
from sinergi.sharing.access import record_access, record_search_results
from sinergi.sharing.rules import case_sections_for
from sinergi.sharing.sections import IDENTITY

PAGE_SIZE = 25


def _require(request: AuthedRequest, capability: Capability) -> None:
    if not request.user.has_capability(capability):
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))


def _is_htmx(request: AuthedRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- list -------------------------------------------------------------------------------------------------


@require_GET
def case_list(request: AuthedRequest) -> HttpResponse:
    """The agency's cases, newest first, filtered; keyset pages (`?before=<id>`) so deep pages stay cheap."""
    _require(request, Capability.VIEW_CASES)
    form = CaseFilterForm(request.GET)
    page: list[Case] = []
    next_before = None
    before = request.GET.get("before", "")
    if form.is_valid():
        queryset = (
            filter_cases(request.user, form.to_filter())
            .select_related("person")
            .prefetch_related("categories")
            .annotate(
                open_referrals=Count(
                    "referrals", filter=Q(referrals__status__in=OPEN_REFERRAL_STATUSES), distinct=True
                ),
            )
            .order_by("-id")
        )
        if before.isdigit():
            queryset = queryset.filter(id__lt=int(before))
        page = list(queryset[: PAGE_SIZE + 1])
        if len(page) > PAGE_SIZE:
            page = page[:PAGE_SIZE]
            next_before = page[-1].pk
        overdue = overdue_case_ids(case.pk for case in page)
        for case in page:
            case.is_overdue = case.pk in overdue  # type: ignore[attr-defined]
    context = {
        "form": form,
        "page": page,
        "next_before": next_before,
        "paged": before.isdigit(),
        "filtering": form.is_filtering,
        "can_create": request.user.has_capability(Capability.MANAGE_CASES),
    }
    if _is_htmx(request) and request.headers.get("HX-Target") == "case-results":
        return render(request, "cases/list.html#results", context)
    return render(request, "cases/list.html", context)


# --- intake -----------------------------------------------------------------------------------------------


def _initial_for(user: User, person: Person) -> dict[str, Any]:
    """Start the intake from what the registry already knows: flags and the latest stay abroad
    (the latter only if the user may see it: a referral may share a person without the migration section)."""
    initial: dict[str, Any] = {
        "person": person.pk,
        "flag_child": person.is_minor,
        "flag_disability": person.flag_disability,
        "flag_trafficking": person.flag_trafficking,
    }
    episode = person.episodes.first() if "MIGRASI" in person_sections_for(user, person) else None
    if episode is not None:
        initial.update(
            destination_country=episode.destination_country,
            employer=episode.employer,
            placement_company=episode.placement_company,
            procedural=episode.procedural,
        )
    return initial


def _intake_page(request: AuthedRequest, person: Person, form: CaseForm, *, status: int = 200) -> HttpResponse:
    open_cases = list(
        cases_visible_to(request.user).filter(person=person, status__in=OPEN_CASE_STATUSES).order_by("-id")
    )
    context = {"form": form, "person": person, "open_cases": open_cases}
    return render(request, "cases/case_form.html", context, status=status)


def _pick_page(request: AuthedRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    """Search-before-create: find the person in the registry (only full records can be chosen)."""
    form = PersonPickForm(request.GET)
    query = form.cleaned_data.get("q", "") if form.is_valid() else ""
    hits = search_persons(request.user, SearchQuery(text=query)) if query.strip() else None
    if hits:
        record_search_results(actor=request.user, persons=[hit.person for hit in hits if hit.person is not None])
    context = {"form": form, "hits": hits, "query": query, "error": error}
    if _is_htmx(request) and request.headers.get("HX-Target") == "person-results":
        return render(request, "cases/pick_person.html#results", context)
    return render(request, "cases/pick_person.html", context, status=status)


@require_http_methods(["GET", "POST"])
def create(request: AuthedRequest) -> HttpResponse:
    _require(request, Capability.MANAGE_CASES)
    if request.method == "POST":
        raw_person = request.POST.get("person", "")
        if not raw_person.isdigit():
            return _pick_page(request, error=_("Choose the person first."), status=400)
        # 404 for someone else's person, as for one that does not exist.
        person = get_person_for_user(request.user, int(raw_person))
        form = CaseForm(request.POST)
        if form.is_valid():
            try:
                case = services.open_case(actor=request.user, data=form.to_data())
            except InvalidData as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _("Case %(number)s is recorded.") % {"number": case.number})
                return redirect("cases:detail", pk=case.pk)
        return _intake_page(request, person, form, status=400)
    raw_person = request.GET.get("person", "")
    if raw_person:
        if not raw_person.isdigit():
            raise Http404
        person = get_person_for_user(request.user, int(raw_person))
        return _intake_page(request, person, CaseForm(initial=_initial_for(request.user, person)))
    return _pick_page(request)


# --- detail: timeline -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    kind: str  # status, note, task, task-done, assessment, plan, consent, referral, attachment (a CSS class)
    title: str
    who: str = ""
    text: str = ""
    url: str = ""


def _who(user: User | None) -> str:
    return user.display_name if user is not None else "Sinergi"


def _status_label(status: str, labels: Any) -> str:
    return str(labels(status).label) if status in labels.values else status


def _timeline(case: Case) -> list[TimelineEntry]:
    """Everything that happened to the case, newest first (reads the prefetched relations only)."""
    entries: list[TimelineEntry] = []
    for change in case.status_changes.all():
        if change.from_status:
            title = _("Status: %(from)s → %(to)s") % {
                "from": _status_label(change.from_status, CaseStatus),
                "to": _status_label(change.to_status, CaseStatus),
            }
        else:
            title = _("Case recorded (%(status)s)") % {"status": _status_label(change.to_status, CaseStatus)}
        text = change.reason
        if change.to_status == CaseStatus.CLOSED and case.closure_reason:
            # A closed case stays closed, so the case's closure reason belongs to this change.
            text = f"{ClosureReason(case.closure_reason).label}. {text}".strip()
        entries.append(TimelineEntry(change.at, "status", title, _who(change.by), text))
    for note in case.notes.all():
        entries.append(TimelineEntry(note.at, "note", _("Note"), _who(note.by), note.text))
    for task in case.tasks.all():
        details = []
        if task.assignee is not None:
            details.append(_("for %(name)s") % {"name": task.assignee.display_name})
        if task.due_date:
            details.append(_("due %(date)s") % {"date": task.due_date.strftime("%d-%m-%Y")})
        entries.append(
            TimelineEntry(
                task.created_at,
                "task",
                _("Task: %(title)s") % {"title": task.title},
                _who(task.created_by),
                ", ".join(details),
            )
        )
        if task.done_at:
            # CaseTask does not record who marked it done.
            entries.append(TimelineEntry(task.done_at, "task-done", _("Task done: %(title)s") % {"title": task.title}))
    for assessment in case.assessments.all():
        entries.append(
            TimelineEntry(
                assessment.at,
                "assessment",
                _("Assessment by %(agency)s (risk: %(risk)s)")
                % {"agency": assessment.agency.name, "risk": assessment.get_risk_display()},
                _who(assessment.by),
                assessment.summary,
            )
        )
    for plan in case.plans.all():
        entries.append(
            TimelineEntry(
                plan.updated_at,
                "plan",
                _("Intervention plan of %(agency)s saved") % {"agency": plan.agency.name},
                _who(plan.updated_by),
                plan.goals,
            )
        )
    for consent in case.consents.all():
        entries.append(
            TimelineEntry(
                consent.given_at,
                "consent",
                _("Consent: %(scope)s") % {"scope": consent.get_scope_display()},
                _who(consent.recorded_by),
                f"{consent.giver_name} ({consent.get_given_by_display()}, {consent.get_method_display()})",
            )
        )
        if consent.withdrawn_at:
            entries.append(
                TimelineEntry(
                    consent.withdrawn_at,
                    "consent",
                    _("Consent withdrawn: %(scope)s") % {"scope": consent.get_scope_display()},
                    text=consent.giver_name,
                )
            )
    for referral in case.referrals.all():
        url = reverse("referrals:detail", args=[referral.pk])
        for event in referral.events.all():
            entries.append(
                TimelineEntry(
                    event.at,
                    "referral",
                    _("Referral to %(agency)s (%(service)s): %(status)s")
                    % {
                        "agency": referral.to_agency.name,
                        "service": referral.service.name,
                        "status": _status_label(event.to_status, ReferralStatus),
                    },
                    _who(event.by),
                    event.note,
                    url,
                )
            )
    for attachment in case.attachments.all():
        entries.append(
            TimelineEntry(
                attachment.at,
                "attachment",
                _("Attachment: %(name)s") % {"name": attachment.original_name},
                _who(attachment.by),
                attachment.get_kind_display(),
                reverse("cases:attachment", args=[case.pk, attachment.pk]),
            )
        )
    # Stable: entries recorded at the same instant keep the order in which they were added above.
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


# --- detail: page and section context ---------------------------------------------------------------------

STATUS_ACTION_LABELS: dict[str, Any] = {
    CaseStatus.VERIFICATION: gettext_lazy("Start verification"),
    CaseStatus.HANDLING: gettext_lazy("Start handling"),
    CaseStatus.DONE: gettext_lazy("Mark as resolved"),
}


def _load_case(case: Case) -> Case:
    prefetch_related_objects(
        [case],
        "categories",
        Prefetch("status_changes", queryset=CaseStatusChange.objects.select_related("by")),
        Prefetch("notes", queryset=CaseNote.objects.select_related("by")),
        Prefetch("tasks", queryset=CaseTask.objects.select_related("assignee", "created_by")),
        Prefetch("assessments", queryset=Assessment.objects.select_related("by", "agency")),
        Prefetch("plans", queryset=InterventionPlan.objects.select_related("agency", "updated_by")),
        Prefetch("consents", queryset=Consent.objects.select_related("recorded_by")),
        Prefetch("attachments", queryset=Attachment.objects.select_related("by")),
        Prefetch(
            "referrals",
            queryset=Referral.objects.select_related("to_agency", "service").order_by("-id"),
        ),
        Prefetch("referrals__events", queryset=ReferralEvent.objects.select_related("by")),
        Prefetch("referrals__deadlines", queryset=Deadline.objects.order_by("due_at")),
    )
    return case


def _status_actions(user: User, case: Case) -> list[tuple[str, str]]:
    """(to_status, button label) for the moves the table allows from here and the user's role may make."""
    actions = []
    for to_status in next_statuses(case.status):
        rule = CASE_TRANSITIONS[(case.status, to_status)]
        if to_status == CaseStatus.CLOSED or rule.needs_outcome:
            continue  # closing and resolving have their own forms (reason, outcome): never one click
        if user.has_capability(CASE_TRANSITIONS[(case.status, to_status)].capability):
            actions.append((to_status, str(STATUS_ACTION_LABELS.get(to_status, to_status))))
    return actions


def _detail_context(request: AuthedRequest, case: Case, **forms: Any) -> dict[str, Any]:
    user = request.user
    case = _load_case(case)
    can_manage = user.has_capability(Capability.MANAGE_CASES)
    can_close = (
        can_manage
        and (case.status, CaseStatus.CLOSED) in CASE_TRANSITIONS
        and user.has_capability(CASE_TRANSITIONS[(case.status, CaseStatus.CLOSED)].capability)
    )
    resolve_rule = CASE_TRANSITIONS.get((case.status, CaseStatus.DONE))
    can_resolve = can_manage and resolve_rule is not None and user.has_capability(resolve_rule.capability)
    can_refer = can_manage and case.is_open and user.has_capability(Capability.SEND_REFERRALS)
    own_plan = next((plan for plan in case.plans.all() if plan.agency_id == user.agency_id), None)
    now = timezone.now()
    referrals = [
        (referral, [deadline for deadline in referral.deadlines.all() if deadline.is_running])
        for referral in case.referrals.all()
    ]
    context: dict[str, Any] = {
        "case": case,
        # The case agency reads the person as far as the sharing rule allows (its own registry: fully).
        "person": case.person if IDENTITY in case_sections_for(user, case) else None,
        "destination": country_name(case.destination_country) if case.destination_country else "",
        "timeline": _timeline(case),
        "can_manage": can_manage,
        "can_close": can_close,
        "can_resolve": can_resolve,
        "can_refer": can_refer,
        "status_actions": _status_actions(user, case) if can_manage else [],
        "open_referrals": [referral for referral, _running in referrals if referral.is_open],
        "referrals": referrals,
        "now": now,
        "open_tasks": [task for task in case.tasks.all() if task.done_at is None],
        "done_tasks": [task for task in case.tasks.all() if task.done_at is not None],
        "own_plan": own_plan,
        "other_plans": [plan for plan in case.plans.all() if plan.agency_id != user.agency_id],
        "today": timezone.localdate(),
        "saved": forms.pop("saved", ""),
        "withdrawal": forms.pop("withdrawal", None),
    }
    if can_manage:
        colleagues = User.objects.filter(agency_id=user.agency_pk, is_active=True).order_by("first_name", "username")
        context.update(
            status_form=forms.get("status") or StatusForm(initial={"to_status": CaseStatus.CLOSED}),
            resolve_form=forms.get("resolve")
            or StatusForm(initial={"to_status": CaseStatus.DONE}, auto_id="resolve_%s"),
            note_form=forms.get("timeline") or NoteForm(),
            task_form=forms.get("tasks") or TaskForm(colleagues=colleagues),
            assessment_form=forms.get("assessments") or AssessmentForm(),
            plan_form=forms.get("plan")
            or PlanForm(initial={"goals": own_plan.goals, "activities": own_plan.activities} if own_plan else None),
            consent_form=forms.get("consents") or ConsentForm(),
            attachment_form=forms.get("attachments") or AttachmentForm(),
        )
    if can_refer:
        context["referral_form"] = forms.get("referrals") or ReferralForm(services=allowed_services(case))
    return context


@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    record_access(
        actor=request.user, person=case.person, sections=case_sections_for(request.user, case), context="case"
    )
    return render(request, "cases/detail.html", _detail_context(request, case))


def _section_response(
    request: AuthedRequest, pk: int, section: str, *, status: int = 200, **forms: Any
) -> HttpResponse:
    """The whole page (no JS), or for htmx the section's partial plus the timeline out of band."""
    # Read again after the write: the service changed rows the first read did not have.
    case = get_case_for_user(request.user, pk)
    context = _detail_context(request, case, **forms)
    if not _is_htmx(request):
        return render(request, "cases/detail.html", context, status=status)
    # htmx swaps only 2xx responses: a form with errors comes back as 200 with the errors in it.
    html = render_to_string(f"cases/detail.html#{section}", context, request=request)
    if section != "timeline":
        html += render_to_string("cases/detail.html#timeline", {**context, "oob": True}, request=request)
    return HttpResponse(html)


def _post_section(
    request: AuthedRequest,
    pk: int,
    section: str,
    form: Any,
    save: Callable[[Case], object],
    done: str,
) -> HttpResponse:
    """Validate `form` (None for a bare button), call the service through `save`, answer for the page or htmx."""
    case = get_case_for_user(request.user, pk)  # 404 before 403: another agency learns nothing
    _require(request, Capability.MANAGE_CASES)
    if form is not None and not form.is_valid():
        return _section_response(request, pk, section, status=400, **{section: form})
    try:
        save(case)
    except InvalidData as error:
        if form is None:
            raise
        form.add_service_errors(error)
    except (services.CaseError, PermissionDenied) as refusal:
        if form is None:
            raise
        form.add_error(None, str(refusal))
    else:
        if _is_htmx(request):
            return _section_response(request, pk, section, saved=done)
        messages.success(request, done)
        return redirect(reverse("cases:detail", args=[pk]) + f"#{section}")
    return _section_response(request, pk, section, status=400, **{section: form})


@require_POST
def change_status(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    _require(request, Capability.MANAGE_CASES)
    resolving = request.POST.get("to_status") == CaseStatus.DONE
    form = StatusForm(request.POST, auto_id="resolve_%s") if resolving else StatusForm(request.POST)
    if form.is_valid():
        to_status = form.cleaned_data["to_status"]
        try:
            services.change_case_status(
                actor=request.user,
                case_id=case.pk,
                to_status=to_status,
                reason=form.cleaned_data.get("reason") or "",
                closure_reason=form.cleaned_data.get("closure_reason") or "",
                outcome=form.cleaned_data.get("outcome") or "",
            )
        except InvalidData as error:
            form.add_service_errors(error)
        except (services.CaseError, PermissionDenied) as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("The case is now: %(status)s.") % {"status": CaseStatus(to_status).label})
            return redirect("cases:detail", pk=case.pk)
    forms = {"resolve": form} if resolving else {"status": form}
    return render(request, "cases/detail.html", _detail_context(request, case, **forms), status=400)


@require_POST
def add_note(request: AuthedRequest, pk: int) -> HttpResponse:
    form = NoteForm(request.POST)
    return _post_section(
        request,
        pk,
        "timeline",
        form,
        lambda case: services.add_note(actor=request.user, case_id=case.pk, text=form.cleaned_data["text"]),
        _("Note saved."),
    )


@require_POST
def add_task(request: AuthedRequest, pk: int) -> HttpResponse:
    colleagues = User.objects.filter(agency_id=request.user.agency_pk, is_active=True)
    form = TaskForm(request.POST, colleagues=colleagues)

    def save(case: Case) -> object:
        return services.add_task(
            actor=request.user,
            case_id=case.pk,
            title=form.cleaned_data["title"],
            due_date=form.cleaned_data.get("due_date"),
            assignee_id=form.cleaned_data.get("assignee"),
        )

    return _post_section(request, pk, "tasks", form, save, _("Task added."))


@require_POST
def complete_task(request: AuthedRequest, pk: int, task_pk: int) -> HttpResponse:
    return _post_section(
        request,
        pk,
        "tasks",
        None,
        lambda case: services.complete_task(actor=request.user, case_id=case.pk, task_id=task_pk),
        _("Task marked as done."),
    )


@require_POST
def add_assessment(request: AuthedRequest, pk: int) -> HttpResponse:
    form = AssessmentForm(request.POST)
    return _post_section(
        request,
        pk,
        "assessments",
        form,
        lambda case: services.add_assessment(actor=request.user, case_id=case.pk, data=form.to_data()),
        _("Assessment saved."),
    )


@require_POST
def save_plan(request: AuthedRequest, pk: int) -> HttpResponse:
    form = PlanForm(request.POST)
    return _post_section(
        request,
        pk,
        "plan",
        form,
        lambda case: services.save_plan(
            actor=request.user,
            case_id=case.pk,
            goals=form.cleaned_data["goals"],
            activities=form.cleaned_data.get("activities") or "",
        ),
        _("Intervention plan saved."),
    )


@require_POST
def record_consent(request: AuthedRequest, pk: int) -> HttpResponse:
    form = ConsentForm(request.POST)
    return _post_section(
        request,
        pk,
        "consents",
        form,
        lambda case: services.record_consent(actor=request.user, case_id=case.pk, data=form.to_data()),
        _("Consent recorded."),
    )


@require_POST
def withdraw_consent(request: AuthedRequest, pk: int, consent_pk: int) -> HttpResponse:
    """Withdraw, then show on the consent section what stopped and what cannot be undone (to tell the person)."""
    case = get_case_for_user(request.user, pk)  # 404 before 403
    _require(request, Capability.MANAGE_CASES)
    form = WithdrawConsentForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    effects = services.withdraw_consent(actor=request.user, case_id=case.pk, consent_id=consent_pk, note=note)
    return _section_response(request, pk, "consents", saved=_("Consent withdrawn."), withdrawal=effects)


@require_POST
def add_attachment(request: AuthedRequest, pk: int) -> HttpResponse:
    form = AttachmentForm(request.POST, request.FILES)
    return _post_section(
        request,
        pk,
        "attachments",
        form,
        lambda case: services.add_attachment(
            actor=request.user, case_id=case.pk, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
        ),
        _("File uploaded."),
    )


@require_GET
def attachment(request: AuthedRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Stream a stored file to someone who may see the case; 404 otherwise (files live outside the web root)."""
    found = get_attachment_for_user(request.user, pk, attachment_pk)
    services.record_attachment_download(actor=request.user, attachment=found)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=found.original_name, content_type=found.content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def refer(request: AuthedRequest, pk: int) -> HttpResponse:
    """Create a DRAFT referral and continue on its page (sending and the consent gate are there)."""
    case = get_case_for_user(request.user, pk)
    _require(request, Capability.SEND_REFERRALS)
    form = ReferralForm(request.POST, services=allowed_services(case))
    if form.is_valid():
        try:
            referral = create_referral(
                actor=request.user,
                case_id=case.pk,
                service_id=form.cleaned_data["service"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidData as error:
            form.add_service_errors(error)
        except (ReferralError, PermissionDenied) as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request, _("Referral to %(agency)s drafted. Check it and send it.") % {"agency": referral.to_agency}
            )
            return redirect("referrals:detail", pk=referral.pk)
    return _section_response(request, pk, "referrals", status=400, referrals=form)
