"""Preparation: turn raw records into comparison features with the identity core's rules.

Every feature is derived here, in Python, so that the Splink model only ever
compares clean values with SQL:

``name_*``
    From :func:`~sinergi.identity.names.normalize_name`: the canonical key
    (titles and degrees dropped, old spellings and Muhammad variants folded),
    its informative tokens (Balinese prefixes and the very common Siti, Nur,
    Abdul, Muhammad, Ahmad left out), their sorted key, their phonetic keys
    (:func:`~sinergi.identity.names.phonetic_key`) and ``name_rare_tokens``:
    the informative tokens that are rare in the data at hand (see
    :func:`rare_token_limit`), so a shared "Lasanudin" counts for more than a
    shared "Aminah".
``nik`` / ``nik_digits`` / ``nik_*``
    ``nik`` is a NIK that :func:`~sinergi.identity.nik.parse_nik` accepts;
    its embedded birth date, sex, regency and district become ``nik_birth_date``,
    ``nik_sex``, ``nik_regency``, ``nik_district``. ``nik_digits`` keeps 16
    typed digits even when they fail a check (a typo can make the district
    unknown), for typo-tolerant comparison. A value damaged by Excel
    (``7.27105E+15``, a serial 0000) gives neither: never a false exact match.
``birth_date``
    :func:`~sinergi.linkage.dates.parse_date` on ISO, ``12/10/1990``,
    ``12-Okt-1990``, Excel serials and date cells.
``phone``
    E.164 by :func:`~sinergi.identity.phones.normalize_phone`.
``region_*``
    The Kemendagri code at province, regency, district and village level
    (dotless digits), from whatever level the record gives.
``kk``, ``passport``, ``other_id``, ``birth_place``, ``address``, ``sex``
    Cleaned spellings (digits only, upper-case letters and digits, folded
    words, L/P). ``address_numbers`` / ``address_number_list`` are the
    address's numbers (house, RT/RW, postcode) and ``address_text`` its words
    without them. A NIK equal to the row's KK is dropped (the KK typed into
    the NIK column).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Final

import numpy as np
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]

from sinergi.identity.names import normalize_name, phonetic_key
from sinergi.identity.nik import decode_birth, looks_excel_mangled, parse_nik
from sinergi.identity.phones import normalize_phone
from sinergi.identity.regions import RegionDirectory, RegionLookup, dotless_code
from sinergi.linkage.dates import parse_date
from sinergi.linkage.progress import NO_PROGRESS, Progress
from sinergi.linkage.tables import Cell

# Feature columns and their DuckDB/Arrow types ("str", "date", "list", "bool").
FEATURE_TYPES: Final[dict[str, str]] = {
    "unique_id": "str",
    "name_key": "str",
    "name_inf_key": "str",
    "name_inf_text": "str",
    "name_phon": "str",
    "name_phon_first": "str",
    "name_phon_last": "str",
    "name_first": "str",
    "name_last": "str",
    "name_inf_tokens": "list",
    "name_rare_tokens": "list",
    "birth_date": "date",
    "birth_any": "date",
    "birth_year": "str",
    "sex": "str",
    "nik": "str",
    "nik_digits": "str",
    "nik_prefix15": "str",
    "nik_head": "str",
    "nik_region": "str",
    "nik_date_sex": "str",
    "nik_serial": "str",
    "nik_birth_date": "date",
    "nik_own_date": "bool",
    "nik_sex": "str",
    "nik_regency": "str",
    "nik_district": "str",
    "kk": "str",
    "passport": "str",
    "phone": "str",
    "birth_place": "str",
    "address": "str",
    "address_numbers": "str",
    "address_text": "str",
    "address_number_list": "list",
    "address_shared": "str",
    "address_numbers_shared": "str",
    "region_province": "str",
    "region_regency": "str",
    "region_district": "str",
    "region_village": "str",
    "other_id": "str",
}
_ARROW_TYPES: Final[dict[str, Any]] = {
    "str": pa.string(),
    "date": pa.date32(),
    "bool": pa.bool_(),
    "list": pa.list_(pa.string()),
}
# The Arrow schema of every prepared table: what both engines load.
FEATURE_SCHEMA: Final = pa.schema([(name, _ARROW_TYPES[kind]) for name, kind in FEATURE_TYPES.items()])
# Which input fields each feature comes from: a comparison is used only when
# both inputs have its fields.
FEATURE_SOURCES: Final[dict[str, tuple[str, ...]]] = {
    "name": ("full_name", "given_name", "family_name"),
    "birth_date": ("birth_date", "nik"),
    "sex": ("sex", "nik"),
    "nik": ("nik",),
    "kk": ("kk",),
    "passport": ("passport",),
    "phone": ("phone",),
    "birth_place": ("birth_place",),
    "address": ("address",),
    "region": ("region_code", "nik"),
    "other_id": ("other_id",),
}

_NIK_LENGTH: Final = 16
_NOT_DIGIT: Final = re.compile(r"\D")
_NOT_ALNUM: Final = re.compile(r"[^0-9A-Z]")
_SEPARATORS: Final = re.compile(r"[\s.\-\u2010-\u2015\u2212]+")
_PLACE_PREFIXES: Final = frozenset({"kab", "kabupaten", "kota", "kec", "kecamatan", "desa", "kel", "kelurahan"})
_SEX: Final[dict[str, str]] = {
    **dict.fromkeys(("l", "lk", "laki", "laki-laki", "laki laki", "lakilaki", "pria", "m", "male", "1"), "L"),
    **dict.fromkeys(("p", "pr", "perempuan", "wanita", "w", "f", "female", "2"), "P"),
}
# A token counts as rare when at most this share of records carry it (and at
# least when it is carried by no more than RARE_TOKEN_MIN_COUNT records).
RARE_TOKEN_SHARE: Final = 0.0005
RARE_TOKEN_MIN_COUNT: Final = 3
# An address (or its numbers) counts for blocking when at most this many records of all inputs have it, in one
# district where the inputs have regions: a household and its re-registrations, not a hamlet's name that
# hundreds share. At 100,000 x 1,000,000 (the own set) the rule on the address then made 176,744 pairs instead of
# 4.36 million (bench: the pairs of each cap, 2026-12-07).
ADDRESS_SHARED_MAX: Final = 20
# Rows per chunk when preparing in several processes: large enough that sending a chunk's
# features back costs little beside preparing them, small enough to keep every core busy.
PARALLEL_CHUNK_ROWS: Final = 25_000


@dataclass(slots=True)
class PreparationReport:
    """What preparation left out, per input, for the data officer to hear about."""

    rows: int = 0
    nik_excel_damaged: int = 0
    nik_invalid: int = 0
    nik_is_kk: int = 0
    birth_date_unreadable: int = 0
    phone_invalid: int = 0
    region_invalid: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def note(self, kind: str, value: str) -> None:
        shown = self.examples.setdefault(kind, [])
        if len(shown) < 3:
            shown.append(value)

    def merge(self, other: PreparationReport) -> None:
        """Add ``other``'s counts and examples: the report of an input prepared in parts (Spark's batches)."""
        self.rows += other.rows
        self.nik_excel_damaged += other.nik_excel_damaged
        self.nik_invalid += other.nik_invalid
        self.nik_is_kk += other.nik_is_kk
        self.birth_date_unreadable += other.birth_date_unreadable
        self.phone_invalid += other.phone_invalid
        self.region_invalid += other.region_invalid
        for kind, values in other.examples.items():
            for value in values:
                self.note(kind, value)

    def lines(self) -> list[str]:
        """One line per problem found, Indonesian then English."""
        out: list[str] = []
        counts = (
            ("nik_excel_damaged", self.nik_excel_damaged,
             "NIK rusak oleh Excel, tidak dipakai", "NIK damaged by Excel, not used"),
            ("nik_invalid", self.nik_invalid,
             "NIK tidak valid (hanya dipakai untuk salah ketik)", "invalid NIK (used for typo matching only)"),
            ("nik_is_kk", self.nik_is_kk,
             "NIK sama dengan No. KK baris itu (KK diketik di kolom NIK), tidak dipakai",
             "NIK equal to the row's KK number (the KK typed into the NIK column), not used"),
            ("birth_date_unreadable", self.birth_date_unreadable,
             "tanggal lahir tidak terbaca", "unreadable birth date"),
            ("phone_invalid", self.phone_invalid, "nomor telepon tidak valid", "invalid phone number"),
            ("region_invalid", self.region_invalid, "kode wilayah tidak valid", "invalid region code"),
        )  # fmt: skip
        for kind, count, text_id, text_en in counts:
            if count:
                examples = ", ".join(repr(value) for value in self.examples.get(kind, []))
                out.append(f"{count} {text_id} / {text_en}: {examples}")
        return out


@dataclass(slots=True)
class PreparedTable:
    """The feature columns as one Arrow table (``FEATURE_SCHEMA``), plus the fields the input had.

    Arrow, not Python lists: a parallel preparation's workers send their chunks back as Arrow buffers (a pickled
    list of a million strings and dates costs more than preparing them in half the processes did), and DuckDB and
    Spark load the table as it is. The run's counts (:func:`mark_run_counts`) put a new table in ``arrow`` with
    their columns filled; an Arrow table itself never changes, so a copy made with ``dataclasses.replace`` is
    marked without touching the original.
    """

    arrow: Any  # pa.Table
    fields: frozenset[str]
    report: PreparationReport

    def __len__(self) -> int:
        return int(self.arrow.num_rows)

    def column(self, name: str) -> list[Any]:
        """One feature column as Python values, for reading a few rows (the engines read ``arrow``)."""
        return list(self.arrow.column(name).to_pylist())


def prepare_records(
    records: Iterable[Mapping[str, Cell]],
    *,
    fields: Iterable[str],
    today: date,
    progress: Progress = NO_PROGRESS,
    total: int | None = None,
    workers: int = 1,
    chunk_rows: int = PARALLEL_CHUNK_ROWS,
) -> PreparedTable:
    """Features for every record; ``fields`` are the standard fields the input maps.

    With ``workers`` > 1 and more than ``chunk_rows`` records, chunks of
    ``chunk_rows`` are prepared in that many processes (each record's features
    depend on that record alone) and joined in input order: the same columns and
    the same report as one process gives. See :func:`default_workers`.

    Token rarity is not set here (it depends on every input of a run): see
    :func:`mark_rare_tokens`.
    """
    if workers > 1:
        rows = records if isinstance(records, Sequence) else list(records)
        if len(rows) > chunk_rows:
            return _prepare_in_processes(rows, frozenset(fields), today, progress, workers, chunk_rows)
        records = rows
    columns: dict[str, list[Any]] = {name: [] for name in FEATURE_TYPES}
    report = PreparationReport()
    progress.start("Menyiapkan fitur / preparing features", total)
    append = {name: column.append for name, column in columns.items()}
    for count, record in enumerate(records, start=1):
        for name, value in _features(record, today, report).items():
            append[name](value)
        if count % 1000 == 0:
            progress.advance(1000)
    report.rows = len(columns["unique_id"])
    progress.advance(report.rows % 1000)
    progress.finish()
    return PreparedTable(pa.Table.from_pydict(columns, schema=FEATURE_SCHEMA), frozenset(fields), report)


def default_workers() -> int:
    """Processes for preparing features: one per core this process may use (``SINERGI_LINKAGE_WORKERS`` overrides)."""
    text = os.environ.get("SINERGI_LINKAGE_WORKERS", "").strip()
    if text:
        if not text.isdigit() or int(text) < 1:
            raise ValueError(f"SINERGI_LINKAGE_WORKERS must be a whole number >= 1, not {text!r}")
        return int(text)
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _prepare_in_processes(
    rows: Sequence[Mapping[str, Cell]],
    fields: frozenset[str],
    today: date,
    progress: Progress,
    workers: int,
    chunk_rows: int,
) -> PreparedTable:
    parts: list[Any] = []
    report = PreparationReport()
    progress.start("Menyiapkan fitur / preparing features", len(rows))
    starts = range(0, len(rows), chunk_rows)
    method = _start_method()
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method)) as pool:
        if method == "fork":
            _FORKED_ROWS[:] = [rows]
            try:
                chunks = pool.map(_prepare_forked_chunk, [(start, chunk_rows, today) for start in starts])
                _collect(chunks, parts, report, progress)
            finally:
                _FORKED_ROWS.clear()
        else:
            chunks = pool.map(_prepare_chunk, [(list(rows[start : start + chunk_rows]), today) for start in starts])
            _collect(chunks, parts, report, progress)
    progress.finish()
    return PreparedTable(pa.concat_tables(parts), fields, report)


def _start_method() -> str:
    """fork shares the records with the workers without copying them through a pipe. But a process with other
    threads may hold a lock at fork time that the child then waits on forever or dies on: a web server's threads,
    and DuckDB's own native ones, which Python's ``threading`` does not see (an import's second chunk forked
    while the first chunk's scoring threads were alive, and a worker died: BrokenProcessPool). So fork only from
    a process that has one thread, counted by the kernel; otherwise spawn."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return "spawn"
    return "fork" if _native_threads() == 1 else "spawn"


def _native_threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))  # Linux: every thread of the process
    except OSError:
        return max(threading.active_count(), 2)  # elsewhere native threads are not visible: do not fork


