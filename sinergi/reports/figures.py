"""The figures of the dashboards, the map, the monthly report and the aggregate API — computed once, here.

A figure source is one function `(scope: Scope) -> list[Figure]`; `FIGURE_SOURCES` lists them by dotted path,
so another app (assistance delivered, programme outcomes) adds its figures by adding one function and one line,
without the dashboard, the report or the API changing. Counts only: no row of a person leaves this module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr, TruncMonth
from django.utils import formats, timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from sinergi.cases.models import OPEN_CASE_STATUSES, Case, ComplaintCategory
from sinergi.referrals.models import Deadline, Referral, ReferralStatus, SlaStep
from sinergi.registry.countries import country_name

PROVINCE = "72"  # Sulawesi Tengah


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int]


@dataclass(frozen=True)
class Figure:
    """One chart and the table with the same numbers (for screen readers and copying)."""

    key: str
    title: str
    kind: str  # chart type: "bar", "line" or "hbar"
    labels: list[str]
    series: list[Series]
    note: str = ""

    @property
    def is_empty(self) -> bool:
        return not any(value for serie in self.series for value in serie.values)

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        return [(label, [serie.values[i] for serie in self.series]) for i, label in enumerate(self.labels)]

    def as_chart(self) -> dict[str, object]:
        return {
            "key": self.key,
            "kind": self.kind,
            "labels": self.labels,
            "series": [{"label": serie.label, "values": serie.values} for serie in self.series],
        }


@dataclass(frozen=True)
class Scope:
    """Which cases (already scoped by a selector) and which filters the figures are about."""

    cases: QuerySet[Case]
    date_from: date
    date_to: date
    regency: str = ""
    category: str = ""
    title: str = ""
    referrals: QuerySet[Referral] | None = None
    # The agencies whose own work (assistance delivered, programmes run) the figures count: the user's agency,
    # and the partner on a joint dashboard.
    agency_ids: tuple[int, ...] = ()

    def filtered_cases(self) -> QuerySet[Case]:
        start, end = day_bounds(self.date_from, self.date_to)
        queryset = self.cases.filter(received_at__gte=start, received_at__lt=end)
        if self.regency:
            queryset = queryset.filter(person__region__code__startswith=self.regency)
        if self.category:
            queryset = queryset.filter(categories__code=self.category)
        return queryset.distinct()


def day_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(date_from, time.min, tzinfo=zone),
        datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone),
    )


def regencies() -> dict[str, str]:
    """Kemendagri code → short name of Sulawesi Tengah's 13 regencies and cities ("Sigi", "Kota Palu"), in code
    order, as the map's data names them."""
    from sinergi.reports.geo import regency_names

    return regency_names()


def months_between(date_from: date, date_to: date) -> list[date]:
    months = []
    current = date_from.replace(day=1)
    while current <= date_to:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def cases_by_regency(cases: QuerySet[Case]) -> dict[str, int]:
    rows = (
        cases.order_by()
        .annotate(regency=Substr("person__region__code", 1, 5))
        .values("regency")
        .annotate(n=Count("pk", distinct=True))
    )
    return {row["regency"]: row["n"] for row in rows if row["regency"]}


def case_figures(scope: Scope) -> list[Figure]:
    cases = scope.filtered_cases()
    by_category = dict(
        cases.order_by()
        .values("categories__code")
        .annotate(n=Count("pk", distinct=True))
        .values_list("categories__code", "n")
    )
    categories = [c for c in ComplaintCategory.objects.order_by("order") if by_category.get(c.code)]
    names = regencies()
    by_regency = cases_by_regency(cases)
    by_country = Counter(
        dict(
            cases.order_by()
            .values("destination_country")
            .annotate(n=Count("pk"))
            .values_list("destination_country", "n")
        )
    )
    months = months_between(scope.date_from, scope.date_to)
    by_month = {
        row["month"].date() if isinstance(row["month"], datetime) else row["month"]: row["n"]
        for row in cases.order_by().annotate(month=TruncMonth("received_at")).values("month").annotate(n=Count("pk"))
    }
    case_label = _("Cases")
    return [
        Figure(
            "cases_by_category",
            _("Cases by complaint category"),
            "hbar",
            [c.name for c in categories],
            [Series(case_label, [by_category[c.code] for c in categories])],
            _("A case may have several categories."),
        ),
        Figure(
            "cases_by_regency",
            _("Cases by regency of origin"),
            "hbar",
            list(names.values()),
            [Series(case_label, [by_regency.get(code, 0) for code in names])],
        ),
        Figure(
            "cases_by_destination",
            _("Cases by destination country"),
            "hbar",
            [country_name(code) if code else _("Unknown") for code, _n in by_country.most_common()],
            [Series(case_label, [n for _code, n in by_country.most_common()])],
        ),
        Figure(
            "cases_by_month",
            _("Cases by month received"),
            # One month (the monthly report) is one bar: a line through a single point draws a lone dot.
            "line" if len(months) > 1 else "bar",
            [formats.date_format(month, "M Y") for month in months],
            [Series(case_label, [by_month.get(month, 0) for month in months])],
        ),
    ]


