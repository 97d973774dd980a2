"""Programme pages: catalogue, programme, cohort (enrolment, waitlist), attendance tick list for a phone,
participant card and QR check-in, certificate and its public verification, mentoring, the mentor's tasks,
outcomes with exports, and the month calendar. Forms parse, services decide and write, selectors read."""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.models import User
from sinergi.audit.events import record_event
from sinergi.programmes import documents, outcomes, services
from sinergi.programmes.eligibility import EligibilityRule
from sinergi.programmes.forms import BusinessForm, CheckForm, CohortPlanForm, ProgrammeForm, VisitForm
from sinergi.programmes.models import (
    Certificate,
    CheckKind,
    Cohort,
    CohortSession,
    EnrolmentStatus,
    Programme,
    ProgrammeType,
)
from sinergi.programmes.selectors import (
    attendance_matrix,
    cohort_enrolments,
    cohorts_visible_to,
    get_business_for_user,
    get_cohort_for_user,
    get_enrolment_for_user,
    get_programme_for_user,
    get_session_for_user,
    mentor_tasks,
    programmes_visible_to,
)
from sinergi.programmes.workflow import (
    actions_for,
    is_reader,
    is_worker,
    may_enrol,
    may_manage_programme,
    may_record_attendance,
)
from sinergi.registry.models import Person
from sinergi.registry.selectors import active_persons_visible_to, get_person_for_user
from sinergi.registry.services import InvalidData

MAX_PERSON_HITS = 20


def _require_reader(request: AuthedRequest) -> None:
    if not is_reader(request.user):
        raise Http404


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _staff_of(programme: Programme) -> object:
    agencies = [programme.agency_id, *programme.partner_agencies.values_list("pk", flat=True)]
    return User.objects.filter(agency_id__in=agencies, is_active=True, is_system_account=False).order_by(
        "first_name", "username"
    )


# --- catalogue ------------------------------------------------------------------------------------------------


@require_GET
def programme_list(request: AuthedRequest) -> HttpResponse:
    _require_reader(request)
    programmes = (
        programmes_visible_to(request.user)
        .select_related("agency")
        .annotate(cohort_count=Count("cohorts", distinct=True))
        .order_by("name")
    )
    return render(
        request,
        "programmes/list.html",
        {
            "programmes": programmes,
            "can_create": is_worker(request.user),
            "task_count": len(mentor_tasks(request.user, today=timezone.localdate())),
        },
    )


@require_http_methods(["GET", "POST"])
def programme_create(request: AuthedRequest) -> HttpResponse:
    if not is_worker(request.user):
        raise Http404
    form = ProgrammeForm(request.POST or None, agency_id=request.user.agency_id)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.create_programme(actor=request.user, data=form.to_data())
        except InvalidData as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Programme %(name)s is in the catalogue.") % {"name": programme.name})
            return redirect("programmes:detail", pk=programme.pk)
    return render(request, "programmes/programme_form.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def programme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk)
    can_manage = may_manage_programme(request.user, programme)
    form = CohortPlanForm(request.POST or None, staff=_staff_of(programme))
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if "_refresh_region" not in request.POST and form.is_valid():
            try:
                cohorts = services.schedule_cohorts(actor=request.user, programme_id=programme.pk, plan=form.to_plan())
            except InvalidData as error:
                form.add_service_errors(error)
            except services.ProgrammeError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("Cohorts planned: %(dates)s.")
                    % {"dates": ", ".join(c.starts_on.strftime("%d-%m-%Y") for c in cohorts)},
                )
                return redirect("programmes:detail", pk=programme.pk)
    cohort_rows = programme.cohorts.select_related("region").annotate(
        enrolled=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.ENROLLED)),
        waiting=Count("enrolments", filter=Q(enrolments__status=EnrolmentStatus.WAITLISTED)),
    )
    return render(
        request,
        "programmes/detail.html",
        {
            "programme": programme,
            "rule": EligibilityRule.from_data(programme.eligibility).describe(),
            "partners": programme.partner_agencies.order_by("name"),
            "cohorts": cohort_rows,
            "form": form,
            "can_manage": can_manage,
        },
        status=400 if form.errors else 200,
    )


# --- cohort and enrolment -------------------------------------------------------------------------------------


