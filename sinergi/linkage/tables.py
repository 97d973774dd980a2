"""Reading CSV and XLSX files exported from agency systems, without trusting them.

What goes wrong in practice, and what happens here:

* **Encoding.** UTF-8 (with or without a byte-order mark), UTF-16 with a BOM
  (Excel's "Unicode text"), else Windows-1252, else Latin-1 (which always
  decodes). The encoding is decided on the whole file before any row is used,
  so a bad byte on row 90,000 cannot change how row 1 was read.
* **Separator.** Comma, semicolon (Indonesian-locale Excel), tab or pipe: the
  one that occurs most in the header line.
* **Header.** The first row with at least two filled cells, so a title row
  above the table (often a merged cell, "DATA PMI 2024") is skipped. Columns
  without a header are kept unnamed and cannot be mapped.
* **Duplicate column names** stop the read with an error naming them: which
  "Nama" column is the person's name is not something to guess.
* **Blank rows** (every cell empty) are skipped; row numbers in messages stay
  the file's own.
* **XLSX.** Read-only streaming with openpyxl. Formulas are never evaluated:
  the value Excel saved with the file is used (a formula saved without one
  reads as empty). Date cells become dates. A number of 15 digits or more
  (a NIK or KK typed as a number, whose last digits Excel has already lost)
  becomes scientific-notation text, which the NIK parser rejects instead of
  trusting a wrong number.

Rows are streamed: a 200 MB file is not held in memory as text, only the
mapped fields of each row.
"""

from __future__ import annotations

import codecs
import csv
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, Final

from sinergi.linkage.issues import LinkageErrorCode, fail

type Cell = str | date | int | float | None

_DELIMITERS: Final = (",", ";", "\t", "|")
_CHUNK: Final = 1 << 20
_BIG_NUMBER: Final = 10**14  # 15 digits: past what Excel keeps exactly
_XLSX_SUFFIXES: Final = frozenset({".xlsx", ".xlsm"})
_CSV_SUFFIXES: Final = frozenset({".csv", ".txt", ".tsv"})


@dataclass(frozen=True, slots=True)
class TableRow:
    """One non-blank data row; ``number`` is its row number in the file (header = its own row)."""

    number: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class OpenTable:
    """A file whose header has been read; ``rows()`` streams the data rows after it.

    No file handle is held between calls: ``rows()`` opens the file itself and
    closes it when the iteration ends or is abandoned.
    """

    path: Path
    columns: tuple[str, ...]
    encoding: str | None  # None for XLSX
    delimiter: str | None
    header_row: int
    sheet: str | None = None

    def rows(self) -> Iterator[TableRow]:
        if self.encoding is None:
            yield from _xlsx_rows(self.path, self.sheet, self.header_row)
        else:
            yield from _csv_rows(self.path, self.encoding, self.delimiter or ",", self.header_row)


def open_table(path: Path | str, *, sheet: str | None = None) -> OpenTable:
    """Open a CSV or XLSX file and read its header; raises LinkageError with a bilingual message."""
    file = Path(path)
    if not file.is_file():
        raise fail(
            LinkageErrorCode.FILE_NOT_FOUND,
            str(file),
            f"Berkas '{file}' tidak ditemukan. Periksa nama dan foldernya.",
            f"The file '{file}' was not found. Check its name and folder.",
        )
    suffix = file.suffix.lower()
    if suffix == ".xls":
        raise fail(
            LinkageErrorCode.UNSUPPORTED_FORMAT,
            str(file),
            f"Berkas '{file.name}' berformat Excel lama (.xls). Buka di Excel lalu simpan sebagai .xlsx atau .csv.",
            f"'{file.name}' is an old Excel file (.xls). Open it in Excel and save it as .xlsx or .csv.",
        )
    if suffix in _XLSX_SUFFIXES:
        return _open_xlsx(file, sheet)
    if suffix in _CSV_SUFFIXES or _looks_like_text(file):
        return _open_csv(file)
    raise fail(
        LinkageErrorCode.UNSUPPORTED_FORMAT,
        str(file),
        f"Berkas '{file.name}' bukan CSV atau XLSX. Simpan data sebagai .csv atau .xlsx.",
        f"'{file.name}' is neither CSV nor XLSX. Save the data as .csv or .xlsx.",
    )


