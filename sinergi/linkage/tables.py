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

* **Limits** (``TableLimits``), checked while streaming so that memory stays
  bounded whatever the file claims: a cell longer than Excel's own limit
  (32,767 characters), more rows than allowed, and for XLSX (a zip) members
  that unpack to more than allowed — first from the sizes the zip declares,
  then while the XML is read (Python's zipfile stops at the declared size
  and checks the CRC). Shared strings and the sheet are scanned with expat,
  which hands text over in pieces, before openpyxl (which builds whole
  elements) reads them. A refused file says which limit and what to do.
* **Broken workbooks** (no worksheet, a truncated zip, a malformed cell
  reference, bad XML) are refused with a message, also when the damage is
  found only while iterating rows.

Rows are streamed: a 200 MB file is not held in memory as text, only the
mapped fields of each row.
"""

from __future__ import annotations

import codecs
import csv
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import IO, Any, Final
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

from sinergi.linkage.issues import LinkageErrorCode, fail

type Cell = str | date | int | float | None

_DELIMITERS: Final = (",", ";", "\t", "|")
_CHUNK: Final = 1 << 20
_BIG_NUMBER: Final = 10**14  # 15 digits: past what Excel keeps exactly
_XLSX_SUFFIXES: Final = frozenset({".xlsx", ".xlsm"})
_CSV_SUFFIXES: Final = frozenset({".csv", ".txt", ".tsv"})
# What a damaged workbook raises from deep inside openpyxl or zipfile, at open or while rows are read.
_XLSX_ERRORS: Final = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    IndexError,
    TypeError,
    ValueError,
    ParseError,
    expat.ExpatError,
    OSError,
)
# Rows read to find the header and the sample rows of the mapping step (the whole sheet is checked later).
HEADER_SCAN_ROWS: Final = 200


@dataclass(frozen=True, slots=True)
class TableLimits:
    """What a file may hold; the defaults are Excel's own limits and 1 GiB unpacked."""

    max_rows: int = 1_048_576
    max_cell_chars: int = 32_767
    max_unpacked_bytes: int = 1 << 30


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
    limits: TableLimits = TableLimits()

    def rows(self) -> Iterator[TableRow]:
        if self.encoding is None:
            yield from _xlsx_rows(self.path, self.sheet, self.header_row, self.limits)
        else:
            yield from _csv_rows(self.path, self.encoding, self.delimiter or ",", self.header_row, self.limits)


def open_table(path: Path | str, *, sheet: str | None = None, limits: TableLimits | None = None) -> OpenTable:
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
    limits = limits or TableLimits()
    if suffix in _XLSX_SUFFIXES:
        return _open_xlsx(file, sheet, limits)
    if suffix in _CSV_SUFFIXES or _looks_like_text(file):
        return _open_csv(file, limits)
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


def _open_csv(path: Path, limits: TableLimits) -> OpenTable:
    encoding = detect_encoding(path)
    with path.open(encoding=encoding, newline="") as handle:
        delimiter = _sniff_delimiter(handle)
        handle.seek(0)
        numbered = _checked_csv(path, enumerate(csv.reader(handle, delimiter=delimiter), start=1), limits)
        header_row, columns = _find_header(numbered, path)
    return OpenTable(path, columns, encoding, delimiter, header_row, limits=limits)


def _csv_rows(path: Path, encoding: str, delimiter: str, header_row: int, limits: TableLimits) -> Iterator[TableRow]:
    with path.open(encoding=encoding, newline="") as handle:
        numbered = _checked_csv(path, enumerate(csv.reader(handle, delimiter=delimiter), start=1), limits)
        for number, cells in numbered:
            if number > header_row and not all(_blank(cell) for cell in cells):
                if number - header_row > limits.max_rows:
                    raise _too_many_rows(path, limits)
                yield TableRow(number, tuple(cells))


