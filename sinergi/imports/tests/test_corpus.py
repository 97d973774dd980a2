"""The malformed-upload corpus (issue 13): every file, built here, goes through the upload page, the check and the
import. Each is refused or imported with a clear message; never a 500, never a huge page, nothing orphaned."""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from sinergi.imports import services
from sinergi.imports.models import BatchStatus, ImportBatch
from sinergi.imports.tests.conftest import SISKO_HEADER, csv_bytes, person_row
from sinergi.testing import files

S = BatchStatus
REFUSED, FAILED, IMPORTED = "refused at upload", "failed with a message", "imported"


def rows(n: int = 3) -> list[list[str]]:
    return [person_row(i) for i in range(1, n + 1)]


def niks_as_floats() -> bytes:
    table: list[list[object]] = [SISKO_HEADER]
    for row in rows():
        values: list[object] = list(row)
        values[2] = float(row[2])  # Excel turned the NIK into a number and kept 15 digits
        table.append(values)
    return files.xlsx_bytes(table)


def date_serials() -> bytes:
    table = rows()
    for row in table:
        row[4] = "33239"  # 1991-01-01 as an Excel serial, exported as text
    return csv_bytes(table)


def formulas() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(SISKO_HEADER)
    for row in rows():
        sheet.append([*row[:7], '=CONCATENATE("Jl. ", "Contoh")', row[8]])  # saved without a computed value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def docx_bomb() -> bytes:
    """A Word document that unpacks to gigabytes, renamed .xlsx (its big member renamed in place)."""
    return files.zip_bomb_xlsx(2 * 1024**3).replace(b"xl/worksheets/sheet1.xml", b"word/documentxxxxxxx.xml")


CORPUS: list[tuple[str, str, Callable[[], bytes], str]] = [
    ("windows-1252", "ekspor.csv", lambda: csv_bytes(rows(), encoding="cp1252"), IMPORTED),
    ("utf-16 with BOM, tabs", "unicode.csv", lambda: csv_bytes(rows(), delimiter="\t", encoding="utf-16"), IMPORTED),
    (
        "BOM and semicolons",
        "excel-id.csv",
        lambda: codecs.BOM_UTF8 + csv_bytes(rows(), delimiter=";"),
        IMPORTED,
    ),
    ("NIKs as Excel floats", "nik-angka.xlsx", niks_as_floats, IMPORTED),
    ("date serials", "serial.csv", date_serials, IMPORTED),
    (
        "merged title row",
        "judul.xlsx",
        lambda: files.xlsx_bytes([SISKO_HEADER, *rows()], title="DATA PMI 2026"),
        IMPORTED,
    ),
    ("formula cells", "rumus.xlsx", formulas, IMPORTED),
    ("duplicate columns", "dobel.csv", lambda: csv_bytes(rows(), header=[*SISKO_HEADER[:-1], "NIK"]), FAILED),
    ("truncated xlsx", "potong.xlsx", lambda: files.truncated_xlsx([SISKO_HEADER, *rows()]), FAILED),
    ("sheetless xlsx", "kosong.xlsx", files.sheetless_xlsx, FAILED),
    (
        "malformed cell reference",
        "rusak.xlsx",
        lambda: files.bad_reference_xlsx([SISKO_HEADER, *rows(9)], row=8),
        FAILED,
    ),
    ("image named .csv", "foto.csv", lambda: files.PNG, REFUSED),
    ("2 MB cell", "sel.csv", lambda: csv_bytes([person_row(1, name="x" * 2_000_000)]), FAILED),
    (
        "2 MB cell in shared strings",
        "sel.xlsx",
        lambda: files.shared_string_xlsx(["Nama", "NIK"], "x" * 2_000_000),
        FAILED,
    ),
    ("xlsx unpacking to 2 GiB", "bom.xlsx", lambda: files.zip_bomb_xlsx(2 * 1024**3), FAILED),
    ("docx unpacking to 2 GiB, renamed", "laporan.xlsx", docx_bomb, FAILED),
    ("empty file", "kosong.csv", lambda: b"", REFUSED),
    ("a Word file", "surat.docx", lambda: b"PK\x03\x04rest", REFUSED),
]


@pytest.mark.parametrize(("case", "name", "build", "outcome"), CORPUS, ids=[case for case, *_ in CORPUS])
def test_every_malformed_file_ends_in_a_clear_outcome(
    client: Any,
    olive: Any,
    tasks: Any,
    upload_dir: Path,
    settings: Any,
    tmp_path: Path,
    case: str,
    name: str,
    build: Callable[[], bytes],
    outcome: str,
) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(temporary)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 64 * 1024  # bigger files go through a temporary file, as in production
    client.force_login(olive)

    response = client.post("/impor/baru/", {"file": SimpleUploadedFile(name, build()), "new_source": "Korpus"})
    assert response.status_code in (200, 302), case

    batch = ImportBatch.objects.filter(created_by=olive).first()
    if outcome == REFUSED:
        assert response.status_code == 200 and batch is None
        assert response.context["form"].errors["file"]
    else:
        assert batch is not None
        if batch.status == S.MAPPING:
            with tasks():
                services.choose_mapping(actor=olive, batch_id=batch.pk, mapping=batch.column_mapping)
            batch.refresh_from_db()
        if outcome == FAILED:
            assert batch.status == S.FAILED, (case, batch.status)
            assert batch.error and "Traceback" not in batch.error
        else:
            assert batch.status == S.PREVIEW, (case, batch.status, batch.error)
            with tasks():
                services.confirm_import(actor=olive, batch_id=batch.pk)
            batch.refresh_from_db()
            assert batch.status == S.DONE and batch.counts["CREATE"] + batch.counts["ERROR"] == 3
        page = client.get(f"/impor/{batch.pk}/")
        assert page.status_code == 200
        assert len(page.content) < 200_000  # a 2 MB cell is never echoed into a page
    # Nothing is left behind: no stored file once the batch is over, no temporary upload.
    assert list(upload_dir.glob("*")) == []
    assert list(temporary.glob("*")) == []
