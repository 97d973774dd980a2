"""The standard fields every input is mapped onto, and the column mapping itself.

A file from another agency has its own column names ("Nama Lengkap", "No. KTP",
"Tgl Lahir"). The data officer maps them with ``COLUMN=FIELD`` pairs onto the
fields below; unmapped columns are ignored. A column whose name already is a
field name (any case) is mapped without being asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Final

from sinergi.linkage.issues import LinkageErrorCode, fail

FIELDS: Final[tuple[str, ...]] = (
    "id",
    "full_name",
    "given_name",
    "family_name",
    "birth_date",
    "birth_place",
    "sex",
    "nik",
    "kk",
    "passport",
    "phone",
    "address",
    "region_code",
    "other_id",
)
FIELD_HELP: Final[dict[str, str]] = {
    "id": "the record's id in its source (row number when not mapped)",
    "full_name": "full name as written (titles and degrees are ignored)",
    "given_name": "given name, joined with family_name when there is no full_name",
    "family_name": "family name or marga",
    "birth_date": "birth date: 1990-10-12, 12/10/1990, 12-Okt-1990, 12 Oktober 1990 or an Excel serial",
    "birth_place": "place of birth (tempat lahir)",
    "sex": "L/P, laki-laki/perempuan, M/F",
    "nik": "16-digit NIK; damaged values (7.27105E+15) are ignored, never trusted",
    "kk": "16-digit Kartu Keluarga number (weak evidence: households change)",
    "passport": "passport number",
    "phone": "phone number in any common form; compared as E.164",
    "address": "address line",
    "region_code": "Kemendagri code of the current address: 72, 72.71, 72.71.05 or 72.71.05.1001 (dots optional)",
    "other_id": "another shared id: PMI ID / Sisko P2MI reference, DTKS id",
}

type ColumnMapping = dict[str, str]
"""Field name -> column name in the file."""


def parse_mapping_options(options: Iterable[str]) -> ColumnMapping:
    """``["Nama Lengkap=full_name", "NIK=nik"]`` -> ``{"full_name": "Nama Lengkap", "nik": "NIK"}``.

    The last ``=`` separates column from field, so a column name may contain ``=``.
    """
    mapping: ColumnMapping = {}
    for option in options:
        column, equals, field = option.rpartition("=")
        column, field = column.strip(), field.strip().lower()
        if not equals or not column or not field:
            raise fail(
                LinkageErrorCode.BAD_MAPPING,
                option,
                f"Pemetaan '{option}' tidak bisa dibaca. Tulis KOLOM=FIELD, misalnya --map 'Nama Lengkap=full_name'.",
                f"Cannot read the mapping '{option}'. Write COLUMN=FIELD, for example --map 'Nama Lengkap=full_name'.",
            )
        if field not in FIELDS:
            raise fail(
                LinkageErrorCode.UNKNOWN_FIELD,
                field,
                f"Field '{field}' tidak dikenal. Field yang tersedia: {', '.join(FIELDS)}.",
                f"Unknown field '{field}'. The fields are: {', '.join(FIELDS)}.",
            )
        if field in mapping:
            raise fail(
                LinkageErrorCode.FIELD_MAPPED_TWICE,
                field,
                f"Field '{field}' dipetakan dua kali (kolom '{mapping[field]}' dan '{column}'). Pilih satu kolom.",
                f"The field '{field}' is mapped twice (columns '{mapping[field]}' and '{column}'). Choose one column.",
            )
        mapping[field] = column
    return mapping


def resolve_mapping(columns: Sequence[str], explicit: Mapping[str, str], *, source: str) -> ColumnMapping:
    """The mapping to use for a file with these columns: explicit pairs plus columns named like a field.

    Raises a :class:`~sinergi.linkage.issues.LinkageError` naming the column when
    an explicit column is not in the file, and when no name field is mapped.
    """
    present = {column for column in columns if column}
    mapping: ColumnMapping = {}
    for field, column in explicit.items():
        if column not in present:
            shown = ", ".join(f"'{name}'" for name in columns if name)
            raise fail(
                LinkageErrorCode.UNKNOWN_COLUMN,
                column,
                f"Kolom '{column}' tidak ada di {source}. Kolom yang ada: {shown}.",
                f"There is no column '{column}' in {source}. Its columns are: {shown}.",
            )
        mapping[field] = column
    taken = set(mapping.values())
    for column in columns:
        field = column.strip().lower()
        if field in FIELDS and field not in mapping and column not in taken:
            mapping[field] = column
    if "full_name" not in mapping and "given_name" not in mapping and "family_name" not in mapping:
        raise fail(
            LinkageErrorCode.NO_NAME,
            source,
            f"Tidak ada kolom nama untuk {source}. Petakan kolom nama dengan --map 'KOLOM=full_name' "
            "(atau given_name dan family_name).",
            f"No name column for {source}. Map the name column with --map 'COLUMN=full_name' "
            "(or given_name and family_name).",
        )
    return mapping
