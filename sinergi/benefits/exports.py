"""The agency's list of assistance per period, as XLSX (openpyxl) and PDF (reportlab), for its reports.

Only the giving agency's own benefits; no assessment answers (the sensitive domains never reach a file).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook  # type: ignore[import-untyped]
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.benefits.models import Benefit, BenefitStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ExportRow:
    name: str
    nik: str
    regency: str
    assistance: str
    status: str
    proposed_on: str
    approved: Decimal | None
    delivered: Decimal | None
    delivered_on: str


def _regency(benefit: Benefit) -> str:
    region = benefit.person.region
    while region is not None and region.code.count(".") > 1:
        region = region.parent
    return region.name if region is not None and region.code.count(".") == 1 else ""


def rows_for(user: User, start: date, end: date) -> list[ExportRow]:
    queryset = (
        _scope(user)
        .filter(
            Q(proposed_at__date__gte=start, proposed_at__date__lte=end)
            | Q(delivered_on__gte=start, delivered_on__lte=end)
        )
        .select_related("person__region__parent__parent", "assistance_type")
        .order_by("proposed_at", "id")
    )
    return [
        ExportRow(
            name=b.person.full_name,
            nik=b.person.nik,
            regency=_regency(b),
            assistance=b.assistance_type.name,
            status=str(BenefitStatus(b.status).label),
            proposed_on=timezone.localtime(b.proposed_at).date().isoformat(),
            approved=b.approved_amount,
            delivered=b.delivered_amount,
            delivered_on=b.delivered_on.isoformat() if b.delivered_on else "",
        )
        for b in queryset
    ]


def _scope(user: User) -> QuerySet[Benefit]:
    """The giving agency's own benefits, every status."""
    if not user.is_authenticated or not user.has_capability(Capability.VIEW_CASES):
        return Benefit.objects.none()
    return Benefit.objects.filter(agency_id=user.agency_pk)


def _headers() -> list[str]:
    return [
        _("No."),
        _("Name"),
        _("NIK"),
        _("Regency/city"),
        _("Assistance"),
        _("Status"),
        _("Proposed on"),
        _("Approved (Rp)"),
        _("Delivered (Rp)"),
        _("Delivered on"),
    ]


def to_xlsx(rows: list[ExportRow], start: date, end: date) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Penyaluran"
    sheet.append([_("Assistance given %(start)s – %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}])
    sheet.append(_headers())
    for number, row in enumerate(rows, start=1):
        sheet.append(
            [
                number,
                row.name,
                row.nik,  # text: a NIK must not become 7.27105E+15
                row.regency,
                row.assistance,
                row.status,
                row.proposed_on,
                int(row.approved) if row.approved is not None else None,
                int(row.delivered) if row.delivered is not None else None,
                row.delivered_on,
            ]
        )
        sheet.cell(row=number + 2, column=3).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(rows: list[ExportRow], start: date, end: date, user: User) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), title="Penyaluran bantuan")
    styles = getSampleStyleSheet()
    title = _("Assistance given %(start)s – %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
    data: list[list[str]] = [_headers()]
    for number, row in enumerate(rows, start=1):
        data.append(
            [
                str(number),
                row.name,
                row.nik,
                row.regency,
                row.assistance,
                row.status,
                row.proposed_on,
                f"{row.approved:,.0f}".replace(",", ".") if row.approved is not None else "",
                f"{row.delivered:,.0f}".replace(",", ".") if row.delivered is not None else "",
                row.delivered_on,
            ]
        )
    table = Table(data, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("FONTSIZE", (0, 0), (-1, -1), 7),
            ]
        )
    )
    agency = user.agency.name if user.agency else ""
    doc.build([Paragraph(f"{title} · {agency}", styles["Heading2"]), table])
    return out.getvalue()
