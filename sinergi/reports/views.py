"""Dashboards (agency and joint), the map, the monthly report page and downloads, and the public statistics.

The figures come from figures.py through a scope built by selectors.py; the pages only render them. A filter
that is not valid (unknown regency, a period that ends before it starts) is refused with its message.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.models import Agency
from sinergi.accounts.roles import Capability
from sinergi.cases.models import ComplaintCategory
from sinergi.reports import geo
from sinergi.reports.figures import Scope, all_figures, cases_by_regency, regencies
from sinergi.reports.filters import FilterError, ReportFilter, default_period, parse_filter
from sinergi.reports.models import MonthlyReport
from sinergi.reports.monthly import monthly_figures, pdf_bytes, previous_month, xlsx_bytes
from sinergi.reports.public import public_statistics
from sinergi.reports.selectors import (
    agency_cases,
    agency_referrals,
    joint_cases,
    joint_referrals,
    partner_agencies,
)


def _require_cases(request: AuthedRequest) -> None:
    if not request.user.has_capability(Capability.VIEW_CASES):
        raise Http404


def _filters(request: AuthedRequest) -> tuple[ReportFilter, dict[str, list[str]]]:
    try:
        return (
            parse_filter(
                request.GET.get("date_from"),
                request.GET.get("date_to"),
                request.GET.get("regency", ""),
                request.GET.get("category", ""),
            ),
            {},
        )
    except FilterError as error:
        start, end = default_period()
        return ReportFilter(start, end), error.errors


def scope_for(request: AuthedRequest, flt: ReportFilter) -> tuple[Scope, Agency | None]:
    """The agency's own cases, or (?partner=<id>) the cases it shares with a partner agency."""
    user = request.user
    partner_id = request.GET.get("partner", "")
    partner = partner_agencies(user).filter(pk=partner_id).first() if partner_id.isdigit() else None
    if partner_id and partner is None:
        raise Http404
    if partner is not None:
        cases, referrals = joint_cases(user, partner), joint_referrals(user, partner)
        agency_ids: tuple[int, ...] = (user.agency_pk, partner.pk)
        title = _("Joint: %(mine)s and %(partner)s") % {
            "mine": user.agency.name if user.agency else "",
            "partner": partner.name,
        }
    else:
        cases, referrals = agency_cases(user), agency_referrals(user)
        agency_ids = (user.agency_pk,)
        title = user.agency.name if user.agency else ""
    scope = Scope(
        cases=cases,
        referrals=referrals,
        date_from=flt.date_from,
        date_to=flt.date_to,
        regency=flt.regency,
        category=flt.category,
        title=title,
        agency_ids=agency_ids,
    )
    return scope, partner


def _filter_context(request: AuthedRequest, flt: ReportFilter, errors: dict[str, list[str]]) -> dict[str, object]:
    return {
        "flt": flt,
        "errors": errors,
        "regency_choices": regencies(),
        "category_choices": ComplaintCategory.objects.filter(is_active=True).order_by("order"),
        "partners": partner_agencies(request.user),
        "partner_id": request.GET.get("partner", ""),
    }


@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    _require_cases(request)
    flt, errors = _filters(request)
    scope, partner = scope_for(request, flt)
    figures = all_figures(scope) if not errors else []
    total = scope.filtered_cases().count() if not errors else 0
    context = {
        **_filter_context(request, flt, errors),
        "scope": scope,
        "partner": partner,
        "figures": figures,
        "charts": [figure.as_chart() for figure in figures],
        "total": total,
    }
    return render(request, "reports/dashboard.html", context)


@require_GET
def regency_map(request: AuthedRequest) -> HttpResponse:
    _require_cases(request)
    flt, errors = _filters(request)
    scope, partner = scope_for(request, flt)
    measure = "count" if request.GET.get("measure") == "count" else "rate"
    counts = cases_by_regency(scope.filtered_cases()) if not errors else {}
    context = {
        **_filter_context(request, flt, errors),
        "scope": scope,
        "partner": partner,
        "map": geo.choropleth(counts, measure),
        "measure": measure,
        "series": geo.POPULATION_SERIES,
        "attribution": geo.ATTRIBUTION,
    }
    return render(request, "reports/map.html", context)


def _month(request: AuthedRequest) -> date:
    raw = request.GET.get("bulan", "")
    try:
        return date.fromisoformat(f"{raw}-01") if raw else previous_month()
    except ValueError:
        raise Http404 from None


@require_GET
def monthly(request: AuthedRequest) -> HttpResponse:
    _require_cases(request)
    agency = request.user.agency
    if agency is None:
        raise Http404
    month = _month(request)
    report = monthly_figures(agency, month)
    fmt = request.GET.get("format", "")
    if fmt in ("xlsx", "pdf"):
        content, kind = (
            (xlsx_bytes(report), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
            if fmt == "xlsx"
            else (pdf_bytes(report), "application/pdf")
        )
        response = HttpResponse(content, content_type=kind)
        response["Content-Disposition"] = f'attachment; filename="laporan-bulanan-{agency.code}-{month:%Y-%m}.{fmt}"'
        response["Cache-Control"] = "private, no-store"
        return response
    generated = MonthlyReport.objects.filter(agency=agency).defer("xlsx", "pdf")[:24]
    context = {
        "report": report,
        "month_value": f"{report.month:%Y-%m}",
        "charts": [figure.as_chart() for figure in report.figures],
        "generated": generated,
    }
    return render(request, "reports/monthly.html", context)


@require_GET
def generated_report(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    _require_cases(request)
    agency_id = request.user.agency_id
    report = MonthlyReport.objects.filter(pk=pk, agency_id=agency_id).first() if agency_id else None
    if report is None or fmt not in ("xlsx", "pdf"):
        raise Http404
    kind = "application/pdf" if fmt == "pdf" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(bytes(report.pdf if fmt == "pdf" else report.xlsx), content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="laporan-bulanan-{report.month:%Y-%m}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_not_required
@require_GET
def public(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/public.html", {"stats": public_statistics()})
