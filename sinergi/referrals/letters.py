"""The referral letter (surat rujukan) as a PDF, in the usual Indonesian letter form.

Letterhead of the sending agency, nomor/sifat/lampiran/perihal, date, addressee, the facts the joint SOP
shares (and nothing else), closing, signature block and a QR code to the public verification page.

The letter is an official document: its text is Bahasa Indonesia whatever language the user's screen is in
(UU 24/2009 Pasal 33), so the wording below is written in Indonesian, not looked up in the UI catalogue.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from xml.sax.saxutils import escape

import segno
from babel.dates import format_date
from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    HRFlowable,
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from sinergi.accounts.models import AgencyKind, User
from sinergi.accounts.roles import Role
from sinergi.audit.events import record_event
from sinergi.referrals.models import RECEIVER_SEES_CASE, Referral, ReferralStatus
from sinergi.registry.countries import country_name
from sinergi.sharing.consent import share_is_lawful
from sinergi.sop.models import SharedSection, SlaUnit

# The ministry line above the agency's name in the letterhead (kop surat), for the kinds we know.
PARENT_INSTITUTION = {
    AgencyKind.BP3MI: "KEMENTERIAN PELINDUNGAN PEKERJA MIGRAN INDONESIA",
    AgencyKind.SENTRA_KEMENSOS: "KEMENTERIAN SOSIAL REPUBLIK INDONESIA",
}
SEX = {"L": "Laki-laki", "P": "Perempuan"}
PHASE = {"SEBELUM": "Sebelum bekerja", "SELAMA": "Selama bekerja", "SETELAH": "Setelah bekerja"}
LAWFUL_BASIS = {
    "KEPENTINGAN_VITAL": "kepentingan vital (keselamatan jiwa)",
    "KEWAJIBAN_HUKUM": "pemenuhan kewajiban hukum",
    "TUGAS_PUBLIK": "pelaksanaan tugas publik",
}
CONSENT_SCOPE = {"RUJUKAN": "berbagi data untuk rujukan", "REHABILITASI": "rehabilitasi sosial"}
CONSENT_GIVER = {"SENDIRI": "yang bersangkutan", "ORANG_TUA": "orang tua", "WALI": "wali", "KELUARGA": "keluarga"}
RELATIONSHIP = {
    "PASANGAN": "Suami/istri",
    "AYAH": "Ayah",
    "IBU": "Ibu",
    "ANAK": "Anak",
    "SAUDARA": "Saudara kandung",
    "WALI": "Wali",
    "LAINNYA": "Kerabat",
}
UNIT = {SlaUnit.HOURS: "jam", SlaUnit.WORKING_DAYS: "hari kerja"}
NARRATIVE_LIMIT = 1500
LEFT, RIGHT = 2.5 * cm, 2 * cm  # page margins (left wider for binding)


def verification_url(referral: Referral) -> str:
    return settings.SITE_URL + reverse("verify_letter", args=[referral.verification_token])


def indonesian_date(day: date | datetime) -> str:
    """12 Mei 2026"""
    if isinstance(day, datetime):
        day = timezone.localtime(day).date()
    return format_date(day, format="d MMMM y", locale="id")


def place_of(referral: Referral) -> str:
    """The city in the date line: the sending agency's regency without "Kota"/"Kabupaten" (Palu by default)."""
    region = referral.from_agency.region
    name = region.name if region is not None else ""
    for prefix in ("Kota ", "Kabupaten ", "Kab. "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.title() or "Palu"


@dataclass
class Signer:
    name: str
    is_head: bool
    job_title: str


def signer_of(referral: Referral) -> Signer:
    """The sending agency's head (a supervisor) signs; without one, the person who sent the letter, a.n. the head."""
    sent = referral.events.filter(to_status=ReferralStatus.SENT).select_related("by").first()
    sender = sent.by if sent is not None else None
    if sender is not None and sender.has_role(Role.SUPERVISOR):
        return Signer(sender.display_name, True, sender.job_title)
    head = (
        User.objects.filter(agency_id=referral.from_agency_id, is_active=True, roles__role=Role.SUPERVISOR)
        .order_by("id")
        .first()
    )
    if head is not None:
        return Signer(head.display_name, True, head.job_title)
    person = sender or referral.created_by
    return Signer(person.display_name, False, person.job_title)


# --- the document ---------------------------------------------------------------------------------------------

_BASE = ParagraphStyle("base", fontName="Times-Roman", fontSize=11, leading=14)
STYLES = {
    "base": _BASE,
    "body": ParagraphStyle("body", parent=_BASE, alignment=TA_JUSTIFY, spaceAfter=5),
    "head_small": ParagraphStyle("head_small", parent=_BASE, fontName="Times-Bold", fontSize=11, alignment=TA_CENTER),
    "head_name": ParagraphStyle(
        "head_name", parent=_BASE, fontName="Times-Bold", fontSize=15, leading=19, alignment=TA_CENTER
    ),
    "head_address": ParagraphStyle("head_address", parent=_BASE, fontSize=9.5, leading=12, alignment=TA_CENTER),
    "section": ParagraphStyle("section", parent=_BASE, fontName="Times-Bold", spaceBefore=5, spaceAfter=1),
    "small": ParagraphStyle("small", parent=_BASE, fontSize=8.5, leading=10.5),
    "right": ParagraphStyle("right", parent=_BASE, alignment=TA_RIGHT),
}


def _p(text: str, style: str = "base") -> Paragraph:
    return Paragraph(text, STYLES[style])


def _t(value: object) -> str:
    """Escaped text for a Paragraph (its markup is XML-like); line breaks kept."""
    return escape(str(value or "-")).replace("\n", "<br/>")


def _facts(rows: list[tuple[str, str]]) -> Table:
    """Label : value rows, values already escaped."""
    data = [[_p(label), _p(":"), _p(value)] for label, value in rows]
    table = Table(data, colWidths=[4.6 * cm, 0.4 * cm, None], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return table


def _letterhead(referral: Referral) -> list[Flowable]:
    agency = referral.from_agency
    contact = " · ".join(
        part
        for part in (
            agency.address.replace("\n", ", "),
            f"Telepon {agency.phone}" if agency.phone else "",
            f"Surel {agency.email}" if agency.email else "",
        )
        if part
    )
    parts: list[Flowable] = []
    parent = PARENT_INSTITUTION.get(AgencyKind(agency.kind)) if agency.kind in AgencyKind.values else None
    if parent:
        parts.append(_p(escape(parent), "head_small"))
    parts.append(_p(escape(agency.name.upper()), "head_name"))
    if contact:
        parts.append(_p(escape(contact), "head_address"))
    parts += [
        Spacer(1, 4),
        HRFlowable(width="100%", thickness=2, color=colors.black, spaceAfter=1),
        HRFlowable(width="100%", thickness=0.6, color=colors.black, spaceAfter=6),
    ]
    return parts


def _shared_facts(referral: Referral) -> list[Flowable]:
    """Only the sections the referral shares (copied from the SOP route when it was sent)."""
    sections = set(referral.shared_sections)
    case = referral.case
    person = case.person
    story: list[Flowable] = []
    if SharedSection.IDENTITY in sections:
        born = ", ".join(
            part
            for part in (person.birth_place, indonesian_date(person.birth_date) if person.birth_date else "")
            if part
        )
        flags = [
            label
            for present, label in (
                (case.flag_child or person.is_minor, "anak (persetujuan orang tua/wali)"),
                (case.flag_disability or person.flag_disability, "penyandang disabilitas"),
                (case.flag_trafficking or person.flag_trafficking, "dugaan korban TPPO"),
            )
            if present
        ]
        rows = [
            ("Nama", _t(person.full_name)),
            ("Jenis kelamin", _t(SEX.get(person.sex, "-"))),
            ("Tempat/tanggal lahir", _t(born)),
            ("NIK", _t(person.nik)),
        ]
        if flags:
            rows.append(("Keterangan", _t(", ".join(flags))))
        story += [_p("Identitas", "section"), _facts(rows)]
        if case.flag_trafficking or person.flag_trafficking:
            story.append(
                _p(
                    "Identitas korban dan keluarganya wajib dirahasiakan (UU 21/2007 Pasal 44).",
                    "small",
                )
            )
    else:
        story.append(
            _p(
                "Identitas yang bersangkutan tidak disertakan dalam surat ini sesuai SOP bersama; "
                "nomor kasus di atas menjadi rujukan.",
                "body",
            )
        )
    if SharedSection.CONTACT in sections:
        region = ", ".join(r.name for r in person.region_path)
        address = ", ".join(part for part in (person.address_text, region) if part)
        phones = ", ".join(phone.number for phone in person.phones.all())
        story += [_p("Kontak", "section"), _facts([("Alamat", _t(address)), ("Telepon", _t(phones))])]
    if SharedSection.FAMILY in sections:
        family = [
            (RELATIONSHIP.get(link.relationship, "Kerabat"), _t(f"{link.name} {link.phone}".strip()))
            for link in person.family.all()
        ]
        if family:
            story += [_p("Keluarga", "section"), _facts(family)]
    if SharedSection.MIGRATION in sections:
        episodes = [
            (
                _t(country_name(episode.destination_country, "id")),
                _t(
                    " · ".join(
                        part
                        for part in (
                            episode.job,
                            episode.employer,
                            episode.placement_company,
                            " s.d. ".join(
                                indonesian_date(d) for d in (episode.departure_date, episode.return_date) if d
                            ),
                            "nonprosedural" if episode.procedural is False else "",
                        )
                        if part
                    )
                ),
            )
            for episode in person.episodes.all()
        ]
        if episodes:
            story += [_p("Riwayat bekerja di luar negeri", "section"), _facts(episodes)]
    if SharedSection.COMPLAINT in sections:
        narrative = case.narrative
        if len(narrative) > NARRATIVE_LIMIT:
            narrative = narrative[:NARRATIVE_LIMIT].rsplit(" ", 1)[0] + " …"
        rows = [
            ("Kategori pengaduan", _t(", ".join(c.name for c in case.categories.all()))),
            ("Fase", _t(PHASE.get(case.phase, "-"))),
        ]
        if case.destination_country:
            rows.append(("Negara penempatan", _t(country_name(case.destination_country, "id"))))
        rows.append(("Kronologi singkat", _t(narrative)))
        story += [_p("Pengaduan", "section"), _facts(rows)]
    if SharedSection.ASSESSMENTS in sections:
        assessment = case.assessments.filter(agency_id=referral.from_agency_id).order_by("-at", "-id").first()
        if assessment is not None:
            story += [
                _p("Hasil asesmen", "section"),
                _facts(
                    [
                        ("Tanggal", _t(indonesian_date(assessment.at))),
                        ("Temuan", _t(assessment.summary)),
                        ("Kebutuhan", _t(assessment.needs)),
                    ]
                ),
            ]
    return story


def _consent_line(referral: Referral) -> str:
    if referral.consent is not None:
        consent = referral.consent
        return (
            f"Persetujuan ({CONSENT_SCOPE.get(consent.scope, consent.scope)}) telah diberikan oleh "
            f"{CONSENT_GIVER.get(consent.given_by, '-')} pada {indonesian_date(consent.given_at)}."
        )
    if referral.override_basis:
        return (
            "Rujukan ini dikirim tanpa persetujuan atas dasar "
            f"{LAWFUL_BASIS.get(referral.override_basis, referral.override_basis)} (UU 27/2022), "
            "dengan keputusan pimpinan."
        )
    return ""


def _sla_line(referral: Referral) -> str:
    route = referral.sop_route
    if route is None:
        return ""
    return (
        f"Sesuai {route.sop.title} versi {route.sop.version}, mohon penerimaan rujukan ini dikonfirmasi dalam "
        f"{route.ack_within} {UNIT.get(SlaUnit(route.ack_unit), '')} dan diputuskan (diterima atau ditolak "
        f"beserta alasannya) dalam {route.accept_within} {UNIT.get(SlaUnit(route.accept_unit), '')} melalui Sinergi."
    )


def _signature(referral: Referral, url: str) -> Table:
    signer = signer_of(referral)
    qr = segno.make(url, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=4, border=1)
    png.seek(0)
    qr_cell = [
        Image(png, width=2.2 * cm, height=2.2 * cm, hAlign="LEFT"),
        _p("Pindai untuk memeriksa keaslian surat ini.", "small"),
    ]
    agency = escape(referral.from_agency.name)
    if signer.is_head:
        heading = f"Kepala {agency},"
    else:
        heading = f"a.n. Kepala {agency}<br/>{escape(signer.job_title or 'Petugas')},"
    sign_cell = [
        _p(heading),
        Spacer(1, 1.2 * cm),
        _p(f"<u><b>{escape(signer.name)}</b></u>"),
        _p("NIP. ................................"),
    ]
    table = Table([[qr_cell, sign_cell]], colWidths=[7.5 * cm, None])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def build_referral_letter(referral: Referral, *, compress: bool = True) -> bytes:
    """The letter of a sent referral as PDF bytes (`compress=False` keeps the page text readable for tests)."""
    if referral.status == ReferralStatus.DRAFT or not referral.letter_number or not referral.verification_token:
        raise ValueError("A draft referral has no letter.")
    assert referral.sent_at is not None
    url = verification_url(referral)
    case = referral.case
    subject = f"Rujukan {referral.service.name}"
    attachments = list(case.attachments.all()) if SharedSection.ATTACHMENTS in referral.shared_sections else []
    story: list[Flowable] = _letterhead(referral)
    # Nomor, sifat, lampiran, perihal on the left; place and date on the right of the first row.
    dated = _p(f"{escape(place_of(referral))}, {indonesian_date(referral.sent_at)}", "right")
    heading = [
        ("Nomor", _t(referral.letter_number)),
        ("Sifat", "Rahasia"),
        ("Lampiran", _t(f"{len(attachments)} berkas" if attachments else "-")),
        ("Perihal", f"<b>{_t(subject)}</b>"),
    ]
    rows = [[_p(label), _p(":"), _p(value), dated if i == 0 else ""] for i, (label, value) in enumerate(heading)]
    story.append(
        Table(
            rows,
            colWidths=[2.2 * cm, 0.4 * cm, None, 5.2 * cm],
            hAlign="LEFT",
            style=[
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0.5),
            ],
        )
    )
    story += [
        Spacer(1, 6),
        _p(f"Kepada Yth.<br/>Kepala {escape(referral.to_agency.name)}<br/>di<br/>&nbsp;&nbsp;&nbsp;&nbsp;Tempat"),
        Spacer(1, 6),
        _p("Dengan hormat,", "body"),
        _p(
            "Sehubungan dengan penanganan pengaduan Pekerja Migran Indonesia (PMI) nomor kasus "
            f"<b>{_t(case.number)}</b>, bersama ini kami merujuk yang bersangkutan kepada Saudara untuk "
            f"mendapatkan layanan <b>{_t(referral.service.name)}</b>, dengan keterangan sebagai berikut:",
            "body",
        ),
    ]
    story += _shared_facts(referral)
    story += [_p("Alasan rujukan", "section"), _p(_t(referral.reason), "body")]
    if attachments:
        story += [
            _p("Lampiran", "section"),
            _p("<br/>".join(f"{i}. {_t(a.original_name)}" for i, a in enumerate(attachments, 1)), "body"),
        ]
    notes = " ".join(line for line in (_consent_line(referral), _sla_line(referral)) if line)
    if notes:
        story.append(_p(escape(notes), "body"))
    # The closing never leaves the signature alone on a page.
    closing = _p(
        "Demikian surat rujukan ini kami sampaikan. Atas perhatian dan kerja sama Saudara, kami ucapkan terima kasih.",
        "body",
    )
    story.append(KeepTogether([closing, Spacer(1, 4), _signature(referral, url)]))

    def footer(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7.5)
        canvas.setFillColor(colors.HexColor("#444444"))
        canvas.drawString(LEFT, 1.2 * cm, "RAHASIA - memuat data pribadi yang dilindungi (UU 27/2022).")
        canvas.drawString(LEFT, 0.85 * cm, f"Keaslian surat: {url}")
        canvas.drawRightString(A4[0] - RIGHT, 1.2 * cm, f"Halaman {doc.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT,
        rightMargin=RIGHT,
        topMargin=1.0 * cm,
        bottomMargin=1.9 * cm,
        title=f"Surat Rujukan {referral.letter_number}",
        author=referral.from_agency.name,
        subject=subject,
        creator="Sinergi",
        pageCompression=1 if compress else 0,
    )
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def letter_for_user(user: User, referral: Referral) -> bytes:
    """The letter for a user of the sending agency, or of the receiving one while it sees the case; else 404.

    The download is an access to personal data, so it is written to the audit trail.
    """
    is_sender = user.agency_id == referral.from_agency_id
    is_receiver_while_open = (
        user.agency_id == referral.to_agency_id and referral.status in RECEIVER_SEES_CASE and share_is_lawful(referral)
    )
    if referral.status == ReferralStatus.DRAFT or not (is_sender or is_receiver_while_open):
        raise Http404
    content = build_referral_letter(referral)
    record_event(
        actor=user,
        action="referral.letter_downloaded",
        obj=referral,
        summary=referral.letter_number,
    )
    return content