def detect_encoding(path: Path) -> str:
    """The encoding to read a text file with (see the module docstring for the order)."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            candidates = ["utf-8-sig"]
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        else:
            candidates = ["utf-8", "cp1252"]
    for encoding in candidates:
        if _decodes(path, encoding):
            return encoding
    return "latin-1"


def _decodes(path: Path, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _looks_like_text(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(4096)
    return b"\x00" not in head or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))


def _open_csv(path: Path) -> OpenTable:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        delimiter = _sniff_delimiter(handle)
        handle.seek(0)
        try:
            header_row, columns = _find_header(enumerate(csv.reader(handle, delimiter=delimiter), start=1), path)
        except csv.Error as error:
            raise _unreadable(path, str(error)) from error
    return OpenTable(path, columns, encoding, delimiter, header_row)


def _csv_rows(path: Path, encoding: str, delimiter: str, header_row: int) -> Iterator[TableRow]:
    with path.open(encoding=encoding, newline="") as handle:
        try:
            for number, cells in enumerate(csv.reader(handle, delimiter=delimiter), start=1):
                if number > header_row and not all(_blank(cell) for cell in cells):
                    yield TableRow(number, tuple(cells))
        except csv.Error as error:
            raise _unreadable(path, str(error)) from error


def _sniff_delimiter(handle: IO[str]) -> str:
    for line in handle:
        if line.strip():
            counts = {delimiter: line.count(delimiter) for delimiter in _DELIMITERS}
            best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
            return best if counts[best] else ","
    return ","


def _open_xlsx(path: Path, sheet: str | None) -> OpenTable:
    with _worksheet(path, sheet) as worksheet:
        header_row, columns = _find_header(_xlsx_numbered(worksheet), path)
    return OpenTable(path, columns, None, None, header_row, sheet)


def _xlsx_rows(path: Path, sheet: str | None, header_row: int) -> Iterator[TableRow]:
    with _worksheet(path, sheet) as worksheet:
        for number, cells in _xlsx_numbered(worksheet):
            if number > header_row and not all(_blank(cell) for cell in cells):
                yield TableRow(number, cells)


@contextmanager
def _worksheet(path: Path, sheet: str | None) -> Iterator[Any]:
    import zipfile

    from openpyxl import load_workbook  # type: ignore[import-untyped]

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise _unreadable(path, str(error)) from error
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = ", ".join(workbook.sheetnames)
            raise fail(
                LinkageErrorCode.SHEET_NOT_FOUND,
                sheet,
                f"Sheet '{sheet}' tidak ada di '{path.name}'. Sheet yang ada: {names}.",
                f"There is no sheet '{sheet}' in '{path.name}'. Its sheets are: {names}.",
            )
        yield workbook[sheet] if sheet is not None else workbook.worksheets[0]
    finally:
        workbook.close()


def _xlsx_numbered(worksheet: Any) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        yield number, tuple(_xlsx_cell(value) for value in values)


def _xlsx_cell(value: object) -> Cell:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if abs(value) >= _BIG_NUMBER:
            # Excel kept 15 significant digits of this number: a NIK or KK read
            # back from it would be silently wrong, so it is shown as Excel does.
            return f"{float(value):.14E}"
        return int(value) if float(value).is_integer() else float(value)
    return str(value)


def _find_header(numbered: Iterable[tuple[int, Sequence[Cell]]], path: Path) -> tuple[int, tuple[str, ...]]:
    for number, cells in numbered:
        filled = [cell for cell in cells if not _blank(cell)]
        if len(filled) >= 2 or (len(cells) == 1 and filled):
            columns = tuple("" if _blank(cell) else str(cell).strip() for cell in cells)
            while columns and not columns[-1]:
                columns = columns[:-1]
            _check_duplicates(columns, path)
            return number, columns
    raise fail(
        LinkageErrorCode.EMPTY_FILE,
        str(path),
        f"Berkas '{path.name}' kosong atau tidak punya baris judul kolom.",
        f"The file '{path.name}' is empty or has no header row.",
    )


def _check_duplicates(columns: Sequence[str], path: Path) -> None:
    counts = Counter(column.casefold() for column in columns if column)
    duplicates = [column for column in dict.fromkeys(columns) if column and counts[column.casefold()] > 1]
    if duplicates:
        names = ", ".join(f"'{column}'" for column in duplicates)
        raise fail(
            LinkageErrorCode.DUPLICATE_COLUMNS,
            names,
            f"Nama kolom {names} muncul lebih dari sekali di '{path.name}'. Ganti namanya agar setiap kolom "
            "punya nama sendiri, lalu coba lagi.",
            f"The column name {names} appears more than once in '{path.name}'. Rename the columns so that each "
            "has its own name, then try again.",
        )


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _unreadable(path: Path, detail: str) -> Exception:
    return fail(
        LinkageErrorCode.UNREADABLE_FILE,
        str(path),
        f"Berkas '{path.name}' tidak bisa dibaca ({detail}). Buka di Excel dan simpan ulang sebagai .xlsx atau "
        "CSV UTF-8.",
        f"Cannot read '{path.name}' ({detail}). Open it in Excel and save it again as .xlsx or CSV UTF-8.",
    )