def referral_figures(scope: Scope) -> list[Figure]:
    # The referrals of the cases received in the period (a cohort): a month's report follows its own cases.
    referrals = (scope.referrals if scope.referrals is not None else Referral.objects.none()).filter(
        case__in=scope.filtered_cases(), sent_at__isnull=False
    )
    rows = list(referrals.values_list("status", "acknowledged_at", "accepted_at", "first_service_at"))
    statuses = Counter(status for status, *_rest in rows)
    funnel = [
        (_("Sent"), len(rows)),
        (_("Acknowledged"), sum(1 for row in rows if row[1] is not None)),
        (_("Accepted"), sum(1 for row in rows if row[2] is not None)),
        (_("Service started"), sum(1 for row in rows if row[3] is not None)),
        (_("Completed"), statuses[ReferralStatus.COMPLETED]),
    ]
    now = timezone.now()
    on_time: Counter[str] = Counter()
    late: Counter[str] = Counter()
    for step, due, met, cancelled in Deadline.objects.filter(referral__in=referrals).values_list(
        "step", "due_at", "met_at", "cancelled_at"
    ):
        if met is not None:
            (on_time if met <= due else late)[step] += 1
        elif (cancelled is not None and cancelled > due) or (cancelled is None and due < now):
            late[step] += 1
    steps = list(SlaStep)
    return [
        Figure(
            "referral_funnel",
            _("Referral funnel"),
            "bar",
            [label for label, _n in funnel],
            [Series(_("Referrals"), [n for _label, n in funnel])],
        ),
        Figure(
            "sla_compliance",
            _("SLA compliance per step"),
            "bar",
            [str(step.label) for step in steps],
            [
                Series(_("On time"), [on_time[step] for step in steps]),
                Series(_("Late or missed"), [late[step] for step in steps]),
            ],
            _("Steps due in the period; a step still running in time is not counted yet."),
        ),
    ]


# One line per figure source; each app adds its own (assistance delivered, programme outcomes).
FIGURE_SOURCES: list[str] = [
    "sinergi.reports.figures.case_figures",
    "sinergi.reports.figures.referral_figures",
    "sinergi.benefits.figures.benefit_figures",
    "sinergi.programmes.figures.programme_figures",
]


def all_figures(scope: Scope) -> list[Figure]:
    figures: list[Figure] = []
    for path in FIGURE_SOURCES:
        source: Callable[[Scope], list[Figure]] = import_string(path)
        figures += source(scope)
    return figures


@dataclass(frozen=True)
class OverdueCase:
    number: str
    received_at: datetime
    status: str
    steps: list[str] = field(default_factory=list)


def open_cases_past_sla(cases: QuerySet[Case]) -> list[OverdueCase]:
    """Open cases with a referral step still running past its due time (the monthly report's list)."""
    now = timezone.now()
    late = (
        Deadline.objects.filter(
            referral__case__in=cases.filter(status__in=OPEN_CASE_STATUSES),
            met_at__isnull=True,
            cancelled_at__isnull=True,
            due_at__lt=now,
        )
        .select_related("referral__case")
        .order_by("referral__case__received_at", "due_at")
    )
    found: dict[int, OverdueCase] = {}
    for deadline in late:
        case = deadline.referral.case
        entry = found.setdefault(case.pk, OverdueCase(case.number, case.received_at, case.get_status_display()))
        entry.steps.append(str(SlaStep(deadline.step).label))
    return list(found.values())