def _collect(
    chunks: Iterable[tuple[Any, PreparationReport]], parts: list[Any], report: PreparationReport, progress: Progress
) -> None:
    """Gather the chunks' tables and reports in input order (``merge`` adds up the rows)."""
    for chunk, chunk_report in chunks:
        parts.append(chunk)
        report.merge(chunk_report)
        progress.advance(chunk_report.rows)


# The records of the running parallel preparation, for forked workers to read (inherited, never pickled).
_FORKED_ROWS: list[Sequence[Mapping[str, Cell]]] = []


def _prepare_forked_chunk(task: tuple[int, int, date]) -> tuple[Any, PreparationReport]:
    start, size, today = task
    return _prepare_chunk((_FORKED_ROWS[0][start : start + size], today))


def _prepare_chunk(task: tuple[Sequence[Mapping[str, Cell]], date]) -> tuple[Any, PreparationReport]:
    """A chunk's features as an Arrow table: pickled as its buffers, so sending it back costs little."""
    rows, today = task
    table = prepare_records(rows, fields=(), today=today)
    return table.arrow, table.report


def mark_rare_tokens(tables: Sequence[PreparedTable]) -> int:
    """Fill ``name_rare_tokens`` from token counts over all inputs; returns the count limit used."""
    # A record's ``name_inf_tokens`` are distinct (see _name_features): counting them counts records.
    tokens = [pc.list_flatten(table.arrow.column("name_inf_tokens")) for table in tables]
    counts = pc.value_counts(pa.chunked_array([chunk for flat in tokens for chunk in flat.chunks], pa.string()))
    limit = rare_token_limit(sum(len(table) for table in tables))
    common = counts.field("values").filter(pc.greater(counts.field("counts"), limit))
    for table, flat in zip(tables, tokens, strict=True):
        column = table.arrow.column("name_inf_tokens")
        if len(common):
            keep = pc.invert(pc.is_in(flat, value_set=common))
            # Each kept token's record, counted: the new lists' lengths, in record order.
            owners = pc.list_parent_indices(column).filter(keep).to_numpy()
            offsets = np.zeros(len(table) + 1, dtype=np.int32)
            np.cumsum(np.bincount(owners, minlength=len(table)), out=offsets[1:])
            column = pa.ListArray.from_arrays(pa.array(offsets), flat.filter(keep).combine_chunks())
        _replace_column(table, "name_rare_tokens", column)
    return limit