def _cohort_page(request: AuthedRequest, cohort: Cohort, *, status: int = 200, **extra: object) -> HttpResponse:
    enrolments = cohort_enrolments(cohort)
    query = request.GET.get("q", "").strip()
    hits: list[Person] = []
    if query and may_enrol(request.user, cohort.programme):
        persons = active_persons_visible_to(request.user)
        hits = list(
            (persons.filter(nik=query) if query.isdigit() else persons.filter(full_name__icontains=query)).order_by(
                "full_name"
            )[:MAX_PERSON_HITS]
        )
    context = {
        "cohort": cohort,
        "programme": cohort.programme,
        "sessions": list(cohort.sessions.all()),
        "rows": [(e, actions_for(request.user, e)) for e in enrolments],
        "enrolled": sum(1 for e in enrolments if e.status == EnrolmentStatus.ENROLLED),
        "waiting": sum(1 for e in enrolments if e.status == EnrolmentStatus.WAITLISTED),
        "can_enrol": may_enrol(request.user, cohort.programme),
        "can_attend": may_record_attendance(request.user, cohort),
        "q": query,
        "hits": hits,
        "facilitators": cohort.facilitators.all(),
        "today": timezone.localdate(),
        **extra,
    }
    return render(request, "programmes/cohort.html", context, status=status)


@require_GET
def cohort_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _cohort_page(request, get_cohort_for_user(request.user, pk))


@require_POST
def enrol(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, pk)
    person = request.POST.get("person", "")
    if not person.isdigit():
        raise Http404
    try:
        result = services.enrol_person(actor=request.user, cohort_id=cohort.pk, person_id=int(person))
    except services.ProgrammeError as error:
        return _cohort_page(request, cohort, status=409, refusal=str(error))
    (messages.warning if result.waitlisted else messages.success)(request, result.message())
    return redirect("programmes:cohort", pk=cohort.pk)


@require_POST
def withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = get_enrolment_for_user(request.user, pk)
    try:
        services.withdraw_enrolment(actor=request.user, enrolment_id=pk, reason=request.POST.get("reason", ""))
    except services.ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s left the cohort.") % {"name": enrolment.person.full_name})
    return redirect("programmes:cohort", pk=enrolment.cohort_id)


