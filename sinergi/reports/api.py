"""Aggregate figures API (/api/v1/reports): the dashboard's figures for your agency or jointly with a partner,
and the public statistics (no authentication, suppressed). Counts only. Token scope `cases:read`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.api.auth import require_scope
from sinergi.registry.api import ErrorOut
from sinergi.reports.figures import Scope, all_figures
from sinergi.reports.filters import FilterError, parse_filter
from sinergi.reports.public import public_statistics
from sinergi.reports.selectors import agency_cases, agency_referrals, joint_cases, joint_referrals, partner_agencies
from sinergi.reports.suppression import PublicTable

router = Router(tags=["reports"])


class ReportSeriesOut(Schema):
    label: str
    values: list[int]


class ReportFigureOut(Schema):
    key: str
    title: str
    kind: str
    labels: list[str]
    series: list[ReportSeriesOut]


class ReportFiguresOut(Schema):
    date_from: date
    date_to: date
    regency: str
    category: str
    partner_id: int | None
    cases: int
    figures: list[ReportFigureOut]


class ReportFilterIn(Schema):
    date_from: date | None = Field(None, description="First day received (WITA); default: 12 months ago.")
    date_to: date | None = Field(None, description="Last day received (WITA); default: today.")
    regency: str = Field("", description="Kemendagri code of a Sulawesi Tengah regency, e.g. 72.10.")
    category: str = Field("", description="Complaint category code, e.g. gaji-tidak-dibayar.")
    partner_id: int | None = Field(None, description="Joint figures: only the cases shared with this agency.")


class ReportPublicTableOut(Schema):
    rows: list[str]
    columns: list[str]
    cells: list[list[int | None]] = Field(description="null: suppressed (under 5, or would let one be worked out).")
    total: int | None


class ReportPublicOut(Schema):
    period: str
    threshold: int
    by_year: ReportPublicTableOut
    by_regency: ReportPublicTableOut
    by_category: ReportPublicTableOut


def _table(table: PublicTable) -> ReportPublicTableOut:
    return ReportPublicTableOut(rows=table.row_labels, columns=table.col_labels, cells=table.cells, total=table.grand)


@router.get(
    "/figures",
    response={200: ReportFiguresOut, 404: ErrorOut, 422: ErrorOut},
    summary="The dashboard's figures: cases by category, regency, destination and month; referral funnel; SLA",
    description="422 for an unknown regency or category or a period that ends before it starts; 404 for a "
    "partner agency that shares no case with yours.",
)
def figures(request: AuthedRequest, filters: Query[ReportFilterIn]) -> Any:
    require_scope(request, "cases:read")
    user = request.user
    if not user.has_capability(Capability.VIEW_CASES):
        raise Http404
    try:
        flt = parse_filter(filters.date_from, filters.date_to, filters.regency, filters.category)
    except FilterError as error:
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))
    if filters.partner_id is not None:
        partner = partner_agencies(user).filter(pk=filters.partner_id).first()
        if partner is None:
            raise Http404
        cases, referrals = joint_cases(user, partner), joint_referrals(user, partner)
        agency_ids: tuple[int, ...] = (user.agency_pk, partner.pk)
    else:
        cases, referrals = agency_cases(user), agency_referrals(user)
        agency_ids = (user.agency_pk,)
    scope = Scope(
        cases=cases,
        referrals=referrals,
        agency_ids=agency_ids,
        date_from=flt.date_from,
        date_to=flt.date_to,
        regency=flt.regency,
        category=flt.category,
    )
    return ReportFiguresOut(
        date_from=flt.date_from,
        date_to=flt.date_to,
        regency=flt.regency,
        category=flt.category,
        partner_id=filters.partner_id,
        cases=scope.filtered_cases().count(),
        figures=[
            ReportFigureOut(
                key=f.key,
                title=f.title,
                kind=f.kind,
                labels=f.labels,
                series=[ReportSeriesOut(label=s.label, values=s.values) for s in f.series],
            )
            for f in all_figures(scope)
        ],
    )


@router.get(
    "/public",
    auth=None,
    response={200: ReportPublicOut},
    summary="The public statistics with small-number suppression (no authentication)",
)
def public(request: Any) -> Any:
    stats = public_statistics()
    return ReportPublicOut(
        period=stats.period,
        threshold=stats.threshold,
        by_year=_table(stats.by_year),
        by_regency=_table(stats.by_regency),
        by_category=_table(stats.by_category),
    )