def _checked_csv(
    path: Path, numbered: Iterator[tuple[int, list[str]]], limits: TableLimits
) -> Iterator[tuple[int, list[str]]]:
    """The reader's rows, refusing a cell over the limit (csv's own field limit, 128 Ki characters, stops
    a longer one before it is held whole)."""
    while True:
        try:
            number, cells = next(numbered)
        except StopIteration:
            return
        except csv.Error as error:
            if "field limit" in str(error):
                raise _cell_too_large(path, limits) from error
            raise _unreadable(path, str(error)) from error
        if any(len(cell) > limits.max_cell_chars for cell in cells):
            raise _cell_too_large(path, limits)
        yield number, cells


def _sniff_delimiter(handle: IO[str]) -> str:
    for line in handle:
        if line.strip():
            counts = {delimiter: line.count(delimiter) for delimiter in _DELIMITERS}
            best = max(_DELIMITERS, key=lambda delimiter: counts[delimiter])
            return best if counts[best] else ","
    return ","


def _open_xlsx(path: Path, sheet: str | None, limits: TableLimits) -> OpenTable:
    with _worksheet(path, sheet, limits, scan_rows=HEADER_SCAN_ROWS) as worksheet:
        header_row, columns = _find_header(_xlsx_numbered(worksheet, path), path)
    return OpenTable(path, columns, None, None, header_row, sheet, limits)


def _xlsx_rows(path: Path, sheet: str | None, header_row: int, limits: TableLimits) -> Iterator[TableRow]:
    with _worksheet(path, sheet, limits, scan_rows=None) as worksheet:
        for number, cells in _xlsx_numbered(worksheet, path):
            if number > header_row and not all(_blank(cell) for cell in cells):
                yield TableRow(number, cells)


