"""Every read of programmes and what hangs off them: the visibility rule lives here only.

A programme, its cohorts, enrolments, attendance and mentoring are visible to the owner agency and to its
partner agencies (readers: workers, data officers, admins, auditors); anyone else gets 404, as for a row that
does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.programmes.models import (
    FOLLOW_UP_MONTHS,
    Business,
    CheckKind,
    Cohort,
    CohortSession,
    Enrolment,
    EnrolmentStatus,
    Programme,
)
from sinergi.programmes.workflow import is_reader


def programmes_visible_to(user: User) -> QuerySet[Programme]:
    if not is_reader(user) or user.agency_id is None:
        return Programme.objects.none()
    return Programme.objects.filter(Q(agency_id=user.agency_id) | Q(partner_agencies=user.agency_id)).distinct()


def _one[M: Model](queryset: QuerySet[M], pk: object) -> M:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):  # type: ignore[attr-defined]
        raise Http404 from None


def get_programme_for_user(user: User, pk: int) -> Programme:
    return _one(programmes_visible_to(user).select_related("agency").prefetch_related("curriculum"), pk)


def cohorts_visible_to(user: User) -> QuerySet[Cohort]:
    return Cohort.objects.filter(programme__in=programmes_visible_to(user).values("pk"))


def get_cohort_for_user(user: User, pk: int, *, write: bool = False) -> Cohort:
    queryset = cohorts_visible_to(user).select_related("programme__agency", "region__parent__parent")
    if write:
        queryset = queryset.select_for_update(of=("self",))
    return _one(queryset, pk)


def get_session_for_user(user: User, pk: int) -> CohortSession:
    return _one(
        CohortSession.objects.filter(cohort__in=cohorts_visible_to(user).values("pk")).select_related(
            "cohort__programme"
        ),
        pk,
    )


def enrolments_visible_to(user: User) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(cohort__in=cohorts_visible_to(user).values("pk"))


def get_enrolment_for_user(user: User, pk: int, *, write: bool = False) -> Enrolment:
    queryset = enrolments_visible_to(user).select_related("cohort__programme__agency", "person")
    if write:
        queryset = queryset.select_for_update(of=("self",))
    return _one(queryset, pk)


def businesses_visible_to(user: User) -> QuerySet[Business]:
    return Business.objects.filter(enrolment__in=enrolments_visible_to(user).values("pk"))


def get_business_for_user(user: User, pk: int) -> Business:
    return _one(
        businesses_visible_to(user).select_related("enrolment__person", "enrolment__cohort__programme", "mentor"), pk
    )


def cohort_enrolments(cohort: Cohort) -> list[Enrolment]:
    """The cohort's enrolments, enrolled first then the waitlist in its order, withdrawn last."""
    order = {
        EnrolmentStatus.ENROLLED: 0,
        EnrolmentStatus.COMPLETED: 0,
        EnrolmentStatus.NOT_COMPLETED: 0,
        EnrolmentStatus.WAITLISTED: 1,
        EnrolmentStatus.WITHDRAWN: 2,
    }
    rows = list(cohort.enrolments.select_related("person", "enrolled_by", "business").order_by("enrolled_at", "id"))
    return sorted(rows, key=lambda enrolment: order.get(EnrolmentStatus(enrolment.status), 3))


def attendance_matrix(cohort: Cohort) -> dict[tuple[int, int], bool]:
    """(enrolment id, session id) → present, for the cohort's ticks."""
    from sinergi.programmes.models import Attendance

    return {
        (row.enrolment_id, row.session_id): row.present
        for row in Attendance.objects.filter(session__cohort=cohort).only("enrolment_id", "session_id", "present")
    }


# --- the mentor's task list -----------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

    result: date = day + relativedelta(months=months)
    return result


@dataclass(frozen=True)
class FollowUpTask:
    business: Business
    kind: CheckKind
    due_on: date
    late: bool


# A follow-up shows in the task list this many days before it is due.
DUE_SOON_DAYS = 14


def follow_up_tasks(businesses: QuerySet[Business], *, today: date) -> list[FollowUpTask]:
    """Follow-ups not recorded yet whose date is within DUE_SOON_DAYS or past (late), soonest first.

    Due dates count from the baseline's date; a business without a baseline has the baseline as its task.
    """
    tasks: list[FollowUpTask] = []
    horizon = today + timedelta(days=DUE_SOON_DAYS)
    for business in businesses.select_related("enrolment__person", "enrolment__cohort__programme").prefetch_related(
        "checks"
    ):
        done = {check.kind: check for check in business.checks.all()}
        baseline = done.get(CheckKind.BASELINE)
        if baseline is None:
            start = business.enrolment.cohort.starts_on
            tasks.append(FollowUpTask(business, CheckKind.BASELINE, start, late=start < today))
            continue
        for kind, months in FOLLOW_UP_MONTHS.items():
            if kind in done:
                continue
            due = add_months(baseline.recorded_on, months)
            if due <= horizon:
                tasks.append(FollowUpTask(business, kind, due, late=due < today))
    return sorted(tasks, key=lambda task: (task.due_on, task.business.pk))


def mentor_tasks(user: User, *, today: date) -> list[FollowUpTask]:
    return follow_up_tasks(businesses_visible_to(user).filter(mentor=user), today=today)
