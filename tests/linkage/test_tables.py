"""Readers: each bad-input case from the issue gets a clear error or a documented, safe handling."""

from __future__ import annotations

import codecs
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from sinergi.linkage.issues import LinkageError, LinkageErrorCode
from sinergi.linkage.prepare import prepare_records
from sinergi.linkage.records import read_records
from sinergi.linkage.tables import TableLimits, open_table
from sinergi.testing import files

TODAY = date(2026, 6, 1)
MAPPING = {"full_name": "Nama", "nik": "NIK", "birth_date": "Tgl Lahir"}


def rows_of(path: Path) -> list[tuple[object, ...]]:
    return [row.cells for row in open_table(path).rows()]


def test_it_reads_latin1_text(tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes("Nama,NIK\nJosé Araújo,7271055210900001\n".encode("latin-1"))

    table = open_table(path)

    assert table.encoding == "cp1252"
    assert [row.cells for row in table.rows()] == [("José Araújo", "7271055210900001")]


def test_it_drops_the_utf8_byte_order_mark_from_the_first_header(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 + b"Nama,NIK\nSiti,1\n")

    table = open_table(path)

    assert table.columns == ("Nama", "NIK")
    assert table.encoding == "utf-8-sig"


def test_it_reads_utf16_exports(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_text("Nama\tNIK\nSiti\t1\n", encoding="utf-16")

    table = open_table(path)

    assert (table.columns, table.delimiter) == (("Nama", "NIK"), "\t")


def test_it_finds_the_semicolon_separator_of_indonesian_excel(tmp_path: Path) -> None:
    path = tmp_path / "semicolon.csv"
    path.write_text("Nama;NIK;Alamat\nSiti Aminah;7271055210900001;Jl. Kartini, RT 2\n", encoding="utf-8")

    table = open_table(path)

    assert table.delimiter == ";"
    assert rows_of(path) == [("Siti Aminah", "7271055210900001", "Jl. Kartini, RT 2")]


def test_it_skips_blank_rows_and_keeps_file_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("Nama,NIK\n\n,\nSiti,1\n , \nBudi,2\n", encoding="utf-8")

    numbers = [row.number for row in open_table(path).rows()]

    assert numbers == [4, 6]


def test_it_refuses_duplicate_column_names_and_names_them(tmp_path: Path) -> None:
    path = tmp_path / "dupes.csv"
    path.write_text("Nama,NIK,nama,Alamat\nSiti,1,Siti,x\n", encoding="utf-8")

    with pytest.raises(LinkageError) as raised:
        open_table(path)

    issue = raised.value.issue
    assert issue.code is LinkageErrorCode.DUPLICATE_COLUMNS
    assert "'Nama'" in issue.message_id and "'Nama'" in issue.message_en
    assert "lebih dari sekali" in issue.message_id


def test_it_flags_a_nik_in_scientific_notation_and_does_not_trust_it(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("Nama,NIK,Tgl Lahir\nSiti,7.27105E+15,12/10/1990\nBudi,7271055210900001,1990-10-12\n")

    records = read_records(path, MAPPING)
    prepared = prepare_records(records.records, fields=records.fields, today=TODAY)

    assert prepared.column("nik") == [None, "7271055210900001"]
    assert prepared.column("nik_digits") == [None, "7271055210900001"]
    assert prepared.report.nik_excel_damaged == 1
    assert "7.27105E+15" in prepared.report.lines()[0]


def test_it_reads_xlsx_date_cells_serials_and_damaged_numbers(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["DATA PMI 2024"])  # a title above the table
    sheet.merge_cells("A1:C1")
    sheet.append(["Nama", "NIK", "Tgl Lahir"])
    sheet.append(["Siti", 7271055210900017, datetime(1990, 10, 12)])
    sheet.append(["Budi", "7271051210900002", 33158])
    sheet.append([None, None, None])
    sheet.append(['=HYPERLINK("http://x","Ani")', "'7271055210900003", "12-Okt-1990"])
    workbook.save(path)

    table = open_table(path)
    rows = [row.cells for row in table.rows()]

    assert table.columns == ("Nama", "NIK", "Tgl Lahir")
    assert table.header_row == 2
    assert rows[0] == ("Siti", "7.27105521090002E+15", date(1990, 10, 12))
    assert rows[1] == ("Budi", "7271051210900002", 33158)
    # openpyxl saves no computed value for a formula: it reads as empty, never as a formula to evaluate.
    assert rows[2][0] is None
    records = read_records(path, MAPPING)
    prepared = prepare_records(records.records, fields=records.fields, today=TODAY)
    assert prepared.column("nik") == [None, "7271051210900002", "7271055210900003"]
    assert prepared.column("birth_date") == [date(1990, 10, 12)] * 3
    assert prepared.report.nik_excel_damaged == 1


def test_it_reads_the_sheet_asked_for_and_names_the_sheets_otherwise(tmp_path: Path) -> None:
    path = tmp_path / "sheets.xlsx"
    workbook = Workbook()
    workbook.active.title = "Ringkasan"
    data = workbook.create_sheet("Data")
    data.append(["Nama", "NIK"])
    data.append(["Siti", "1"])
    workbook.save(path)

    assert [row.cells for row in open_table(path, sheet="Data").rows()] == [("Siti", "1")]
    with pytest.raises(LinkageError) as raised:
        open_table(path, sheet="Daftar")
    assert raised.value.issue.code is LinkageErrorCode.SHEET_NOT_FOUND
    assert "Ringkasan, Data" in raised.value.issue.message_en


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0", LinkageErrorCode.UNSUPPORTED_FORMAT),
        ("empty.csv", b"", LinkageErrorCode.EMPTY_FILE),
        ("broken.xlsx", b"not a zip", LinkageErrorCode.UNREADABLE_FILE),
        ("picture.png", b"\x89PNG\r\n\x1a\n\x00\x00", LinkageErrorCode.UNSUPPORTED_FORMAT),
    ],
)
def test_it_explains_files_it_cannot_read(tmp_path: Path, name: str, content: bytes, code: LinkageErrorCode) -> None:
    path = tmp_path / name
    path.write_bytes(content)

    with pytest.raises(LinkageError) as raised:
        open_table(path)

    assert raised.value.issue.code is code
    assert raised.value.issue.message_id and raised.value.issue.message_en


def test_it_says_which_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(LinkageError) as raised:
        open_table(tmp_path / "tidak-ada.csv")

    assert raised.value.issue.code is LinkageErrorCode.FILE_NOT_FOUND
    assert "tidak-ada.csv" in raised.value.issue.message_id


def test_it_names_rows_with_a_repeated_or_empty_id(tmp_path: Path) -> None:
    path = tmp_path / "ids.csv"
    path.write_text("ID,Nama\nA1,Siti\nA2,Budi\nA1,Ani\n")
    with pytest.raises(LinkageError) as raised:
        read_records(path, {"id": "ID", "full_name": "Nama"})
    assert raised.value.issue.code is LinkageErrorCode.DUPLICATE_ID
    assert "A1 (2, 4)" in raised.value.issue.message_en

    path.write_text("ID,Nama\nA1,Siti\n,Budi\n")
    with pytest.raises(LinkageError) as raised:
        read_records(path, {"id": "ID", "full_name": "Nama"})
    assert raised.value.issue.code is LinkageErrorCode.EMPTY_ID
    assert "rows 3" in raised.value.issue.message_en


def test_it_uses_row_numbers_as_ids_when_no_id_is_mapped(tmp_path: Path) -> None:
    path = tmp_path / "noid.csv"
    path.write_text("Nama\nSiti\n\nBudi\n")

    records = read_records(path, {"full_name": "Nama"})

    assert [record["id"] for record in records.records] == ["2", "4"]


# --- damaged and hostile files (issue 13): refused with a message, never an unexpected exception ----------------


def _refusal(path: Path, data: bytes, limits: TableLimits | None = None) -> LinkageError:
    path.write_bytes(data)
    with pytest.raises(LinkageError) as refused:
        list(open_table(path, limits=limits).rows())
    return refused.value


def test_it_refuses_a_workbook_without_a_worksheet(tmp_path: Path) -> None:
    error = _refusal(tmp_path / "kosong.xlsx", files.sheetless_xlsx())
    assert error.issue.code == LinkageErrorCode.EMPTY_FILE
    assert "lembar kerja" in error.issue.message_id


def test_it_refuses_a_malformed_cell_reference_found_while_reading_rows(tmp_path: Path) -> None:
    rows: list[list[object]] = [["Nama", "NIK"], *[[f"Orang {n}", str(n)] for n in range(300)]]
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(files.bad_reference_xlsx(rows, row=250))
    table = open_table(path)  # the header and the first rows read fine
    assert table.columns == ("Nama", "NIK")
    with pytest.raises(LinkageError) as refused:
        list(table.rows())
    assert refused.value.issue.code == LinkageErrorCode.UNREADABLE_FILE


def test_it_refuses_a_truncated_workbook(tmp_path: Path) -> None:
    error = _refusal(tmp_path / "potong.xlsx", files.truncated_xlsx([["Nama", "NIK"], ["Siti", "1"]]))
    assert error.issue.code == LinkageErrorCode.UNREADABLE_FILE


def test_it_refuses_a_zip_bomb_from_its_declared_size_before_unpacking(tmp_path: Path) -> None:
    bomb = files.zip_bomb_xlsx(2 * 1024**3)
    assert len(bomb) < 4 * 1024 * 1024
    error = _refusal(tmp_path / "bom.xlsx", bomb)
    assert error.issue.code == LinkageErrorCode.TOO_LARGE
    assert "1.024 MB" in error.issue.message_id


def test_it_refuses_a_zip_that_lies_about_its_size(tmp_path: Path) -> None:
    error = _refusal(tmp_path / "bohong.xlsx", files.zip_bomb_xlsx(64 * 1024 * 1024, declared_bytes=10_000))
    assert error.issue.code == LinkageErrorCode.UNREADABLE_FILE


def test_it_refuses_a_workbook_unpacking_past_a_configured_limit(tmp_path: Path) -> None:
    limits = TableLimits(max_unpacked_bytes=8 * 1024 * 1024)
    error = _refusal(tmp_path / "besar.xlsx", files.zip_bomb_xlsx(32 * 1024 * 1024), limits)
    assert error.issue.code == LinkageErrorCode.TOO_LARGE


@pytest.mark.parametrize(
    ("name", "build"),
    [
        ("sel.csv", lambda: b"Nama,NIK\n" + b"x" * 2_000_000 + b",1\n"),
        ("sel-sedang.csv", lambda: b"Nama,NIK\n" + b"x" * 40_000 + b",1\n"),
        ("sel-shared.xlsx", lambda: files.shared_string_xlsx(["Nama", "NIK"], "x" * 2_000_000)),
        ("sel-inline.xlsx", lambda: files.big_inline_cell_xlsx(2_000_000)),
    ],
)
def test_it_refuses_a_cell_over_excels_limit_naming_it(tmp_path: Path, name: str, build: Any) -> None:
    error = _refusal(tmp_path / name, build())
    assert error.issue.code == LinkageErrorCode.TOO_LARGE
    assert "32.767 karakter" in error.issue.message_id


def test_it_reads_a_cell_at_excels_limit(tmp_path: Path) -> None:
    path = tmp_path / "batas.xlsx"
    path.write_bytes(files.shared_string_xlsx(["Nama", "NIK"], "x" * 32_767))
    [row] = list(open_table(path).rows())
    assert len(str(row.cells[0])) == 32_767


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_it_refuses_more_rows_than_allowed_while_reading(tmp_path: Path, suffix: str) -> None:
    rows: list[list[object]] = [["Nama", "NIK"], *[[f"Orang {n}", n] for n in range(11)]]
    data = files.xlsx_bytes(rows) if suffix == ".xlsx" else "\n".join(f"{a},{b}" for a, b in rows).encode()
    limits = TableLimits(max_rows=10)
    error = _refusal(tmp_path / f"baris{suffix}", data, limits)
    assert error.issue.code == LinkageErrorCode.TOO_LARGE
    assert "10 baris" in error.issue.message_id
    path = tmp_path / f"pas{suffix}"
    path.write_bytes(
        files.xlsx_bytes(rows[:11]) if suffix == ".xlsx" else "\n".join(f"{a},{b}" for a, b in rows[:11]).encode()
    )
    assert len(list(open_table(path, limits=limits).rows())) == 10