def mark_shared_addresses(tables: Sequence[PreparedTable], *, by_district: bool) -> None:
    """Fill ``address_shared`` and ``address_numbers_shared``: the address (its numbers) of a record when at most
    ADDRESS_SHARED_MAX records of all inputs have it (in the same district when ``by_district``), else nothing.

    The blocking rules on the address read these (comparisons.BLOCKING_RULES): a line that a household shares is
    evidence worth a comparison whatever else differs, one that hundreds share ("Dusun I", "Jl. Trans Sulawesi")
    is not, and it made most of the candidate pairs: 9.2 of 13.1 million at 100,000 x 1,000,000, for 6 of
    50,000 true pairs no other rule lets through (issue 14, docs/linkage.md)."""
    sizes = [len(table) for table in tables]
    for column, shared in (("address", "address_shared"), ("address_numbers", "address_numbers_shared")):
        values = pa.chunked_array(
            [chunk for table in tables for chunk in table.arrow.column(column).chunks], pa.string()
        ).combine_chunks()
        key = values
        if by_district:
            places = pa.chunked_array(
                [chunk for table in tables for chunk in table.arrow.column("region_district").chunks], pa.string()
            ).combine_chunks()
            # No district is a place of its own ("" is never a district's code); no address stays no key.
            key = pc.binary_join_element_wise(values, pc.fill_null(places, ""), "\x1f")
        # Each key's number, then how many records of all inputs have it: no Python string is hashed. The
        # records without an address share a number of their own, and stay without one.
        encoded = pc.dictionary_encode(key)
        missing = len(encoded.dictionary)
        numbers = pc.fill_null(encoded.indices, missing).to_numpy()
        few = np.bincount(numbers, minlength=missing + 1)[numbers] <= ADDRESS_SHARED_MAX
        marked = pc.if_else(pa.array(few), values, pa.scalar(None, pa.string()))
        start = 0
        for table, size in zip(tables, sizes, strict=True):
            _replace_column(table, shared, marked.slice(start, size))
            start += size