@require_POST
def close(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_user(request.user, pk)
    try:
        completed = services.close_cohort(actor=request.user, cohort_id=pk)
    except services.ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Completion decided: %(n)d completed.") % {"n": len(completed)})
    return redirect("programmes:cohort", pk=cohort.pk)


@require_http_methods(["GET", "POST"])
def recommend(request: AuthedRequest) -> HttpResponse:
    """Enrol from an assessment's recommendation: ?person=&type=&ref= (the assessments page links here)."""
    source = request.POST if request.method == "POST" else request.GET
    person_id, programme_type, ref = source.get("person", ""), source.get("type", ""), source.get("ref", "")
    if not person_id.isdigit() or programme_type not in ProgrammeType.values:
        raise Http404
    person = get_person_for_user(request.user, int(person_id))
    refusal = ""
    if request.method == "POST":
        cohort = source.get("cohort", "")
        try:
            result = services.enrol_from_recommendation(
                actor=request.user,
                person_id=person.pk,
                programme_type=programme_type,
                assessment_ref=ref,
                cohort_id=int(cohort) if cohort.isdigit() else None,
            )
        except services.ProgrammeError as error:
            refusal = str(error)
        except InvalidData as error:
            refusal = " ".join(message for messages_ in error.errors.values() for message in messages_)
        else:
            (messages.warning if result.waitlisted else messages.success)(request, result.message())
            return redirect("programmes:cohort", pk=result.enrolment.cohort_id)
    return render(
        request,
        "programmes/recommend.html",
        {
            "person": person,
            "programme_type": ProgrammeType(programme_type),
            "ref": ref,
            "cohorts": services.open_cohorts_for(request.user, programme_type),
            "refusal": refusal,
        },
        status=409 if refusal else 200,
    )


# --- attendance -----------------------------------------------------------------------------------------------


def _session_context(request: AuthedRequest, session: CohortSession) -> dict[str, object]:
    cohort = session.cohort
    ticks = attendance_matrix(cohort)
    participants = [
        e
        for e in cohort_enrolments(cohort)
        if e.status in (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED)
    ]
    return {
        "session": session,
        "cohort": cohort,
        "rows": [(e, ticks.get((e.pk, session.pk))) for e in participants],
        "present": sum(1 for e in participants if ticks.get((e.pk, session.pk))),
        "is_future": session.date > timezone.localdate(),
        "can_attend": may_record_attendance(request.user, cohort),
    }


@require_GET
def session_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    return render(request, "programmes/session.html", _session_context(request, session))


@require_POST
def tick(request: AuthedRequest, pk: int, enrolment_pk: int) -> HttpResponse:
    """One tick, its own small request: safe to repeat on a weak connection (the same tick twice is one)."""
    session = get_session_for_user(request.user, pk)
    present = request.POST.get("present") == "1"
    error = ""
    try:
        services.record_attendance(
            actor=request.user, session_id=session.pk, enrolment_id=enrolment_pk, present=present
        )
    except services.ProgrammeError as refusal:
        error = str(refusal)
    if _is_htmx(request):
        enrolment = get_enrolment_for_user(request.user, enrolment_pk)
        ticks = attendance_matrix(session.cohort)
        return render(
            request,
            "programmes/session.html#tick-row",
            {
                "session": session,
                "enrolment": enrolment,
                "mark": ticks.get((enrolment.pk, session.pk)),
                "error": error,
                "can_attend": True,
            },
            status=409 if error else 200,
        )
    if error:
        messages.error(request, error)
    return redirect("programmes:session", pk=session.pk)


@require_POST
def session_check_in(request: AuthedRequest, pk: int) -> HttpResponse:
    session = get_session_for_user(request.user, pk)
    try:
        row = services.check_in(actor=request.user, session_id=session.pk, code=request.POST.get("code", ""))
    except services.ProgrammeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(name)s checked in.") % {"name": row.enrolment.person.full_name})
    return redirect("programmes:session", pk=session.pk)


@require_GET
def card(request: AuthedRequest, pk: int) -> HttpResponse:
    """The printable participant card: the QR code opens the check-in page on the facilitator's phone."""
    enrolment = get_enrolment_for_user(request.user, pk)
    code = services.checkin_code(enrolment)
    url = request.build_absolute_uri(reverse("programmes:scanned", args=[code]))
    return render(request, "programmes/card.html", {"enrolment": enrolment, "qr": documents.qr_svg(url), "code": code})


@require_http_methods(["GET", "POST"])
def scanned(request: AuthedRequest, code: str) -> HttpResponse:
    """Where a card's QR code leads: the facilitator chooses the session (today's first) and confirms."""
    sessions = list(
        CohortSession.objects.filter(
            cohort__in=cohorts_visible_to(request.user).values("pk"), date=timezone.localdate()
        )
        .select_related("cohort__programme")
        .order_by("cohort_id", "position")
    )
    sessions = [s for s in sessions if may_record_attendance(request.user, s.cohort)]
    if request.method == "POST":
        raw = request.POST.get("session", "")
        if not raw.isdigit():
            raise Http404
        try:
            row = services.check_in(actor=request.user, session_id=int(raw), code=code)
        except services.ProgrammeError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(name)s checked in.") % {"name": row.enrolment.person.full_name})
            return redirect("programmes:session", pk=int(raw))
    return render(request, "programmes/scanned.html", {"sessions": sessions, "code": code})


# --- certificates ---------------------------------------------------------------------------------------------


@require_GET
def certificate(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = get_enrolment_for_user(request.user, pk)
    found = (
        Certificate.objects.filter(enrolment=enrolment).select_related("enrolment__cohort__programme__agency").first()
    )
    if found is None:
        raise Http404
    content = documents.build_certificate(found)
    record_event(actor=request.user, action="programme.certificate_downloaded", obj=found, summary=found.number)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="sertifikat-{enrolment.pk}.pdf"'
    return response


@login_not_required
@require_GET
def verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public page behind the certificate's QR code (no login): only what a verifier needs."""
    found = (
        Certificate.objects.select_related("enrolment__person", "enrolment__cohort__programme__agency")
        .filter(verification_token=token)
        .first()
    )
    if found is None:
        response = render(request, "programmes/verify.html", {"certificate": None}, status=404)
    else:
        response = render(request, "programmes/verify.html", {"certificate": found, "cohort": found.enrolment.cohort})
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


# --- mentoring ------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def start_mentoring(request: AuthedRequest, pk: int) -> HttpResponse:
    enrolment = get_enrolment_for_user(request.user, pk)
    programme = enrolment.cohort.programme
    if not may_enrol(request.user, programme):
        raise Http404
    form = BusinessForm(request.POST or None, staff=_staff_of(programme), initial={"mentor": request.user.pk})
    if request.method == "POST" and form.is_valid():
        try:
            business = services.start_mentoring(actor=request.user, enrolment_id=enrolment.pk, data=form.to_data())
        except InvalidData as error:
            form.add_service_errors(error)
        except services.ProgrammeError as error:
            form.add_error(None, str(error))
        else:
            return redirect("programmes:business", pk=business.pk)
    return render(
        request,
        "programmes/business_form.html",
        {"form": form, "enrolment": enrolment},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def business_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    business = get_business_for_user(request.user, pk)
    checks = list(business.checks.select_related("recorded_by"))
    done = {check.kind for check in checks}
    next_kind = next((kind for kind in CheckKind.values if kind not in done), CheckKind.MONTH_12)
    check_form = CheckForm(
        request.POST if request.POST.get("form") == "check" else None,
        initial={"kind": next_kind, "recorded_on": timezone.localdate()},
    )
    visit_form = VisitForm(
        request.POST if request.POST.get("form") == "visit" else None,
        request.FILES if request.POST.get("form") == "visit" else None,
        initial={"visited_on": timezone.localdate()},
    )
    status = 200
    if request.method == "POST":
        try:
            if check_form.is_bound and check_form.is_valid():
                services.record_check(actor=request.user, business_id=business.pk, data=check_form.to_data())
                messages.success(request, _("Recorded."))
                return redirect("programmes:business", pk=business.pk)
            if visit_form.is_bound and visit_form.is_valid():
                c = visit_form.cleaned_data
                services.record_visit(
                    actor=request.user,
                    business_id=business.pk,
                    visited_on=c["visited_on"],
                    notes=c["notes"],
                    photo=c.get("photo"),
                )
                messages.success(request, _("Visit recorded."))
                return redirect("programmes:business", pk=business.pk)
        except InvalidData as error:
            (check_form if check_form.is_bound else visit_form).add_service_errors(error)
        except services.ProgrammeError as error:
            (check_form if check_form.is_bound else visit_form).add_error(None, str(error))
        status = 400
    baseline = next((c for c in checks if c.kind == CheckKind.BASELINE), None)
    due = services.follow_up_due_dates(baseline.recorded_on) if baseline else {}
    return render(
        request,
        "programmes/business.html",
        {
            "business": business,
            "checks": checks,
            "due": [(CheckKind(kind).label, day, kind in done) for kind, day in due.items()],
            "visits": business.visits.select_related("recorded_by"),
            "check_form": check_form,
            "visit_form": visit_form,
            "today": timezone.localdate(),
        },
        status=status,
    )


@require_GET
def visit_photo(request: AuthedRequest, pk: int, visit_pk: int) -> HttpResponse:
    business = get_business_for_user(request.user, pk)
    visit = business.visits.filter(pk=visit_pk).exclude(photo="").first()
    if visit is None:
        raise Http404
    with visit.photo.open("rb") as handle:
        content = handle.read()
    suffix = (visit.photo.name or "").rsplit(".", 1)[-1].lower()
    content_type = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}.get(
        suffix, "application/octet-stream"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def tasks(request: AuthedRequest) -> HttpResponse:
    _require_reader(request)
    return render(request, "programmes/tasks.html", {"tasks": mentor_tasks(request.user, today=timezone.localdate())})


# --- outcomes -------------------------------------------------------------------------------------------------


@require_GET
def outcome_page(request: AuthedRequest, pk: int) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk)
    result = outcomes.programme_outcomes(programme)
    rates = [(o.label, o.completion_rate, outcomes.bar_width(o.completion_rate, 100)) for _c, o in result.cohorts]
    total = result.total
    top = max((f.value or 0 for f in (total.income_before, total.income_after)), default=0)
    income_bars = [
        (_("Baseline"), total.income_before, outcomes.bar_width(total.income_before, top)),
        (_("Latest follow-up"), total.income_after, outcomes.bar_width(total.income_after, top)),
    ]
    return render(
        request,
        "programmes/outcomes.html",
        {"result": result, "rates": rates, "income_bars": income_bars, "min_count": outcomes.MIN_COUNT},
    )


@require_GET
def outcome_export(request: AuthedRequest, pk: int, file_format: str) -> HttpResponse:
    programme = get_programme_for_user(request.user, pk)
    content, content_type = services.export_outcomes(actor=request.user, programme=programme, file_format=file_format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="hasil-program-{programme.pk}.{file_format}"'
    return response


# --- calendar -------------------------------------------------------------------------------------------------


@require_GET
def month_calendar(request: AuthedRequest) -> HttpResponse:
    """Sessions of a month: the user's agency's programmes, or all programmes they see (joint calendar)."""
    _require_reader(request)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
        month = int(request.GET.get("month", today.month))
        first = date(year, month, 1)
        following = date(year + (month // 12), month % 12 + 1, 1)
    except (ValueError, OverflowError):
        raise Http404 from None
    joint = request.GET.get("joint") == "1"
    sessions = CohortSession.objects.filter(
        cohort__in=cohorts_visible_to(request.user).values("pk"), date__year=year, date__month=month
    ).select_related("cohort__programme__agency", "cohort__region")
    if not joint:
        sessions = sessions.filter(cohort__programme__agency_id=request.user.agency_pk)
    by_day: dict[date, list[CohortSession]] = defaultdict(list)
    for session in sessions.order_by("date", "cohort_id", "position"):
        by_day[session.date].append(session)
    weeks = [
        [(day, by_day.get(day, [])) if day.month == month else (None, []) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    previous = (first.replace(day=1) - date.resolution).replace(day=1)
    agency = request.user.agency
    return render(
        request,
        "programmes/calendar.html",
        {
            "weeks": weeks,
            "first": first,
            "previous": previous,
            "following": following,
            "joint": joint,
            "agency": agency,
            "today": today,
        },
    )
