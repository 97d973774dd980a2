"""The export in the Kemensos template: headers, NIKs as text, formula injection, only agreed entries, audit."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from sinergi.assistance import services
from sinergi.assistance.export import COLUMNS, table
from sinergi.assistance.models import AssistanceStatus
from sinergi.assistance.selectors import EntryFilter, EntryRow, PersonFacts, list_entries
from sinergi.assistance.tests.conftest import SITI_NIK, agreed_entry, assessed_case, propose
from sinergi.audit.models import AuditEvent
from sinergi.linkage.export import FORMULA_STARTS

FORMULA_NAME = '=HYPERLINK("http://contoh.invalid/x","Klik")'


def xlsx_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def csv_rows(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=";"))


def column(rows: list[list[object]], name: str) -> list[object]:
    index = COLUMNS.index(name)
    return [row[index] for row in rows[1:]]


@pytest.fixture
def on_list(alice, sari, yusuf, siti_case):
    return agreed_entry(alice, sari, yusuf, siti_case)


def test_the_xlsx_follows_the_template(alice, on_list):
    exported = services.export_list(actor=alice, flt=EntryFilter(), file_format="xlsx")

    assert exported.filename.startswith("daftar-asistensi-khusus-") and exported.filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(exported.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == list(COLUMNS)
    assert len(rows) == 2
    line = dict(zip(COLUMNS, rows[1], strict=True))
    assert line["No"] == 1
    assert line["NIK"] == SITI_NIK
    assert line["Nama Lengkap"] == "Siti Aminah"
    assert line["Jenis Kelamin"] == "Perempuan"
    assert (line["Tempat Lahir"], line["Tanggal Lahir (DD-MM-YYYY)"]) == ("Palu", "12-10-1990")
    assert (line["Kode Wilayah"], line["Desa/Kelurahan"], line["Kecamatan"]) == ("72.71.05.1001", "Buluri", "Ulujadi")
    assert (line["Kabupaten/Kota"], line["Provinsi"]) == ("Kota Palu", "Sulawesi Tengah")
    assert line["Negara Penempatan"] == "Hong Kong DAK Tiongkok"
    assert line["Jenis Masalah"] == "Kekerasan fisik/psikis"
    assert line["Kebutuhan Asistensi"] == "Rehabilitasi psikososial; Pemberdayaan ekonomi / pendampingan usaha"
    assert line["Nomor Kasus"] == on_list.case.number
    assert line["Diusulkan Oleh"] == "BP3MI Sulawesi Tengah"
    assert line["Disetujui (Instansi, Tanggal)"].startswith("BP3MI Sulawesi Tengah, ")
    assert "; Sentra Nipotowe Palu, " in line["Disetujui (Instansi, Tanggal)"]
    assert line["Status"] == "Disetujui"
    assert line["Dasar Berbagi Data"].startswith("Persetujuan yang bersangkutan (formulir bertanda tangan), ")
    assert line["ID Usulan"] == str(on_list.pk)
    # The NIK is a text cell (never a number Excel shortens to 7.27106E+15), formatted as text for later edits.
    nik_cell = sheet.cell(row=2, column=COLUMNS.index("NIK") + 1)
    assert nik_cell.data_type == "s" and nik_cell.number_format == "@"


def test_the_csv_is_utf8_with_bom_and_semicolons(alice, on_list):
    exported = services.export_list(actor=alice, flt=EntryFilter(), file_format="csv")

    assert exported.content_type == "text/csv; charset=utf-8"
    assert exported.content.startswith(b'\xef\xbb\xbf"No";"NIK";"Nama Lengkap";')
    rows = csv_rows(exported.content)
    assert rows[0] == list(COLUMNS)
    assert column(rows, "NIK") == [SITI_NIK]
    assert exported.content.count(b"\r\n") == 2


def test_formula_looking_values_are_escaped_in_both_formats(alice, sari, yusuf, sentra):
    case = assessed_case(alice, full_name=FORMULA_NAME, nik="", address_text="@SUM(A1:A9)")
    entry = propose(alice, case, sentra, note="-2+3 cmd|' /C calc'!A0")
    services.agree_entry(actor=sari, entry_id=entry.pk)
    services.agree_entry(actor=yusuf, entry_id=entry.pk)

    xlsx = services.export_list(actor=alice, flt=EntryFilter(), file_format="xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    name_cell = sheet.cell(row=2, column=COLUMNS.index("Nama Lengkap") + 1)
    assert name_cell.value == "'" + FORMULA_NAME
    assert name_cell.data_type == "s"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    rows = csv_rows(services.export_list(actor=alice, flt=EntryFilter(), file_format="csv").content)
    assert column(rows, "Nama Lengkap") == ["'" + FORMULA_NAME]
    assert column(rows, "Alamat") == ["'@SUM(A1:A9)"]
    assert column(rows, "Keterangan") == ["'-2+3 cmd|' /C calc'!A0"]


def test_only_agreed_entries_unless_another_status_is_chosen(alice, sentra, on_list):
    proposed = propose(alice, assessed_case(alice, full_name="Rina", nik="", episode=""), sentra)

    default = xlsx_rows(services.export_list(actor=alice, flt=EntryFilter(), file_format="xlsx").content)
    assert column(default, "ID Usulan") == [str(on_list.pk)]
    chosen = xlsx_rows(
        services.export_list(actor=alice, flt=EntryFilter(status=AssistanceStatus.PROPOSED), file_format="xlsx").content
    )
    assert column(chosen, "ID Usulan") == [str(proposed.pk)]
    assert column(chosen, "Status") == ["Diusulkan"]


def test_the_partner_exports_a_withdrawn_entry_without_the_person(alice, yusuf, on_list):
    services.withdraw_entry(actor=alice, entry_id=on_list.pk, reason="Salah data.")

    rows = xlsx_rows(
        services.export_list(
            actor=yusuf, flt=EntryFilter(status=AssistanceStatus.WITHDRAWN), file_format="xlsx"
        ).content
    )
    line = dict(zip(COLUMNS, rows[1], strict=True))
    assert line["Status"] == "Ditarik"
    assert all(line[name] is None for name in ("NIK", "Nama Lengkap", "Tanggal Lahir (DD-MM-YYYY)", "Alamat"))


def test_exports_are_audited(bob, vera, on_list):
    services.export_list(actor=bob, flt=EntryFilter(), file_format="csv")
    services.export_list(actor=vera, flt=EntryFilter(), file_format="xlsx")

    events = AuditEvent.objects.filter(action="assistance.exported").order_by("id")
    assert [(e.actor.username, e.detail["format"], e.detail["count"], e.detail["entries"]) for e in events] == [
        ("bob", "csv", 1, [on_list.pk]),
        ("vera", "xlsx", 1, [on_list.pk]),
    ]
    assert events[0].detail["filters"]["status"] == AssistanceStatus.AGREED


def test_an_uninvolved_agency_exports_an_empty_list(dave, on_list):
    rows = xlsx_rows(services.export_list(actor=dave, flt=EntryFilter(), file_format="xlsx").content)

    assert rows == [list(COLUMNS)]


def test_an_unknown_format_names_the_formats(alice):
    from sinergi.registry.services import InvalidData

    with pytest.raises(InvalidData) as refused:
        services.export_list(actor=alice, flt=EntryFilter(), file_format="pdf")
    assert "csv" in refused.value.errors["format"][0]


# --- any text survives, none runs -----------------------------------------------------------------------------


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=60), note=st.text(max_size=120))
def test_any_text_is_written_as_inert_text(alice, on_list, name, note):
    (row,) = list_entries(alice, EntryFilter())
    assert row.person is not None
    person = PersonFacts(**{**row.person.__dict__, "full_name": name, "address": note})
    changed = EntryRow(entry=row.entry, person=person, categories=row.categories)
    expected = table([changed])

    from sinergi.assistance.export import write_csv, write_xlsx

    from_csv = csv_rows(write_csv([changed]))
    from_xlsx = xlsx_rows(write_xlsx([changed], today=on_list.agreed_at.date()))
    assert from_csv == [[str(value) for value in line] for line in expected]
    assert [[("" if v is None else v) for v in line] for line in from_xlsx][1][1:] == expected[1][1:]
    for value in (*from_csv[1], *from_xlsx[1]):
        assert not (isinstance(value, str) and value.startswith(FORMULA_STARTS))
