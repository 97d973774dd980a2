"""Outreach pages: events with counts, named attendees (with agreement), follow-ups, and the one action that
turns a follow-up into a prefilled case intake (the worker confirms) or an enrolment."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.models import User
from sinergi.cases.forms import CaseForm
from sinergi.outreach import services
from sinergi.outreach.forms import EventForm, FollowUpForm, NamedAttendeeForm
from sinergi.outreach.models import AgeGroup, AttendeeSex, FollowUpKind
from sinergi.outreach.selectors import attendee_totals, events_visible_to, get_event_for_user, get_follow_up_for_user
from sinergi.programmes.services import ProgrammeError, open_cohorts_for
from sinergi.programmes.workflow import is_reader, is_worker
from sinergi.registry.selectors import active_persons_visible_to
from sinergi.registry.services import InvalidData

MAX_PERSON_HITS = 20


def _staff(user: User) -> object:
    return User.objects.filter(agency_id=user.agency_pk, is_active=True, is_system_account=False).order_by("first_name")


@require_GET
def event_list(request: AuthedRequest) -> HttpResponse:
    if not is_reader(request.user):
        raise Http404
    events = (
        events_visible_to(request.user).select_related("counsellor", "region").prefetch_related("counts", "follow_ups")
    )
    rows = [(event, attendee_totals(event)) for event in events[:100]]
    return render(request, "outreach/list.html", {"rows": rows, "can_create": is_worker(request.user)})


@require_http_methods(["GET", "POST"])
def event_create(request: AuthedRequest) -> HttpResponse:
    if not is_worker(request.user):
        raise Http404
    form = EventForm(request.POST or None, staff=_staff(request.user), initial={"counsellor": request.user.pk})
    if request.method == "POST" and "_refresh_region" not in request.POST and form.is_valid():
        try:
            event = services.record_event_held(actor=request.user, data=form.to_data())
        except InvalidData as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("The event is recorded."))
            return redirect("outreach:detail", pk=event.pk)
    return render(request, "outreach/event_form.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def event_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    event = get_event_for_user(request.user, pk)
    which = request.POST.get("form", "")
    named_form = NamedAttendeeForm(request.POST if which == "named" else None)
    follow_form = FollowUpForm(request.POST if which == "follow-up" else None)
    status = 200
    if request.method == "POST":
        try:
            if which == "named" and named_form.is_valid():
                c = named_form.cleaned_data
                services.add_named_attendee(
                    actor=request.user,
                    event_id=event.pk,
                    name=c["name"],
                    phone=c.get("phone") or "",
                    agreed=bool(c.get("agreed")),
                )
                return redirect("outreach:detail", pk=event.pk)
            if which == "follow-up" and follow_form.is_valid():
                follow_up = services.raise_follow_up(actor=request.user, event_id=event.pk, data=follow_form.to_data())
                return redirect("outreach:follow-up", pk=follow_up.pk)
        except InvalidData as error:
            (named_form if which == "named" else follow_form).add_service_errors(error)
        status = 400
    counts = {(row.sex, row.age_group): row.count for row in event.counts.all()}
    table = [
        (age_label, [counts.get((sex, age), 0) for sex in AttendeeSex.values]) for age, age_label in AgeGroup.choices
    ]
    return render(
        request,
        "outreach/detail.html",
        {
            "event": event,
            "table": table,
            "totals": attendee_totals(event),
            "named": event.named_attendees.all(),
            "follow_ups": event.follow_ups.select_related("person", "case", "enrolment__cohort__programme"),
            "named_form": named_form,
            "follow_form": follow_form,
            "can_edit": is_worker(request.user),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def follow_up_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """The follow-up and its one action; first the person it is about (search the registry)."""
    follow_up = get_follow_up_for_user(request.user, pk)
    if request.method == "POST":
        person = request.POST.get("person", "")
        if not person.isdigit():
            raise Http404
        try:
            services.set_follow_up_person(actor=request.user, follow_up_id=pk, person_id=int(person))
        except services.OutreachError as error:
            messages.error(request, str(error))
        return redirect("outreach:follow-up", pk=pk)
    query = request.GET.get("q", "").strip()
    hits = []
    if query:
        persons = active_persons_visible_to(request.user)
        hits = list(
            (persons.filter(nik=query) if query.isdigit() else persons.filter(full_name__icontains=query))[
                :MAX_PERSON_HITS
            ]
        )
    cohorts = (
        open_cohorts_for(request.user, follow_up.programme_type)
        if follow_up.kind == FollowUpKind.ENROLMENT and follow_up.programme_type
        else []
    )
    return render(
        request,
        "outreach/follow_up.html",
        {"follow_up": follow_up, "q": query, "hits": hits, "cohorts": cohorts, "can_edit": is_worker(request.user)},
    )


@require_http_methods(["GET", "POST"])
def follow_up_case(request: AuthedRequest, pk: int) -> HttpResponse:
    """The case intake, prefilled from the follow-up; the worker checks it and records the case."""
    follow_up = get_follow_up_for_user(request.user, pk)
    if follow_up.person is None or follow_up.case_id is not None:
        return redirect("outreach:follow-up", pk=pk)
    if request.method == "POST":
        form = CaseForm(request.POST)
        if form.is_valid():
            try:
                case = services.open_case_from_follow_up(actor=request.user, follow_up_id=pk, data=form.to_data())
            except InvalidData as error:
                form.add_service_errors(error)
            except services.OutreachError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Case %(number)s is recorded.") % {"number": case.number})
                return redirect("cases:detail", pk=case.pk)
        status = 400
    else:
        initial = services.case_intake_initial(follow_up)
        initial["received_at"] = timezone.localtime().replace(second=0, microsecond=0)
        form = CaseForm(initial=initial)
        status = 200
    return render(
        request,
        "outreach/case_intake.html",
        {"form": form, "follow_up": follow_up, "person": follow_up.person},
        status=status,
    )


@require_POST
def follow_up_enrol(request: AuthedRequest, pk: int) -> HttpResponse:
    get_follow_up_for_user(request.user, pk)
    cohort = request.POST.get("cohort", "")
    if not cohort.isdigit():
        raise Http404
    try:
        result = services.enrol_from_follow_up(actor=request.user, follow_up_id=pk, cohort_id=int(cohort))
    except (services.OutreachError, ProgrammeError) as error:
        messages.error(request, str(error))
        return redirect("outreach:follow-up", pk=pk)
    (messages.warning if result.waitlisted else messages.success)(request, result.message())
    return redirect("outreach:follow-up", pk=pk)
