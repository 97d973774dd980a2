"""Documents of a programme: the participant's certificate (PDF with a QR code to the public verification page,
the referral letter's idea), the participant card (QR check-in code), and the outcomes as XLSX and PDF.

The certificate is an official document: its text is Bahasa Indonesia whatever the screen language.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

import segno
from babel.dates import format_date
from django.conf import settings
from django.urls import reverse
from openpyxl import Workbook  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.platypus import Flowable, Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sinergi.programmes.models import Certificate, ProgrammeType
from sinergi.programmes.outcomes import Figure, Outcome, ProgrammeOutcomes

_BASE = ParagraphStyle("base", fontName="Helvetica", fontSize=11, leading=14)
_CENTER = ParagraphStyle("center", parent=_BASE, alignment=TA_CENTER)
_TITLE = ParagraphStyle("title", parent=_CENTER, fontName="Helvetica-Bold", fontSize=24, leading=30)
_NAME = ParagraphStyle("name", parent=_CENTER, fontName="Helvetica-Bold", fontSize=20, leading=26)
_SMALL = ParagraphStyle("small", parent=_BASE, fontSize=8, leading=10)


def verification_url(certificate: Certificate) -> str:
    return settings.SITE_URL + reverse("programmes:verify", args=[certificate.verification_token])


def qr_png(data: str, *, scale: int = 4) -> io.BytesIO:
    png = io.BytesIO()
    segno.make(data, error="m").save(png, kind="png", scale=scale, border=1)
    png.seek(0)
    return png


def qr_svg(data: str, *, scale: int = 4) -> str:
    """Inline SVG for a printed page (participant card)."""
    buffer = io.BytesIO()
    segno.make(data, error="m").save(buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True)
    return buffer.getvalue().decode()


def build_certificate(certificate: Certificate, *, compress: bool = True) -> bytes:
    enrolment = certificate.enrolment
    cohort = enrolment.cohort
    programme = cohort.programme
    url = verification_url(certificate)
    hours = sum(session.hours for session in cohort.sessions.all())
    period = " – ".join(format_date(day, "d MMMM y", locale="id") for day in (cohort.starts_on, cohort.ends_on))
    kind = _TYPE_ID.get(ProgrammeType(programme.programme_type), programme.programme_type)
    place = ", ".join(p for p in (cohort.place, cohort.region.name if cohort.region else "") if p)
    story: list[Flowable] = [
        Paragraph(escape(programme.agency.name.upper()), _CENTER),
        Spacer(1, 0.6 * cm),
        Paragraph("SERTIFIKAT", _TITLE),
        Paragraph(f"Nomor: {escape(certificate.number)}", _CENTER),
        Spacer(1, 0.8 * cm),
        Paragraph("diberikan kepada", _CENTER),
        Spacer(1, 0.3 * cm),
        Paragraph(escape(enrolment.person.full_name), _NAME),
        Spacer(1, 0.3 * cm),
        Paragraph(
            f"yang telah menyelesaikan <b>{escape(programme.name)}</b> "
            f"({escape(kind)}) angkatan {cohort.sequence}, "
            f"{escape(period)}{', ' + escape(place) if place else ''}, sebanyak {hours:g} jam pelajaran.",
            _CENTER,
        ),
        Spacer(1, 1.2 * cm),
    ]
    issued = format_date(certificate.issued_at.date(), "d MMMM y", locale="id")
    qr_cell = [
        Image(qr_png(url), width=2.6 * cm, height=2.6 * cm),
        Paragraph("Pindai untuk memeriksa keaslian.", _SMALL),
    ]
    sign_cell = [
        Paragraph(f"Diterbitkan {escape(issued)}", _BASE),
        Spacer(1, 1.4 * cm),
        Paragraph(f"Kepala {escape(programme.agency.name)}", _BASE),
    ]
    table = Table([[qr_cell, "", sign_cell]], colWidths=[6 * cm, None, 8 * cm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story.append(table)
    story.append(Spacer(1, 0.4 * cm))
    story.append(Paragraph(f"Keaslian: {escape(url)}", _SMALL))
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=f"Sertifikat {certificate.number}",
        author=programme.agency.name,
        creator="Sinergi",
        pageCompression=1 if compress else 0,
    ).build(story)
    return buffer.getvalue()


# Indonesian names of the programme types for documents (official text, not the UI catalogue).
_TYPE_ID = {
    ProgrammeType.ENTREPRENEURSHIP_WORKSHOP: "Pelatihan Kewirausahaan",
    ProgrammeType.VOCATIONAL_TRAINING: "Pelatihan Vokasional",
    ProgrammeType.BUSINESS_MENTORING: "Pendampingan Usaha",
    ProgrammeType.LICENSING_HELP: "Fasilitasi Perizinan dan Merek",
    ProgrammeType.MARKET_ACCESS: "Akses Pasar",
    ProgrammeType.VILLAGE_PROGRAMME: "Program Desa",
    ProgrammeType.SAFE_MIGRATION_COUNSELLING: "Penyuluhan Migrasi Aman",
}


# --- outcomes -------------------------------------------------------------------------------------------------

OUTCOME_COLUMNS = (
    "Program / angkatan",
    "Terdaftar",
    "Lulus",
    "Tingkat kelulusan (%)",
    "n kelulusan",
    "Usaha masih berjalan 6 bln (%)",
    "n 6 bln",
    "Usaha masih berjalan 12 bln (%)",
    "n 12 bln",
    "Median perubahan pendapatan rumah tangga per bulan (Rp)",
    "n pendapatan",
)
TOO_FEW = "terlalu sedikit"


def _cell(figure: Figure) -> float | str:
    return figure.value if figure.value is not None else TOO_FEW


def outcome_row(outcome: Outcome) -> list[object]:
    return [
        outcome.label,
        outcome.enrolled,
        outcome.completed,
        _cell(outcome.completion_rate),
        outcome.completion_rate.n,
        _cell(outcome.operating_6),
        outcome.operating_6.n,
        _cell(outcome.operating_12),
        outcome.operating_12.n,
        _cell(outcome.income_change),
        outcome.income_change.n,
    ]


def _rows(outcomes: ProgrammeOutcomes) -> list[list[object]]:
    return [outcome_row(outcomes.total)] + [outcome_row(outcome) for _cohort, outcome in outcomes.cohorts]


def outcomes_xlsx(outcomes: ProgrammeOutcomes, *, min_count: int) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Hasil"
    sheet.append(list(OUTCOME_COLUMNS))
    for row in _rows(outcomes):
        sheet.append(row)
    sheet.append([])
    sheet.append([f"'{TOO_FEW}': kurang dari {min_count} orang. n = jumlah orang yang menjadi dasar angka."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def outcomes_pdf(outcomes: ProgrammeOutcomes, *, min_count: int) -> bytes:
    header = [Paragraph(escape(c), _SMALL) for c in OUTCOME_COLUMNS]
    body = [[Paragraph(escape(str(v)), _SMALL) for v in row] for row in _rows(outcomes)]
    table = Table([header, *body], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, "#888888"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story: list[Flowable] = [
        Paragraph(f"<b>Hasil program: {escape(outcomes.programme.name)}</b>", _BASE),
        Spacer(1, 0.4 * cm),
        table,
        Spacer(1, 0.3 * cm),
        Paragraph(f"'{TOO_FEW}': kurang dari {min_count} orang. n = jumlah orang yang menjadi dasar angka.", _SMALL),
    ]
    buffer = io.BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=landscape(A4), title=f"Hasil {outcomes.programme.name}", creator="Sinergi"
    ).build(story)
    return buffer.getvalue()
