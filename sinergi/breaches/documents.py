"""The notification documents of UU 27/2022 Pasal 46, in Indonesian whatever the user's language:

- the written notice to the authority (lembaga PDP), a PDF with what Pasal 46 ayat (2) asks — which personal
  data was exposed, when and how, and what is done to handle and recover from it — and never a person's name or
  NIK (free text is scrubbed of NIK-like numbers and of the names of the registry persons recorded as affected);
- a short plain-language letter template to the data subjects, with blanks for the name and the address.
"""

from __future__ import annotations

import io
import re
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from sinergi.breaches.clock import WITA
from sinergi.breaches.models import SPECIFIC_CATEGORIES, Breach, DataCategory

# 16 digits, possibly grouped by spaces, dots or dashes (how NIKs are typed in free text).
_NIK_LIKE = re.compile(r"(?<!\d)\d(?:[ .-]?\d){15}(?!\d)")
MASK_NIK = "[NIK disamarkan]"
MASK_NAME = "[nama disamarkan]"


def scrub(text: str, names: list[str]) -> str:
    """`text` without NIK-like numbers and without the given names (whole words, any case)."""
    cleaned = _NIK_LIKE.sub(MASK_NIK, text)
    for name in sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True):
        cleaned = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", MASK_NAME, cleaned, flags=re.IGNORECASE)
    return cleaned


def _when(moment: Any) -> str:
    return f"{moment.astimezone(WITA):%d-%m-%Y %H:%M} WITA" if moment else "belum diketahui"


def _categories(breach: Breach) -> list[str]:
    with translation.override("id"):
        labels = dict(DataCategory.choices)
        return [
            str(labels.get(code, code)) + (" (data pribadi spesifik)" if code in SPECIFIC_CATEGORIES else "")
            for code in breach.data_categories
        ]


def authority_notice(breach: Breach) -> list[tuple[str, str]]:
    """The notice's sections (title, text), as the page previews and the PDF prints them."""
    names = list(breach.affected_persons.values_list("full_name", flat=True))
    agency = breach.agency
    contact = ", ".join(part for part in (agency.address, agency.phone, agency.email) if part) or "-"
    count = f"sekitar {breach.persons_affected} orang" if breach.persons_affected else "sedang dihitung"
    partner = (
        f" Data yang terlibat termasuk data yang dibagikan oleh/kepada {breach.partner_agency.name}."
        if breach.partner_agency is not None
        else ""
    )
    return [
        ("Pengendali data pribadi", f"{agency.name}. Kontak: {contact}."),
        ("Nomor register", f"{breach.reference} (status: {_status_id(breach)})."),
        (
            "a. Data pribadi yang terungkap",
            ("; ".join(_categories(breach)) or "sedang dinilai")
            + f". Jumlah subjek data terdampak: {count}."
            + partner,
        ),
        (
            "b. Kapan dan bagaimana data pribadi terungkap",
            f"Terjadi: {_when(breach.occurred_at)}. Diketahui: {_when(breach.discovered_at)}. "
            f"Kejadian: {_sentence(scrub(breach.description, names), '-')}. "
            f"Cara diketahui: {_sentence(scrub(breach.how_found, names), '-')}. "
            f"Penyebab: {_sentence(scrub(breach.cause, names), 'sedang diselidiki')}.",
        ),
        (
            "c. Upaya penanganan dan pemulihan",
            f"Penanganan: {_sentence(scrub(breach.containment, names), 'sedang dilakukan')}. "
            f"Pemulihan: {_sentence(scrub(breach.recovery, names), 'sedang direncanakan')}.",
        ),
        (
            "Batas waktu pemberitahuan",
            f"3 × 24 jam sejak diketahui: {_when(breach.notify_by)} (jam kalender, termasuk hari libur). "
            f"Pemberitahuan kepada subjek data: "
            f"{_notice(breach.subjects_notified_at, breach.subjects_notified_how)}. "
            f"Pemberitahuan kepada lembaga: {_notice(breach.authority_notified_at, breach.authority_notified_how)}.",
        ),
    ]