def _replace_column(table: PreparedTable, name: str, values: Any) -> None:
    table.arrow = table.arrow.set_column(FEATURE_SCHEMA.get_field_index(name), FEATURE_SCHEMA.field(name), values)


def mark_run_counts(tables: Sequence[PreparedTable]) -> frozenset[str]:
    """What a run counts over all its inputs before linking: the rare name tokens and the addresses few records
    share (by district when every input has regions). Returns the feature groups every input has."""
    mark_rare_tokens(tables)
    features = frozenset.intersection(*(available_features(table) for table in tables))
    mark_shared_addresses(tables, by_district="region" in features)
    return features


def rare_token_limit(records: int) -> int:
    """How many records may carry a token for it to still count as rare."""
    return max(RARE_TOKEN_MIN_COUNT, int(records * RARE_TOKEN_SHARE))


def available_features(table: PreparedTable) -> frozenset[str]:
    """Feature groups (keys of ``FEATURE_SOURCES``) the input maps and has at least one value for."""
    return feature_groups(table.fields, lambda column: table.arrow.column(column).null_count < len(table))


def feature_groups(fields: Iterable[str], has_values: Callable[[str], bool]) -> frozenset[str]:
    """Feature groups whose fields the input maps and whose feature columns are not all empty.

    ``has_values(column)`` says whether a feature column has at least one
    value: a scan of a list here, a count on a cluster in the Spark engine.
    """
    mapped = frozenset(fields)
    present = set()
    for group, sources in FEATURE_SOURCES.items():
        if not mapped.intersection(sources):
            continue
        if any(has_values(column) for column in _GROUP_COLUMNS[group]):
            present.add(group)
    return frozenset(present)


