"""The monthly report (laporan bulanan) of one agency: the dashboard's figures for the month, with charts, and
the open cases past their SLA; as XLSX (openpyxl, native Excel charts) and PDF (reportlab).

On demand from the report page; on a schedule by the task worker (`generate_monthly_reports_task`, enqueued by
`sinergi reports monthly` from cron or a systemd timer: Django's task framework has no scheduler of its own).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.tasks import task
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.chart import BarChart, LineChart, Reference  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]
from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sinergi.accounts.models import Agency
from sinergi.audit.events import record_event
from sinergi.reports.figures import Figure, OverdueCase, Scope, all_figures, open_cases_past_sla
from sinergi.reports.models import MonthlyReport
from sinergi.reports.selectors import cases_of_agency, referrals_of_agency


@dataclass(frozen=True)
class MonthlyFigures:
    agency: Agency
    month: date
    figures: list[Figure]
    overdue: list[OverdueCase]

    @property
    def title(self) -> str:
        return _("Monthly report %(agency)s, %(month)s") % {
            "agency": self.agency.name,
            "month": formats.date_format(self.month, "F Y"),
        }


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def previous_month(today: date | None = None) -> date:
    return ((today or timezone.localdate()).replace(day=1) - timedelta(days=1)).replace(day=1)


def monthly_figures(agency: Agency, month: date) -> MonthlyFigures:
    month = month.replace(day=1)
    cases = cases_of_agency(agency)
    scope = Scope(
        cases=cases,
        date_from=month,
        date_to=month_end(month),
        referrals=referrals_of_agency(agency),
        agency_ids=(agency.pk,),
    )
    return MonthlyFigures(agency, month, all_figures(scope), open_cases_past_sla(cases))


def _sheet_title(text: str) -> str:
    return "".join(ch for ch in text if ch not in "[]:*?/\\")[:31]


def xlsx_bytes(report: MonthlyFigures) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _sheet_title(_("Figures"))
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=14)
    row = 3
    for figure in report.figures:
        sheet.cell(row=row, column=1, value=figure.title).font = Font(bold=True)
        sheet.cell(row=row + 1, column=1, value="")
        for j, serie in enumerate(figure.series, start=2):
            sheet.cell(row=row + 1, column=j, value=serie.label).font = Font(bold=True)
        for i, (label, values) in enumerate(figure.rows, start=row + 2):
            sheet.cell(row=i, column=1, value=label)
            for j, value in enumerate(values, start=2):
                sheet.cell(row=i, column=j, value=value)
        last = row + 1 + len(figure.rows)
        if figure.rows:
            chart = LineChart() if figure.kind == "line" else BarChart()
            if isinstance(chart, BarChart):
                chart.type = "bar" if figure.kind == "hbar" else "col"
            chart.title = figure.title
            chart.height, chart.width = 7, 14
            data = Reference(sheet, min_col=2, max_col=1 + len(figure.series), min_row=row + 1, max_row=last)
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=1, min_row=row + 2, max_row=last))
            sheet.add_chart(chart, f"E{row}")
        row = max(last + 2, row + 16)
    sheet.column_dimensions["A"].width = 42
    late = book.create_sheet(_sheet_title(_("Past SLA")))
    late.append([_("Case"), _("Received"), _("Status"), _("Steps past their deadline")])
    for cell in late[1]:
        cell.font = Font(bold=True)
    for case in report.overdue:
        late.append(
            [case.number, timezone.localtime(case.received_at).strftime("%d-%m-%Y"), case.status, ", ".join(case.steps)]
        )
    late.column_dimensions["A"].width = 28
    late.column_dimensions["D"].width = 50
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bar_drawing(figure: Figure) -> Drawing:
    height = max(80, 18 * len(figure.labels) + 30)
    drawing = Drawing(16 * cm, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 150, 15
    chart.width, chart.height = 16 * cm - 170, height - 30
    chart.data = [tuple(serie.values) for serie in figure.series]
    chart.categoryAxis.categoryNames = [label[:28] for label in figure.labels]
    chart.categoryAxis.labels.fontSize = 7
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    for i, colour in enumerate((colors.HexColor("#e1602f"), colors.HexColor("#1d4ed8"))):
        if i < len(figure.series):
            chart.bars[i].fillColor = colour
    drawing.add(chart)
    return drawing


def pdf_bytes(report: MonthlyFigures) -> bytes:
    out = io.BytesIO()
    styles = getSampleStyleSheet()
    document = SimpleDocTemplate(out, pagesize=A4, title=report.title, leftMargin=2 * cm, rightMargin=2 * cm)
    story: list[object] = [Paragraph(report.title, styles["Title"])]
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f5f9")),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
        ]
    )
    for figure in report.figures:
        story.append(Paragraph(figure.title, styles["Heading2"]))
        if figure.is_empty:
            story.append(Paragraph(_("No figures in this month."), styles["Normal"]))
            continue
        story.append(_bar_drawing(figure))
        rows = [["", *[serie.label for serie in figure.series]], *[[label, *values] for label, values in figure.rows]]
        story.append(Table(rows, style=grid, hAlign="LEFT"))
        story.append(Spacer(1, 0.3 * cm))
    story.append(Paragraph(_("Open cases past their SLA"), styles["Heading2"]))
    if report.overdue:
        rows = [[_("Case"), _("Received"), _("Status"), _("Steps past their deadline")]]
        rows += [
            [case.number, timezone.localtime(case.received_at).strftime("%d-%m-%Y"), case.status, ", ".join(case.steps)]
            for case in report.overdue
        ]
        story.append(Table(rows, style=grid, hAlign="LEFT"))
    else:
        story.append(Paragraph(_("None."), styles["Normal"]))
    document.build(story)
    return out.getvalue()


@transaction.atomic
def generate_monthly_report(agency: Agency, month: date) -> MonthlyReport:
    """Generate (or regenerate) the agency's report for `month`, in Indonesian, and keep it."""
    with override("id"):
        figures = monthly_figures(agency, month)
        xlsx, pdf = xlsx_bytes(figures), pdf_bytes(figures)
    report, _created = MonthlyReport.objects.update_or_create(
        agency=agency,
        month=figures.month,
        defaults={"xlsx": xlsx, "pdf": pdf, "generated_at": timezone.now()},
    )
    record_event(
        actor=None, action="report.monthly_generated", obj=report, summary=f"{agency.code} {figures.month:%Y-%m}"
    )
    return report


@task()
def generate_monthly_reports_task(month: str = "") -> int:
    """Every active agency's report for `month` (YYYY-MM; the previous month when empty)."""
    first = date.fromisoformat(f"{month}-01") if month else previous_month()
    agencies = list(Agency.objects.filter(is_active=True).order_by("pk"))
    for agency in agencies:
        generate_monthly_report(agency, first)
    return len(agencies)
