"""Malformed agency files, built in the test: damaged and hostile workbooks, odd CSVs, a zip bomb.

Nothing here is stored in the repository: each builder makes its file in memory in a few milliseconds
(the zip bomb that unpacks to gigabytes is about 2 MB and takes a second or two, for its CRC).
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from io import BytesIO
from typing import Final

from openpyxl import Workbook  # type: ignore[import-untyped]

SHEET: Final = "xl/worksheets/sheet1.xml"
# The smallest valid PNG (1x1), as a phone's photo of a list would start.
PNG: Final = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


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


def rewrite_xlsx(data: bytes, change: Callable[[str, bytes], bytes | None]) -> bytes:
    """The workbook with each member passed through ``change`` (None drops the member)."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = change(info.filename, source.read(info.filename))
            if content is not None:
                target.writestr(info.filename, content)
    return out.getvalue()


def sheetless_xlsx() -> bytes:
    """A workbook whose only sheet was removed (what some converters write for an empty export)."""

    def drop_sheets(name: str, content: bytes) -> bytes | None:
        if name == SHEET:
            return None
        if name == "xl/workbook.xml":
            return re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", content)
        return content

    return rewrite_xlsx(xlsx_bytes([["Nama", "NIK"], ["Siti", "1"]]), drop_sheets)


def bad_reference_xlsx(rows: list[list[object]], *, row: int) -> bytes:
    """A workbook whose cell reference on ``row`` is malformed ("3A" instead of "A3"): found only while rows
    are read, after the workbook opened fine."""
    good = xlsx_bytes(rows)
    return rewrite_xlsx(
        good,
        lambda name, content: (
            content.replace(f'r="A{row}"'.encode(), f'r="{row}A"'.encode()) if name == SHEET else content
        ),
    )


def truncated_xlsx(rows: list[list[object]]) -> bytes:
    data = xlsx_bytes(rows)
    return data[: len(data) * 2 // 3]


def shared_string_xlsx(header: list[str], value: str) -> bytes:
    """A workbook whose data row's first cell is ``value`` kept in the shared-strings table (as Excel saves)."""
    cells = "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i + 1}</v></c>' for i in range(len(header)))
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        f'<row r="1">{cells}</row><row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    )
    strings = "".join(f"<si><t>{text}</t></si>" for text in [value, *header])
    shared = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{len(header) + 1}" uniqueCount="{len(header) + 1}">{strings}</sst>'
    )

    def add_strings(name: str, content: bytes) -> bytes | None:
        if name == SHEET:
            return sheet.encode()
        if name == "[Content_Types].xml":
            return content.replace(
                b"</Types>",
                b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
            )
        if name == "xl/_rels/workbook.xml.rels":
            return content.replace(
                b"</Relationships>",
                b'<Relationship Id="rIdSS" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
            )
        return content

    data = rewrite_xlsx(xlsx_bytes([["x"]]), add_strings)
    out = BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", shared)
    return out.getvalue()


def zip_bomb_xlsx(unpacked_bytes: int = 2 * 1024**3, *, declared_bytes: int | None = None) -> bytes:
    """A real workbook whose sheet unpacks to ``unpacked_bytes`` of XML (whitespace inside sheetData), in
    about a thousandth of that. ``declared_bytes`` makes the zip lie about the size (a hand-made bomb).

    Deflate blocks ended with a full flush do not refer to earlier data, so one compressed megabyte of
    spaces repeated N times is a valid stream of N megabytes: no need to compress gigabytes here."""
    block = 1 << 20
    head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">'
    tail = b"</row></sheetData></worksheet>"
    repeats = max(1, (unpacked_bytes - len(head) - len(tail)) // block)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = compressor.compress(head) + compressor.flush(zlib.Z_FULL_FLUSH)
    spaces = b" " * block
    middle = compressor.compress(spaces) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.compress(tail) + compressor.flush(zlib.Z_FINISH)
    crc = _crc32_combine(zlib.crc32(head), _crc32_repeated(zlib.crc32(spaces), block, repeats), repeats * block)
    crc = _crc32_combine(crc, zlib.crc32(tail), len(tail))
    size = len(head) + repeats * block + len(tail)
    sheet = (start + middle * repeats + end, crc, size if declared_bytes is None else declared_bytes)

    members: list[tuple[str, bytes, int, int, int]] = []  # name, data, method, crc, size
    with zipfile.ZipFile(BytesIO(xlsx_bytes([["Nama", "NIK"]]))) as source:
        for info in source.infolist():
            if info.filename == SHEET:
                members.append((SHEET, sheet[0], zipfile.ZIP_DEFLATED, sheet[1], sheet[2]))
            else:
                content = source.read(info.filename)
                members.append((info.filename, content, zipfile.ZIP_STORED, zlib.crc32(content), len(content)))
    return _zip(members)


def big_inline_cell_xlsx(chars: int) -> bytes:
    """A workbook whose data row holds one inline cell of ``chars`` characters (openpyxl itself would cut a
    cell at Excel's limit, so the sheet XML is written here)."""
    marker = "MARKER-BIG-CELL"
    data = xlsx_bytes([["Nama", "NIK"], [marker, "1"]])
    return rewrite_xlsx(
        data, lambda name, content: content.replace(marker.encode(), b"x" * chars) if name == SHEET else content
    )


def _gf2_times(matrix: list[int], vector: int) -> int:
    total, index = 0, 0
    while vector:
        if vector & 1:
            total ^= matrix[index]
        vector >>= 1
        index += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, matrix[n]) for n in range(32)]


def _crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """CRC-32 of A+B from those of A and B (zlib's crc32_combine, which Python does not expose)."""
    if length2 == 0:
        return crc1
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)
    odd = _gf2_square(even)
    while True:
        even = _gf2_square(odd)
        if length2 & 1:
            crc1 = _gf2_times(even, crc1)
        length2 >>= 1
        if not length2:
            break
        odd = _gf2_square(even)
        if length2 & 1:
            crc1 = _gf2_times(odd, crc1)
        length2 >>= 1
        if not length2:
            break
    return crc1 ^ crc2


def _crc32_repeated(crc: int, length: int, times: int) -> int:
    """CRC-32 of a block repeated ``times`` times, by doubling."""
    result, result_length = 0, 0
    while times:
        if times & 1:
            result = _crc32_combine(result, crc, length) if result_length else crc
            result_length += length
        times >>= 1
        if times:
            crc = _crc32_combine(crc, crc, length)
            length *= 2
    return result


def _zip(members: list[tuple[str, bytes, int, int, int]]) -> bytes:
    out = BytesIO()
    central = BytesIO()
    for name, data, method, crc, size in members:
        offset = out.tell()
        encoded = name.encode()
        fields = (20, 0, method, 0, 0x21, crc, len(data), size, len(encoded), 0)
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + encoded + data)
        central.write(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, offset) + encoded)
    directory = central.getvalue()
    out.write(directory)
    out.write(
        struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), out.tell() - len(directory), 0
        )
    )
    return out.getvalue()