_GROUP_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "name": ("name_key",),
    "birth_date": ("birth_date", "nik_birth_date"),
    "sex": ("sex", "nik_sex"),
    "nik": ("nik_digits", "nik_prefix15"),
    "kk": ("kk",),
    "passport": ("passport",),
    "phone": ("phone",),
    "birth_place": ("birth_place",),
    "address": ("address",),
    "region": ("region_regency", "nik_regency"),
    "other_id": ("other_id",),
}


def _features(record: Mapping[str, Cell], today: date, report: PreparationReport) -> dict[str, Any]:
    out: dict[str, Any] = {"unique_id": str(record.get("id") or "").strip()}
    out.update(_name_features(_name_text(record)))
    out["kk"] = _kk(_text(record.get("kk")))
    nik = _nik_features(_text(record.get("nik")), today, report)
    if out["kk"] is not None and nik["nik_digits"] == out["kk"]:
        # The KK typed into the NIK column: a household's number, not the person's.
        report.nik_is_kk += 1
        report.note("nik_is_kk", _text(record.get("nik")))
        nik = _NO_NIK
    out.update(nik)
    out.update(_region_features(_text(record.get("region_code")), report))

    raw_date = record.get("birth_date")
    birth = _date(raw_date, today) if isinstance(raw_date, str) else parse_date(raw_date, today=today)
    if birth is None and _text(raw_date):
        report.birth_date_unreadable += 1
        report.note("birth_date_unreadable", _text(raw_date))
    out["birth_date"] = birth
    out["sex"] = _SEX.get(_text(record.get("sex")).lower())
    # Whether the NIK's date and sex are the record's own (None: a date is missing). Its own column,
    # so that the NIK comparison does not read birth_date (Splink would not train it on a birth-date rule).
    nik_birth = out["nik_birth_date"]
    out["nik_own_date"] = (
        None if birth is None or nik_birth is None else birth == nik_birth and out["sex"] in (None, out["nik_sex"])
    )
    # The NIK's date stands in for a missing one when blocking.
    birth_any = birth or out["nik_birth_date"]
    out["birth_any"] = birth_any
    out["birth_year"] = str(birth_any.year) if birth_any else None

    phone_text = _text(record.get("phone"))
    phone = phone_e164(phone_text) if phone_text else None
    if phone_text and phone is None:
        report.phone_invalid += 1
        report.note("phone_invalid", phone_text)
    out["phone"] = phone
    out["passport"] = _code(_text(record.get("passport")))
    out["other_id"] = _code(_text(record.get("other_id")))
    out["birth_place"] = _place(_text(record.get("birth_place")))
    address, numbers, number_list, address_text = _address_features(_text(record.get("address")))
    out["address"] = address
    out["address_numbers"] = numbers
    out["address_number_list"] = list(number_list)
    out["address_text"] = address_text
    out["name_rare_tokens"] = []
    out["address_shared"] = out["address_numbers_shared"] = None  # see mark_shared_addresses
    return out