@contextmanager
def _worksheet(path: Path, sheet: str | None, limits: TableLimits, *, scan_rows: int | None) -> Iterator[Any]:
    """The sheet to read, once the workbook has passed the limits (``scan_rows``: how many of its rows to
    check now; None checks them all, and the row limit with them)."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    # Our own handle, closed here: openpyxl leaves its file open when loading fails half-way.
    handle = path.open("rb")
    try:
        with zipfile.ZipFile(handle) as archive:
            _check_unpacked_sizes(path, archive, limits)
            for name in archive.namelist():
                if name.casefold().endswith("sharedstrings.xml"):
                    _scan_xml(path, archive, name, limits, cell="si", rows=None)
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except _XLSX_ERRORS as error:
        handle.close()
        raise _unreadable(path, str(error) or type(error).__name__) from error
    except BaseException:
        handle.close()
        raise
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = ", ".join(workbook.sheetnames)
            raise fail(
                LinkageErrorCode.SHEET_NOT_FOUND,
                sheet,
                f"Sheet '{sheet}' tidak ada di '{path.name}'. Sheet yang ada: {names}.",
                f"There is no sheet '{sheet}' in '{path.name}'. Its sheets are: {names}.",
            )
        if sheet is None and not workbook.worksheets:
            raise fail(
                LinkageErrorCode.EMPTY_FILE,
                str(path),
                f"Berkas '{path.name}' tidak punya lembar kerja (worksheet) berisi tabel. Buka di Excel, pastikan "
                "datanya ada di lembar pertama, lalu simpan ulang sebagai .xlsx.",
                f"'{path.name}' has no worksheet with a table. Open it in Excel, put the data on the first sheet "
                "and save it again as .xlsx.",
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        member = str(getattr(worksheet, "_worksheet_path", "")).lstrip("/")
        if member:
            try:
                with zipfile.ZipFile(path) as archive:
                    _scan_xml(path, archive, member, limits, cell="c", rows=scan_rows)
            except _XLSX_ERRORS as error:
                raise _unreadable(path, str(error) or type(error).__name__) from error
        yield worksheet
    finally:
        workbook.close()
        handle.close()


def _check_unpacked_sizes(path: Path, archive: zipfile.ZipFile, limits: TableLimits) -> None:
    if sum(member.file_size for member in archive.infolist()) > limits.max_unpacked_bytes:
        raise _unpacks_too_large(path, limits)


class _Enough(Exception):
    """The rows asked for have been checked."""


def _scan_xml(
    path: Path, archive: zipfile.ZipFile, member: str, limits: TableLimits, *, cell: str, rows: int | None
) -> None:
    """Stream one XML member through expat: no ``cell`` element (``c`` in a sheet, ``si`` in the shared
    strings) may hold more text than a cell may, and a sheet may not have more rows than allowed.

    ``rows``: stop after this many rows (the header step); None reads to the end and checks the row limit.
    Expat hands text over in pieces, so a 300 MB cell is refused after 32 Ki characters, never held whole.
    """
    parser = expat.ParserCreate()
    state = {"depth": 0, "chars": 0, "rows": 0, "read": 0}

    def start(name: str, attributes: Any) -> None:
        local = name.rpartition(":")[2]
        if local == cell:
            state["depth"] += 1
            if state["depth"] == 1:
                state["chars"] = 0
        elif local == "row":
            state["rows"] += 1
            if rows is not None and state["rows"] > rows:
                raise _Enough
            if state["rows"] > limits.max_rows + 1:  # + the header row
                raise _too_many_rows(path, limits)

    def end(name: str) -> None:
        if name.rpartition(":")[2] == cell:
            state["depth"] -= 1

    def text(data: str) -> None:
        if state["depth"]:
            state["chars"] += len(data)
            if state["chars"] > limits.max_cell_chars:
                raise _cell_too_large(path, limits)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(_CHUNK):
                state["read"] += len(chunk)
                if state["read"] > limits.max_unpacked_bytes:
                    raise _unpacks_too_large(path, limits)
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except _Enough:
        return


def _xlsx_numbered(worksheet: Any, path: Path) -> Iterator[tuple[int, tuple[Cell, ...]]]:
    rows = enumerate(worksheet.iter_rows(values_only=True), start=1)
    while True:
        try:
            number, values = next(rows)
        except StopIteration:
            return
        except _XLSX_ERRORS as error:
            # A damaged sheet (a malformed cell reference, bad XML) shows itself only here, row by row.
            raise _unreadable(path, str(error) or type(error).__name__) from error
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


def _cell_too_large(path: Path, limits: TableLimits) -> Exception:
    limit = f"{limits.max_cell_chars:,}".replace(",", ".")
    return fail(
        LinkageErrorCode.TOO_LARGE,
        str(path),
        f"Berkas '{path.name}' punya sel yang lebih panjang dari batas {limit} karakter per sel. Periksa sel "
        "yang terlalu panjang (mis. teks yang tertempel berulang), perbaiki atau hapus, lalu unggah ulang.",
        f"'{path.name}' has a cell longer than the limit of {limits.max_cell_chars:,} characters per cell. Find "
        "the overlong cell (e.g. text pasted many times), fix or remove it, then upload again.",
    )


def _too_many_rows(path: Path, limits: TableLimits) -> Exception:
    limit = f"{limits.max_rows:,}".replace(",", ".")
    return fail(
        LinkageErrorCode.TOO_LARGE,
        str(path),
        f"Berkas '{path.name}' punya lebih dari {limit} baris data, batas satu impor. Bagi datanya menjadi "
        "beberapa berkas yang lebih kecil dan impor satu per satu.",
        f"'{path.name}' has more than {limits.max_rows:,} data rows, the limit of one import. Split the data "
        "into smaller files and import each.",
    )


def _unpacks_too_large(path: Path, limits: TableLimits) -> Exception:
    limit = f"{limits.max_unpacked_bytes / 1024 / 1024:,.0f}".replace(",", ".")
    return fail(
        LinkageErrorCode.TOO_LARGE,
        str(path),
        f"Berkas '{path.name}' jika dibuka (di-unzip) lebih besar dari batas {limit} MB. Simpan ulang dari Excel "
        "tanpa gambar atau lembar lain, atau bagi datanya menjadi beberapa berkas, lalu unggah ulang.",
        f"'{path.name}' unpacks to more than the limit of {limits.max_unpacked_bytes / 1024 / 1024:,.0f} MB. "
        "Save it again from Excel without images or other sheets, or split the data into several files, then "
        "upload again.",
    )