def _sentence(text: str, fallback: str) -> str:
    return text.strip().rstrip(".").strip() or fallback


def _status_id(breach: Breach) -> str:
    with translation.override("id"):
        return str(breach.get_status_display()).lower()


def _notice(moment: Any, how: str) -> str:
    return f"{_when(moment)} ({how})" if moment else "belum"


def subject_letter(breach: Breach) -> list[str]:
    """A plain-language letter to each affected person; [bracketed] parts are filled in per letter."""
    agency = breach.agency
    names = list(breach.affected_persons.values_list("full_name", flat=True))
    contact = " / ".join(part for part in (agency.phone, agency.email) if part) or "[kontak petugas]"
    categories = ", ".join(_categories(breach)).replace(" (data pribadi spesifik)", "") or "[jenis data]"
    return [
        "Kepada Yth. [Nama], [alamat]",
        "Perihal: Pemberitahuan kegagalan pelindungan data pribadi",
        f"Kami, {agency.name}, memberitahukan bahwa pada {_when(breach.discovered_at)} kami mengetahui "
        f"ada data pribadi Bapak/Ibu yang mungkin dilihat atau diambil oleh pihak yang tidak berhak. "
        f"Data yang terlibat: {categories}.",
        f"Yang sudah kami lakukan: {scrub(breach.containment, names) or '[upaya penanganan]'} "
        f"{scrub(breach.recovery, names)}".strip(),
        "Yang dapat Bapak/Ibu lakukan: waspadai telepon, pesan, atau orang yang mengaku dari instansi kami dan "
        "meminta uang atau data; jangan berikan kode atau kata sandi kepada siapa pun.",
        f"Jika ada pertanyaan, hubungi kami di {contact} dengan menyebut nomor {breach.reference}. "
        "Pemberitahuan ini disampaikan sesuai Pasal 46 UU Nomor 27 Tahun 2022 tentang Pelindungan Data Pribadi.",
        f"[Tempat], [tanggal]. {agency.name}, [nama dan jabatan kepala].",
    ]


def notification_report_pdf(breach: Breach, *, compress: bool = True) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=f"Pemberitahuan {breach.reference}",
        author=breach.agency.name,
        creator="Sinergi",
        leftMargin=2 * cm,
        rightMargin=2 * cm,
        pageCompression=1 if compress else 0,
    )
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    story: list[Any] = [
        Paragraph("Pemberitahuan Kegagalan Pelindungan Data Pribadi", styles["Title"]),
        Paragraph(
            escape(
                "Kepada: Lembaga Pelindungan Data Pribadi. Pemberitahuan tertulis menurut Pasal 46 ayat (1) dan (2) "
                f"UU Nomor 27 Tahun 2022. Dibuat {_when(timezone.now())}."
            ),
            body,
        ),
        Spacer(1, 0.4 * cm),
    ]
    rows = [[Paragraph(escape(title), body), Paragraph(escape(text), body)] for title, text in authority_notice(breach)]
    table = Table(rows, colWidths=[5.5 * cm, 11.5 * cm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, "#999999"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [
        table,
        Spacer(1, 0.4 * cm),
        Paragraph(
            escape(
                "Nama dan NIK subjek data tidak dicantumkan dalam pemberitahuan ini; daftarnya tersimpan pada "
                "pengendali dan dapat diperiksa oleh lembaga bila diminta."
            ),
            body,
        ),
        Spacer(1, 1.2 * cm),
        Paragraph(escape(f"{breach.agency.name}, [nama dan jabatan kepala], [tanda tangan]"), body),
        PageBreak(),
        Paragraph("Lampiran: templat surat kepada subjek data", styles["Heading2"]),
    ]
    story += [Paragraph(escape(paragraph), body) for paragraph in subject_letter(breach)]
    doc.build(story)
    return out.getvalue()
