"""The data-subject access export as a PDF (reportlab): one titled table per section, every field shown."""

from __future__ import annotations

import io
import json
from typing import Any
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sinergi.privacy.subject_access import SECTIONS

_MAX_CELL = 4000  # characters per value in the PDF; the JSON export carries every value whole


def _cell(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if len(text) > _MAX_CELL:
        text = text[:_MAX_CELL] + " … (lihat ekspor JSON)"
    return escape(text)


def subject_access_pdf(export: dict[str, Any]) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title="Data pribadi", leftMargin=1.5 * cm, rightMargin=1.5 * cm)
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    story: list[Any] = [
        Paragraph(escape(_("Copy of personal data")), styles["Title"]),
        Paragraph(
            escape(
                f"Pengendali data: {export['controller']}. Dibuat {export['generated_at']}. "
                "Berisi semua data yang disimpan instansi ini tentang orang ini (UU 27/2022 tentang Pelindungan "
                "Data Pribadi); data instansi lain dimintakan kepada instansi tersebut."
            ),
            small,
        ),
    ]
    titles = [(section.key, str(section.title)) for section in SECTIONS] + [("access_log", _("Access log"))]
    for key, title in titles:
        rows = export.get(key, [])
        story += [Spacer(1, 0.4 * cm), Paragraph(f"{escape(title)} ({len(rows)})", styles["Heading3"])]
        if not rows:
            story.append(Paragraph("Tidak ada.", small))
        for row in rows:
            table = Table(
                [[Paragraph(escape(str(name)), small), Paragraph(_cell(value), small)] for name, value in row.items()],
                colWidths=[4.5 * cm, 13.5 * cm],
            )
            table.setStyle(
                TableStyle([("GRID", (0, 0), (-1, -1), 0.3, "#999999"), ("VALIGN", (0, 0), (-1, -1), "TOP")])
            )
            story += [table, Spacer(1, 0.2 * cm)]
    doc.build(story)
    return out.getvalue()
