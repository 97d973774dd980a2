"""The special-assistance list in the template Kemensos receives (columns and formats: docs/special-assistance.md).

The file is an official list in Indonesian whatever the interface language, so its headers and labels are
fixed Indonesian text here, not translations. Every text cell goes through `escape_cell` (a name such as
`=HYPERLINK(...)` must not run in a spreadsheet), NIKs and region codes are written as text (Excel turns a
16-digit number into 7.27105E+15), dates as DD-MM-YYYY text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Final

from django.utils import timezone
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]
from openpyxl.styles import Font  # type: ignore[import-untyped]

from sinergi.assistance.models import AssistanceEntry, AssistanceNeed, AssistanceStatus
from sinergi.assistance.selectors import EntryRow
from sinergi.cases.models import ConsentGiver, ConsentMethod
from sinergi.linkage.export import escape_cell
from sinergi.referrals.models import LawfulBasis
from sinergi.registry.countries import country_name
from sinergi.registry.models import Sex

TEMPLATE_VERSION: Final = "1"

COLUMNS: Final = (
    "No",
    "NIK",
    "Nama Lengkap",
    "Jenis Kelamin",
    "Tempat Lahir",
    "Tanggal Lahir (DD-MM-YYYY)",
    "Alamat",
    "Kode Wilayah",
    "Desa/Kelurahan",
    "Kecamatan",
    "Kabupaten/Kota",
    "Provinsi",
    "Negara Penempatan",
    "Jenis Masalah",
    "Kebutuhan Asistensi",
    "Keterangan",
    "Nomor Kasus",
    "Diusulkan Oleh",
    "Tanggal Usulan (DD-MM-YYYY)",
    "Disetujui (Instansi, Tanggal)",
    "Status",
    "Dasar Berbagi Data",
    "ID Usulan",
)
# Columns a spreadsheet must keep as text: identifiers and codes (digits that are not numbers), dates as written.
TEXT_COLUMNS: Final = frozenset(
    {"NIK", "Kode Wilayah", "Tanggal Lahir (DD-MM-YYYY)", "Tanggal Usulan (DD-MM-YYYY)", "Nomor Kasus"}
)
COLUMN_WIDTHS: Final = {"No": 5, "NIK": 19, "Nama Lengkap": 28, "Alamat": 32, "Jenis Masalah": 30}
LIST_SEPARATOR: Final = "; "

SEX_NAMES: Final = {Sex.MALE: "Laki-laki", Sex.FEMALE: "Perempuan"}
STATUS_NAMES: Final = {
    AssistanceStatus.PROPOSED: "Diusulkan",
    AssistanceStatus.AGREED: "Disetujui",
    AssistanceStatus.WITHDRAWN: "Ditarik",
}
NEED_NAMES: Final = {
    AssistanceNeed.PSYCHOSOCIAL: "Rehabilitasi psikososial",
    AssistanceNeed.HEALTH: "Layanan kesehatan",
    AssistanceNeed.LEGAL_AID: "Bantuan hukum",
    AssistanceNeed.ECONOMIC: "Pemberdayaan ekonomi / pendampingan usaha",
    AssistanceNeed.TRAINING: "Pelatihan vokasional",
    AssistanceNeed.SHELTER: "Tempat tinggal sementara",
    AssistanceNeed.FAMILY: "Reintegrasi keluarga",
    AssistanceNeed.RETURN_HOME: "Pemulangan ke daerah asal",
    AssistanceNeed.BASIC_NEEDS: "Pemenuhan kebutuhan dasar",
    AssistanceNeed.DOCUMENTS: "Dokumen kependudukan",
}
GIVER_NAMES: Final = {
    ConsentGiver.SELF: "yang bersangkutan",
    ConsentGiver.PARENT: "orang tua",
    ConsentGiver.GUARDIAN: "wali",
    ConsentGiver.FAMILY: "anggota keluarga",
}
METHOD_NAMES: Final = {
    ConsentMethod.WRITTEN: "formulir bertanda tangan",
    ConsentMethod.VERBAL: "lisan, disaksikan",
    ConsentMethod.DIGITAL: "digital",
}
BASIS_NAMES: Final = {
    LawfulBasis.VITAL_INTEREST: "Kepentingan vital (tanpa persetujuan)",
    LawfulBasis.LEGAL_OBLIGATION: "Kewajiban hukum (tanpa persetujuan)",
    LawfulBasis.PUBLIC_TASK: "Tugas publik (tanpa persetujuan)",
}

CONTENT_TYPES: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes
    count: int


def _day(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%d-%m-%Y")


def _agreed(entry: AssistanceEntry) -> str:
    parts = []
    if entry.proposer_agreed_at is not None:
        parts.append(f"{entry.proposing_agency.name}, {_day(entry.proposer_agreed_at)}")
    if entry.partner_agreed_at is not None:
        parts.append(f"{entry.partner_agency.name}, {_day(entry.partner_agreed_at)}")
    return LIST_SEPARATOR.join(parts)


def _sharing_basis(entry: AssistanceEntry) -> str:
    if entry.override_basis:
        return BASIS_NAMES.get(LawfulBasis(entry.override_basis), entry.override_basis)
    consent = entry.consent
    if consent is None:
        return ""
    giver = GIVER_NAMES.get(ConsentGiver(consent.given_by), consent.given_by)
    method = METHOD_NAMES.get(ConsentMethod(consent.method), consent.method)
    return f"Persetujuan {giver} ({method}), {_day(consent.given_at)}"


def row_values(number: int, row: EntryRow) -> list[str | int]:
    """One line of the template, in COLUMNS order, before escaping."""
    entry, person = row.entry, row.person
    identity: list[str] = [""] * 12
    if person is not None:
        identity = [
            person.nik,
            person.full_name,
            SEX_NAMES.get(Sex(person.sex), "") if person.sex in Sex.values else "",
            person.birth_place,
            _day(person.birth_date),
            person.address,
            person.region_code,
            person.village,
            person.district,
            person.regency,
            person.province,
            country_name(person.destination_country, "id") if person.destination_country else "",
        ]
    needs = [NEED_NAMES[AssistanceNeed(code)] for code in entry.needs if code in AssistanceNeed.values]
    return [
        number,
        *identity,
        LIST_SEPARATOR.join(row.categories),
        LIST_SEPARATOR.join(needs),
        entry.note,
        entry.case.number,
        entry.proposing_agency.name,
        _day(entry.proposed_at),
        _agreed(entry),
        STATUS_NAMES.get(AssistanceStatus(entry.status), entry.status),
        _sharing_basis(entry),
        str(entry.pk),
    ]


def _cell(value: str | int) -> str | int:
    """Control characters are not allowed in XLSX and mean nothing in a name or a note: both formats drop them.
    Line breaks become "\n" in both (XML reads a lone "\r" as "\n" anyway)."""
    if not isinstance(value, str):
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))
    return escape_cell(text)


def table(rows: Sequence[EntryRow]) -> list[list[str | int]]:
    """The header and one escaped line per entry: what both file formats contain."""
    return [list(COLUMNS), *([_cell(v) for v in row_values(n, row)] for n, row in enumerate(rows, start=1))]


def write_csv(rows: Sequence[EntryRow]) -> bytes:
    """UTF-8 with a byte-order mark (Excel then reads the accents right), `;` between fields (what Excel in an
    Indonesian locale expects, where the comma is the decimal separator), every field quoted, CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerows(table(rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(rows: Sequence[EntryRow], *, today: date) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Daftar Asistensi Khusus"
    workbook.properties.title = "Daftar PMI bermasalah yang memerlukan asistensi sosial khusus"
    workbook.properties.subject = f"Templat v{TEMPLATE_VERSION}, {_day(today)}"
    text_columns = {index for index, name in enumerate(COLUMNS, start=1) if name in TEXT_COLUMNS}
    for values in table(rows):
        sheet.append(values)
    for index, name in enumerate(COLUMNS, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = COLUMN_WIDTHS.get(name, 18)
        sheet.cell(row=1, column=index).font = Font(bold=True)
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            if cell.column in text_columns:
                # Text format keeps an edited NIK a NIK; the value itself is already a string.
                cell.number_format = "@"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def export_file(rows: Sequence[EntryRow], file_format: str, *, today: date) -> ExportFile:
    name = f"daftar-asistensi-khusus-{today:%Y-%m-%d}.{file_format}"
    content = write_xlsx(rows, today=today) if file_format == "xlsx" else write_csv(rows)
    return ExportFile(filename=name, content_type=CONTENT_TYPES[file_format], content=content, count=len(rows))