def _text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _name_text(record: Mapping[str, Cell]) -> str:
    full = _text(record.get("full_name"))
    if full:
        return full
    return " ".join(part for part in (_text(record.get("given_name")), _text(record.get("family_name"))) if part)


@lru_cache(maxsize=1 << 16)
def _date(text: str, today: date) -> date | None:
    # A million records share some twenty thousand birth dates.
    return parse_date(text, today=today)


@lru_cache(maxsize=1 << 18)
def _name_features(text: str) -> dict[str, Any]:
    name = normalize_name(text)
    if not name.tokens:
        return {
            "name_key": None,
            "name_inf_key": None,
            "name_inf_text": None,
            "name_phon": None,
            "name_phon_first": None,
            "name_phon_last": None,
            "name_first": None,
            "name_last": None,
            "name_inf_tokens": [],
        }
    # A name made only of low-information words ("Siti Nur") has nothing
    # better: its words are its evidence.
    informative = name.informative_tokens or name.tokens
    phonetic = [phonetic_key(token) for token in informative]
    return {
        "name_key": name.key,
        "name_inf_key": " ".join(sorted(informative)),
        # In written order: a typo in a word's first letter moves it in the sorted key ("uBdi Santoso").
        "name_inf_text": " ".join(informative),
        "name_phon": " ".join(sorted(phonetic)),
        "name_phon_first": phonetic[0],
        "name_phon_last": phonetic[-1],
        # The first and last informative words as spelt, for a typo in one of them.
        "name_first": informative[0],
        "name_last": informative[-1] if len(informative) > 1 else None,
        "name_inf_tokens": sorted(set(informative)),
    }


_NO_NIK: Final[dict[str, Any]] = {
    "nik": None,
    "nik_digits": None,
    "nik_prefix15": None,
    "nik_head": None,
    "nik_region": None,
    "nik_date_sex": None,
    "nik_serial": None,
    "nik_birth_date": None,
    "nik_sex": None,
    "nik_regency": None,
    "nik_district": None,
    "nik_own_date": None,
}


