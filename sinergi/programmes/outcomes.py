"""Outcomes per programme and cohort: did people complete, do their businesses still run, did income rise?

Every figure carries the number of people it rests on (`n`); under MIN_COUNT the figure is "too few to say"
(`value` is None), so that a rate of one person is never read as a result, and a small group is not singled
out. The page, the API and the XLSX/PDF exports all render `programme_outcomes`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from statistics import median

from django.db.models import QuerySet

from sinergi.programmes.models import Business, CheckKind, Cohort, Enrolment, EnrolmentStatus, Programme

# Below this many people a figure is not shown.
MIN_COUNT = 5


@dataclass(frozen=True)
class Figure:
    n: int  # the people it rests on
    value: float | None  # None: too few to say (n < MIN_COUNT) or nothing to measure yet
    numerator: int | None = None  # for rates: how many of n

    @property
    def too_few(self) -> bool:
        return self.n < MIN_COUNT


def _rate(hits: int, n: int) -> Figure:
    if n < MIN_COUNT or n == 0:
        return Figure(n, None, hits)
    return Figure(n, round(100 * hits / n, 1), hits)


def _median(values: list[Decimal]) -> Figure:
    if len(values) < MIN_COUNT or not values:
        return Figure(len(values), None)
    return Figure(len(values), float(median(values)))


@dataclass(frozen=True)
class Outcome:
    label: str
    enrolled: int
    completed: int
    completion_rate: Figure  # completed / decided (completed + did not complete)
    operating_6: Figure  # businesses still operating at the 6-month follow-up
    operating_12: Figure
    income_change: Figure  # median change in monthly household income, latest follow-up minus baseline (Rp)
    income_before: Figure  # median at baseline and at the latest follow-up of the same people (for the chart)
    income_after: Figure


def _outcome(label: str, enrolments: QuerySet[Enrolment]) -> Outcome:
    statuses = list(enrolments.values_list("status", flat=True))
    enrolled = sum(
        1 for s in statuses if s in (EnrolmentStatus.ENROLLED, EnrolmentStatus.COMPLETED, EnrolmentStatus.NOT_COMPLETED)
    )
    completed = statuses.count(EnrolmentStatus.COMPLETED)
    decided = completed + statuses.count(EnrolmentStatus.NOT_COMPLETED)
    operating = {CheckKind.MONTH_6: [0, 0], CheckKind.MONTH_12: [0, 0]}
    changes: list[Decimal] = []
    before: list[Decimal] = []
    after: list[Decimal] = []
    businesses = Business.objects.filter(enrolment__in=enrolments.values("pk")).prefetch_related("checks")
    for business in businesses:
        checks = {check.kind: check for check in business.checks.all()}
        for kind, counts in operating.items():
            if kind in checks:
                counts[0] += int(checks[kind].operating)
                counts[1] += 1
        baseline = checks.get(CheckKind.BASELINE)
        follow_ups = [checks[k] for k in (CheckKind.MONTH_12, CheckKind.MONTH_6, CheckKind.MONTH_3) if k in checks]
        if baseline is not None and follow_ups:
            latest = follow_ups[0]
            changes.append(latest.household_income - baseline.household_income)
            before.append(baseline.household_income)
            after.append(latest.household_income)
    return Outcome(
        label=label,
        enrolled=enrolled,
        completed=completed,
        completion_rate=_rate(completed, decided),
        operating_6=_rate(*operating[CheckKind.MONTH_6]),
        operating_12=_rate(*operating[CheckKind.MONTH_12]),
        income_change=_median(changes),
        income_before=_median(before),
        income_after=_median(after),
    )


@dataclass(frozen=True)
class ProgrammeOutcomes:
    programme: Programme
    total: Outcome
    cohorts: list[tuple[Cohort, Outcome]]


def programme_outcomes(programme: Programme) -> ProgrammeOutcomes:
    """`programme` comes from the selectors (visible to the reader)."""
    cohorts = list(programme.cohorts.order_by("starts_on", "id"))
    return ProgrammeOutcomes(
        programme=programme,
        total=_outcome(programme.name, Enrolment.objects.filter(cohort__programme=programme)),
        cohorts=[(cohort, _outcome(str(cohort), Enrolment.objects.filter(cohort=cohort))) for cohort in cohorts],
    )


def bar_width(figure: Figure, maximum: float) -> int:
    """Percent width of a chart bar (0 when there is nothing to show)."""
    if figure.value is None or maximum <= 0:
        return 0
    return max(0, min(100, round(100 * figure.value / maximum)))
