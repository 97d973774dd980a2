"""Files as agencies really send them: encodings, separators, Excel's damage, odd headers, blank rows, formulas,
too big, empty, not a spreadsheet. Each case ends in a clear outcome, and a refused file imports nothing."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from sinergi.imports import services
from sinergi.imports.models import BatchStatus, ImportRow, RowAction
from sinergi.imports.tests.conftest import SISKO_HEADER, apply, check, csv_bytes, person_row, start, upload_file
from sinergi.registry.models import Person
from sinergi.sources.models import SourceRecord

S = BatchStatus
SITI_NIK = "7271055210900001"


def xlsx_bytes(rows: list[list[object]], *, title: str | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(rows[0]))
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def rows_of(batch) -> dict[int, ImportRow]:
    return {row.row_number: row for row in ImportRow.objects.filter(batch=batch)}


def test_it_reads_latin_1(olive, tasks):
    content = csv_bytes([person_row(1, name="Nurhayati Daéng Matasa")], encoding="latin-1")
    batch = check(tasks, olive, start(olive, content))
    assert batch.status == S.PREVIEW
    assert rows_of(batch)[2].values["full_name"] == "Nurhayati Daéng Matasa"


def test_it_reads_utf8_with_a_byte_order_mark(olive, tasks):
    content = b"\xef\xbb\xbf" + csv_bytes([person_row(1)])
    batch = start(olive, content)
    assert batch.columns[0] == "No" and "id" not in batch.column_mapping  # a row counter is not an id
    batch = check(tasks, olive, batch)
    assert rows_of(batch)[2].external_id == "2"  # without an id column, the row number


def test_it_reads_semicolon_separated_files(olive, tasks):
    batch = check(tasks, olive, start(olive, csv_bytes([person_row(1), person_row(2)], delimiter=";")))
    assert batch.counts[RowAction.CREATE] == 2


@pytest.mark.parametrize("written", ["33158", "12/10/1990", "12-Okt-1990", "1990-10-12"])
def test_it_reads_excel_serials_and_text_dates(olive, tasks, written):
    row = person_row(1, name="Siti Aminah", NIK=SITI_NIK, JK="P", **{"Tgl Lahir": written})
    batch = check(tasks, olive, start(olive, csv_bytes([row])))
    assert rows_of(batch)[2].values["birth_date"] == "1990-10-12"


def test_it_reads_xlsx_dates_and_refuses_niks_stored_as_numbers(olive, tasks):
    content = xlsx_bytes(
        [
            SISKO_HEADER,
            ["1", "Siti Aminah", SITI_NIK, "Palu", date(1990, 10, 12), "P", "", "", ""],
            ["2", "Rahmat Hidayat", 7271050503870012, "Palu", 31842, "L", "", "", ""],
        ]
    )
    batch = check(tasks, olive, start(olive, content, name="sisko.xlsx"))
    rows = rows_of(batch)
    assert rows[2].action == RowAction.CREATE and rows[2].values["birth_date"] == "1990-10-12"
    assert rows[3].action == RowAction.ERROR
    [error] = rows[3].errors
    assert error["column"] == "NIK" and "Excel" in error["message"] and "Text" in error["message"]


@pytest.mark.parametrize("damaged", ["7.27106E+15", "727105521090001"])
def test_a_nik_damaged_by_excel_is_an_error_saying_how_to_export_it(olive, tasks, damaged):
    batch = check(tasks, olive, start(olive, csv_bytes([person_row(1, NIK=damaged), person_row(2)])))
    rows = rows_of(batch)
    assert rows[2].action == RowAction.ERROR and rows[3].action == RowAction.CREATE
    message = " ".join(error["message"] for error in rows[2].errors)
    assert "Excel" in message and "Text" in message
    assert {error["column"] for error in rows[2].errors} == {"NIK"}


def test_it_skips_a_merged_title_row_above_the_header(olive, tasks):
    header = ["No", "Nama Lengkap", "Tgl Lahir"]
    content = xlsx_bytes([header, ["1", "Siti Aminah", "12/10/1990"]], title="DATA PMI PURNA 2024")
    batch = start(olive, content, name="pmi.xlsx")
    assert batch.columns == header
    batch = check(tasks, olive, batch)
    assert list(rows_of(batch)) == [3]  # the file's own row number


def test_blank_rows_are_skipped_not_errors(olive, tasks):
    content = csv_bytes([person_row(1), ["", "", "", "", "", "", "", "", ""], [" "] * 9, person_row(2)])
    batch = check(tasks, olive, start(olive, content))
    assert batch.total_rows == 2 and batch.counts[RowAction.ERROR] == 0
    assert sorted(rows_of(batch)) == [2, 5]


def test_duplicate_column_names_refuse_the_file_naming_them(olive):
    content = csv_bytes([["1", "Siti", "Aminah"]], header=["No", "Nama", "Nama"])
    batch = start(olive, content)
    assert batch.status == S.FAILED
    assert "'Nama'" in batch.error and batch.stored_path == ""


def test_a_repeated_id_is_an_error_on_its_second_row(olive, tasks):
    # An id column ("ID"; a "No" row counter is not taken for one).
    header = ["ID", *SISKO_HEADER[1:]]
    batch = check(tasks, olive, start(olive, csv_bytes([person_row(1), person_row(2, No="1")], header=header)))
    rows = rows_of(batch)
    assert rows[2].action == RowAction.CREATE and rows[3].action == RowAction.ERROR
    assert rows[3].errors[0]["column"] == "ID" and "2" in rows[3].errors[0]["message"]


def test_a_file_over_the_limit_is_refused_before_it_is_read(olive, settings):
    settings.SINERGI_IMPORT_MAX_BYTES = 1000

    class Unreadable(SimpleUploadedFile):
        def read(self, *args, **kwargs):
            raise AssertionError("the size must be checked before reading")

        def chunks(self, *args, **kwargs):
            raise AssertionError("the size must be checked before reading")

    upload = Unreadable("big.csv", b"x" * 1001)
    with pytest.raises(services.UploadRefused) as refused:
        services.start_import(actor=olive, upload=upload, source_name="Ekspor Sisko P2MI")
    assert "limit" in str(refused.value) or "batas" in str(refused.value)


def test_the_default_limit_is_200_mb():
    from sinergi.imports.uploads import DEFAULT_MAX_BYTES

    assert DEFAULT_MAX_BYTES == 200 * 1024 * 1024


def test_an_empty_file_is_refused(olive):
    with pytest.raises(services.UploadRefused):
        start(olive, b"")


def test_a_header_without_rows_fails_with_a_message(olive, tasks):
    batch = check(tasks, olive, start(olive, csv_bytes([])))
    assert batch.status == S.FAILED and "no data rows" in batch.error.replace("tanpa data", "no data rows")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("laporan.pdf", b"%PDF-1.4 ...", "CSV"),
        ("data.xls", b"\xd0\xcf\x11\xe0rest", ".xlsx"),
        ("data.csv", b"%PDF-1.4\n1 0 obj", "CSV"),
        ("data.csv", b"PK\x03\x04rest of a zip", "CSV"),
        ("data.xlsx", b"No,Nama\n1,Siti\n", "Excel"),
    ],
)
def test_a_file_that_is_not_csv_or_xlsx_is_refused_saying_so(olive, name, content, says):
    with pytest.raises(services.UploadRefused) as refused:
        start(olive, content, name=name)
    assert says in str(refused.value)


def test_a_corrupt_workbook_fails_and_imports_nothing(olive):
    batch = start(olive, b"PK\x03\x04 this is not really a workbook", name="rusak.xlsx")
    assert batch.status == S.FAILED and batch.error and batch.stored_path == ""


def test_a_file_broken_after_its_first_rows_fails_the_check_and_imports_nothing(olive, tasks):
    good = csv_bytes([person_row(n) for n in range(1, 120)])
    assert len(good) > 4096  # the damage is past what the upload check looks at
    # A stray quote opens a cell that never closes: the rest of the file becomes one cell, too big to be a value.
    broken = b'121,"Rusak,,,,,,,\r\n' + b"".join(f"{n},Nama {n},,,,,,,\r\n".encode() for n in range(122, 9000))
    batch = start(olive, good + broken)
    assert batch.status == S.MAPPING
    stored = Path(batch.stored_path)
    batch = check(tasks, olive, batch)
    assert batch.status == S.FAILED and batch.error
    assert not ImportRow.objects.filter(batch=batch).exists() and not stored.exists()
    assert Person.objects.count() == 0


def test_a_formula_is_kept_as_plain_text_and_never_evaluated(olive, tasks):
    formula = '=HYPERLINK("http://x","klik")'
    batch = apply(tasks, olive, check(tasks, olive, start(olive, csv_bytes([person_row(1, Alamat=formula)]))))
    assert batch.status == S.DONE
    assert Person.objects.get().address_text == formula
    assert SourceRecord.objects.get().values["address"] == formula


def test_an_xlsx_formula_is_read_as_its_saved_value_never_computed(olive, tasks):
    # openpyxl saves formulas without a computed value, as a generator other than Excel would.
    content = xlsx_bytes([["No", "Nama Lengkap", "Alamat"], ["1", "Siti Aminah", '=HYPERLINK("http://x","klik")']])
    batch = check(tasks, olive, start(olive, content, name="rumus.xlsx"))
    assert "address" not in rows_of(batch)[2].values


def test_uploads_live_in_the_private_folder_and_go_when_done(olive, tasks, upload_dir, settings):
    batch = start(olive, csv_bytes([person_row(1)]))
    stored = Path(batch.stored_path)
    assert stored.parent == upload_dir and (stored.stat().st_mode & 0o777) == 0o600
    assert str(settings.STATIC_ROOT) not in str(stored)
    apply(tasks, olive, check(tasks, olive, batch))
    assert not stored.exists()


def test_the_uploaded_name_loses_any_folder(olive):
    batch = services.start_import(
        actor=olive, upload=upload_file("..\\..\\etc\\sisko.csv", csv_bytes([person_row(1)])), source_name="Sisko"
    )
    assert batch.file_name == "sisko.csv"