def _nik_features(text: str, today: date, report: PreparationReport) -> dict[str, Any]:
    if not text:
        return _NO_NIK
    result = parse_nik(text, regions=_regions(), today=today)
    if result.value is not None:
        parsed = result.value
        return {**_nik_parts(parsed.nik), "nik": parsed.nik, "nik_digits": parsed.nik, **_nik_embedded(parsed)}
    digits = _SEPARATORS.sub("", text.removeprefix("'"))
    sixteen = len(digits) == _NIK_LENGTH and digits.isascii() and digits.isdigit()
    if looks_excel_mangled(text):
        report.nik_excel_damaged += 1
        report.note("nik_excel_damaged", text)
        return _damaged_nik(text, digits if sixteen else None, today)
    report.nik_invalid += 1
    report.note("nik_invalid", text)
    if not sixteen:
        return _NO_NIK
    out = {**_NO_NIK, **_nik_parts(digits), "nik_digits": digits}
    # A mistyped region (or serial) leaves the birth date and sex the NIK encodes: they stand in for a missing
    # birth date and sex as a valid NIK's do. The region is not read from it.
    birth = decode_birth(digits, today=today)
    if birth is not None:
        out["nik_birth_date"], out["nik_sex"] = birth
    return out


def _nik_parts(digits: str) -> dict[str, Any]:
    """The NIK's parts: region (1-6) and birth date with sex (7-12) are the head, 13-16 the serial."""
    return {
        "nik_prefix15": digits[:15],
        "nik_head": digits[:12],
        "nik_region": digits[:6],
        "nik_date_sex": digits[6:12],
        "nik_serial": digits[12:],
    }


def _nik_embedded(parsed: Any) -> dict[str, Any]:
    return {
        "nik_birth_date": parsed.birth_date,
        "nik_sex": parsed.sex,
        # parse_nik returns well-formed dotted codes: dropping the dots is enough.
        "nik_regency": parsed.regency_code.replace(".", ""),
        "nik_district": parsed.district_code.replace(".", ""),
    }


_MANTISSA: Final = re.compile(r"(\d)[.,](\d*)[eE]\+?15")


def _damaged_nik(text: str, digits: str | None, today: date) -> dict[str, Any]:
    """What survived Excel: never the whole NIK (no exact match), but its region, date, sex and most of the serial.

    Sixteen digits whose last was rounded to 0 keep the first fifteen: the
    head (region, birth date, sex) and three of the four serial digits.
    Scientific notation (``7.27105E+15``) keeps as many leading digits as the
    cell showed, the last of them rounded: the regency when at least five
    survived, the head when thirteen did.
    """
    if digits is None:
        mantissa = _MANTISSA.fullmatch(text.strip())
        if mantissa is None:
            return _NO_NIK
        shown = mantissa[1] + mantissa[2]
        known = shown[:-1]  # the last digit shown was rounded
        if len(known) >= 12:
            digits = known[:12]
        else:
            regency = _regions().regency(f"{known[:2]}.{known[2:4]}") if len(known) >= 4 else None
            return {**_NO_NIK, "nik_regency": known[:4]} if regency is not None else _NO_NIK
    head = digits[:12]
    # The head is read by parse_nik with a stand-in serial, so the same rules decide its date and region.
    parsed = parse_nik(head + "0001", regions=_regions(), today=today).value
    if parsed is None:
        return _NO_NIK
    out = {**_NO_NIK, **_nik_embedded(parsed), "nik_head": head, "nik_region": head[:6], "nik_date_sex": head[6:]}
    if len(digits) == _NIK_LENGTH:
        out["nik_prefix15"] = digits[:15]
    return out


class _CachedRegions:
    """The shipped Kemendagri directory with memoised lookups: a million NIKs share a few thousand districts."""

    def __init__(self, directory: RegionLookup) -> None:
        self._directory = directory
        self.province = lru_cache(maxsize=None)(directory.province)
        self.regency = lru_cache(maxsize=None)(directory.regency)
        self.district = lru_cache(maxsize=None)(directory.district)


