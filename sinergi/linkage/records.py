"""From a file to records of standard fields: apply the column mapping, check the ids."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sinergi.linkage.fields import ColumnMapping, resolve_mapping
from sinergi.linkage.issues import LinkageErrorCode, fail
from sinergi.linkage.progress import NO_PROGRESS, Progress
from sinergi.linkage.tables import Cell, open_table

type Record = Mapping[str, Cell]
"""Standard field name -> value as read (text, date or number); missing fields are absent or None."""

_SHOWN_ROWS = 5


@dataclass(frozen=True, slots=True)
class RecordSet:
    """The records of one input, ready for :func:`sinergi.linkage.prepare.prepare_records`."""

    name: str
    records: list[dict[str, Cell]]
    mapping: ColumnMapping

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(self.mapping)


def read_records(
    path: Path | str,
    mapping: Mapping[str, str],
    *,
    sheet: str | None = None,
    progress: Progress = NO_PROGRESS,
) -> RecordSet:
    """Read a CSV/XLSX file into records of standard fields (``mapping``: field -> column).

    Without an ``id`` column each record's id is its row number in the file.
    Empty or repeated ids are an error naming the rows: pairs would otherwise
    point at the wrong record.
    """
    table = open_table(path, sheet=sheet)
    source = table.path.name
    resolved = resolve_mapping(table.columns, mapping, source=f"'{source}'")
    positions = {field: table.columns.index(column) for field, column in resolved.items()}
    records: list[dict[str, Cell]] = []
    progress.start(f"Membaca / reading {source}", None)
    for row in table.rows():
        cells = row.cells
        record: dict[str, Cell] = {
            field: cells[position] if position < len(cells) else None for field, position in positions.items()
        }
        if "id" not in positions:
            record["id"] = str(row.number)
        record["_row"] = row.number
        records.append(record)
        progress.advance(1)
    progress.finish()
    check_ids(records, source)
    for record in records:
        del record["_row"]
    return RecordSet(name=source, records=records, mapping=resolved)


def check_ids(records: Iterable[Mapping[str, Cell]], source: str) -> None:
    """Every record needs an id, and ids must be unique within one input."""
    seen: dict[str, object] = {}
    empty: list[str] = []
    repeated: list[str] = []
    for position, record in enumerate(records, start=1):
        row = str(record.get("_row", position))
        value = record.get("id")
        key = "" if value is None else str(value).strip()
        if not key:
            empty.append(row)
        elif key in seen:
            repeated.append(f"{key} ({seen[key]}, {row})")
        else:
            seen[key] = row
    if empty:
        rows = ", ".join(empty[:_SHOWN_ROWS]) + (" ..." if len(empty) > _SHOWN_ROWS else "")
        raise fail(
            LinkageErrorCode.EMPTY_ID,
            "id",
            f"Kolom id kosong di {source}, baris {rows}. Isi id setiap baris atau jangan petakan kolom id "
            "(nomor baris dipakai sebagai id).",
            f"The id column is empty in {source}, rows {rows}. Fill in every id or do not map an id column "
            "(row numbers are then used as ids).",
        )
    if repeated:
        shown = "; ".join(repeated[:_SHOWN_ROWS]) + (" ..." if len(repeated) > _SHOWN_ROWS else "")
        raise fail(
            LinkageErrorCode.DUPLICATE_ID,
            "id",
            f"Id yang sama dipakai lebih dari sekali di {source}: {shown} (id (baris, baris)). Setiap baris "
            "perlu id sendiri.",
            f"The same id is used more than once in {source}: {shown} (id (row, row)). Each row needs its own id.",
        )