@lru_cache(maxsize=1)
def _regions() -> RegionLookup:
    return _CachedRegions(RegionDirectory.default())


def _region_features(text: str, report: PreparationReport) -> dict[str, Any]:
    if not text:
        return _NO_REGION
    levels = _region_levels(text)
    if levels is None:
        report.region_invalid += 1
        report.note("region_invalid", text)
        return _NO_REGION
    return levels


_REGION_COLUMNS: Final = ("region_province", "region_regency", "region_district", "region_village")
_NO_REGION: Final[dict[str, Any]] = dict.fromkeys(_REGION_COLUMNS)


@lru_cache(maxsize=1 << 16)
def _region_levels(text: str) -> dict[str, Any] | None:
    try:
        digits = dotless_code(text)
    except ValueError:
        return None
    return {
        column: digits[:length] if len(digits) >= length else None
        for column, length in zip(_REGION_COLUMNS, (2, 4, 6, 10), strict=True)
    }


# An Indonesian mobile number written 0812... or +62 812... with spaces, dots
# or dashes: phonenumbers' pattern for Indonesian mobiles (8[1-35-9] and 9 to
# 12 digits) decides validity on its own, so the E.164 form is known without a
# full parse. Everything else goes through normalize_phone; a property test
# checks that both paths agree.
_MOBILE: Final = re.compile(r"(?:\+62|0)(8[1-35-9]\d{7,10})", re.ASCII)
_PHONE_SEPARATORS: Final = re.compile(r"[ .\-]")


def phone_e164(text: str) -> str | None:
    """E.164 form of a phone number, or None when :func:`normalize_phone` rejects it."""
    mobile = _MOBILE.fullmatch(_PHONE_SEPARATORS.sub("", text))
    if mobile:
        return "+62" + mobile[1]
    return normalize_phone(text).e164


def _kk(text: str) -> str | None:
    if not text or looks_excel_mangled(text):
        return None
    digits = _SEPARATORS.sub("", text.removeprefix("'"))
    return digits if len(digits) == _NIK_LENGTH and digits.isascii() and digits.isdigit() else None


def _code(text: str) -> str | None:
    return _NOT_ALNUM.sub("", _fold(text).upper()) or None


@lru_cache(maxsize=1 << 14)
def _place(text: str) -> str | None:
    tokens = [token for token in normalize_name(text).tokens if token not in _PLACE_PREFIXES]
    return " ".join(tokens) or None


_NUMBER: Final = re.compile(r"[0-9]+")
_NUMBER_WORD: Final = re.compile(r"\b[0-9]+\b")


@lru_cache(maxsize=1 << 16)
def _address_features(text: str) -> tuple[str | None, str | None, tuple[str, ...], str | None]:
    """An address line's words, its numbers (as one text and as a set), and its words without the numbers.
    Households and villages share their lines ("Dusun II, RT 004"): a run prepares each line once."""
    address = _words(text)
    numbers = _address_numbers(address)
    without_numbers = (" ".join(_NUMBER_WORD.sub(" ", address).split()) or None) if address else None
    return address, " ".join(numbers) or None, tuple(sorted(set(numbers))), without_numbers


def _address_numbers(address: str | None) -> list[str]:
    """The numbers of an address, sorted, without leading zeros: house number, RT/RW, postcode.

    The most specific part of an address, and the part that survives a misspelt or
    abbreviated street name ("Jl." / "Jalan", "RT 01 RW 02" / "RT.1/RW.2").
    """
    if not address:
        return []
    # lstrip, not int(): a cell of thousands of digits is text to compare, not a number to convert.
    return sorted(number.lstrip("0") or "0" for number in _NUMBER.findall(address))


def _words(text: str) -> str | None:
    return " ".join(re.findall(r"[0-9a-z]+", _fold(text).lower())) or None


def _fold(text: str) -> str:
    if text.isascii():  # nearly every value: nothing to strip
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(character for character in decomposed if not unicodedata.combining(character))
