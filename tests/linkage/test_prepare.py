from __future__ import annotations

from collections import Counter
from datetime import date
from unittest.mock import patch

import pyarrow as pa  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sinergi.identity.phones import normalize_phone
from sinergi.linkage.prepare import (
    FEATURE_SCHEMA,
    PreparationReport,
    PreparedTable,
    available_features,
    mark_rare_tokens,
    mark_shared_addresses,
    phone_e164,
    prepare_records,
    rare_token_limit,
)

TODAY = date(2026, 6, 1)
ALL_FIELDS = ("id", "full_name", "birth_date", "sex", "nik", "kk", "phone", "region_code", "birth_place", "passport")


def prepare(*records: dict[str, object], fields: tuple[str, ...] = ALL_FIELDS) -> PreparedTable:
    rows = [{"id": str(number), **record} for number, record in enumerate(records, start=1)]
    return prepare_records(rows, fields=fields, today=TODAY)  # type: ignore[arg-type]


def column(table: PreparedTable, name: str) -> list[object]:
    return table.column(name)


def test_it_decodes_what_a_valid_nik_says() -> None:
    table = prepare({"full_name": "Siti", "nik": "7271055210900001"})

    assert column(table, "nik") == ["7271055210900001"]
    assert column(table, "nik_birth_date") == [date(1990, 10, 12)]
    assert column(table, "nik_sex") == ["P"]
    assert (column(table, "nik_regency"), column(table, "nik_district")) == (["7271"], ["727105"])
    # No birth date of its own: the NIK's stands in for blocking and comparing.
    assert column(table, "birth_any") == [date(1990, 10, 12)]
    assert column(table, "birth_year") == ["1990"]


@pytest.mark.parametrize("raw", ["7.27105E+15", "7,27105E+15", "7271055210900000", "7.271055210900001e+15"])
def test_it_never_turns_an_excel_damaged_nik_into_an_exact_match(raw: str) -> None:
    table = prepare({"full_name": "Siti", "nik": raw})

    assert column(table, "nik") == [None]
    assert column(table, "nik_digits") == [None]
    assert table.report.nik_excel_damaged == 1


def test_it_repairs_the_decimal_suffix_excel_leaves_on_a_nik() -> None:
    assert column(prepare({"full_name": "Siti", "nik": "7271055210900001.0"}), "nik") == ["7271055210900001"]


def test_it_keeps_the_digits_of_a_mistyped_nik_for_typo_matching_only() -> None:
    table = prepare({"full_name": "Siti", "nik": "7271995210900001"})  # district 99 does not exist

    assert column(table, "nik") == [None]
    assert column(table, "nik_digits") == ["7271995210900001"]
    assert table.report.nik_invalid == 1


def test_it_compares_names_in_the_identity_cores_normal_form() -> None:
    table = prepare(
        {"full_name": "H. Moch. Djoko Tjahjono, S.Pd."},
        {"full_name": "Muhammad Joko Cahyono"},
        {"full_name": "Siti Aminah"},
    )

    keys = column(table, "name_key")
    assert keys[0] == keys[1] == "muhammad yoko cahyono"
    # Muhammad and Siti say little about who someone is: left out of the informative tokens.
    assert column(table, "name_inf_tokens")[0] == ["cahyono", "yoko"]
    assert column(table, "name_inf_key")[2] == "aminah"
    assert column(table, "name_phon")[0] == column(table, "name_phon")[1]


def test_it_joins_given_and_family_names_when_there_is_no_full_name() -> None:
    table = prepare({"given_name": "Maria", "family_name": "Lamba"}, fields=("id", "given_name", "family_name"))

    assert column(table, "name_key") == ["maria lamba"]


def test_it_marks_tokens_rare_in_the_data_at_hand() -> None:
    common = [{"full_name": f"Aminah {suffix}"} for suffix in ("Lasanudin", "Tobondo", "Rauf", "Saleh", "Abas")]
    table = prepare(*common)

    limit = mark_rare_tokens([table])

    assert limit == rare_token_limit(5) == 3
    assert column(table, "name_rare_tokens")[0] == ["lasanudin"]  # aminah is on all five records


def test_it_reads_sex_codes_and_region_levels() -> None:
    table = prepare(
        {"full_name": "A", "sex": "Laki-laki", "region_code": "72.71.05.1001"},
        {"full_name": "B", "sex": "perempuan", "region_code": "7202"},
        {"full_name": "C", "sex": "?", "region_code": "72.7"},
    )

    assert column(table, "sex") == ["L", "P", None]
    assert column(table, "region_village") == ["7271051001", None, None]
    assert column(table, "region_regency") == ["7271", "7202", None]
    assert table.report.region_invalid == 1


def test_it_writes_phones_as_e164() -> None:
    table = prepare({"full_name": "A", "phone": "0812-3456-7890"}, {"full_name": "B", "phone": "+60 12-345 6789"})

    assert column(table, "phone") == ["+6281234567890", "+60123456789"]


_SEPARATOR = st.sampled_from(["", " ", "-", "."])


@given(
    prefix=st.sampled_from(["0", "+62", "+62 ", "62", "0062", "(0", "+620"]),
    digits=st.text(alphabet="0123456789", min_size=6, max_size=14),
    separator=_SEPARATOR,
)
def test_its_fast_path_for_mobiles_agrees_with_the_identity_core(prefix: str, digits: str, separator: str) -> None:
    text = prefix + separator.join(digits[i : i + 4] for i in range(0, len(digits), 4))

    assert phone_e164(text) == normalize_phone(text).e164


def test_it_only_uses_comparisons_whose_fields_have_values() -> None:
    table = prepare({"full_name": "Siti", "nik": "7.27105E+15", "phone": "0812-3456-7890"})

    # What Excel left of the NIK is its regency (72.71): region evidence, never a NIK to compare.
    assert available_features(table) == {"name", "phone", "region"}


# A few words and addresses drawn often, so that counts cross the limits (3 records for a token in small data; the
# address limit is drawn small for the test).
_WORDS = st.lists(st.sampled_from(["aminah", "lasanudin", "rauf", "siti", "tobondo", "saleh"]), unique=True, max_size=4)
_RECORD = st.tuples(
    _WORDS,
    st.none() | st.sampled_from(["jl kenari 17", "dusun i", "jl trans sulawesi"]),
    st.none() | st.sampled_from(["17", "3 9"]),
    st.none() | st.sampled_from(["727105", "720204"]),
)


def _marked_input(records: list[tuple[list[str], str | None, str | None, str | None]]) -> PreparedTable:
    """Only the columns the run counts, the others empty; in two Arrow chunks, as parallel preparation gives."""
    values = {name: [None] * len(records) for name in FEATURE_SCHEMA.names}
    values["name_inf_tokens"] = values["name_rare_tokens"] = [tokens for tokens, *_ in records]
    values["address"] = [address for _, address, _, _ in records]
    values["address_numbers"] = [numbers for _, _, numbers, _ in records]
    values["region_district"] = [district for *_, district in records]
    whole = pa.Table.from_pydict(values, schema=FEATURE_SCHEMA)
    half = len(records) // 2
    return PreparedTable(pa.concat_tables([whole.slice(0, half), whole.slice(half)]), frozenset(), PreparationReport())


@given(
    inputs=st.lists(st.lists(_RECORD, max_size=30), min_size=1, max_size=2),
    by_district=st.booleans(),
    shared_max=st.integers(min_value=1, max_value=4),
)
def test_the_runs_counts_are_those_of_every_record_of_every_input(inputs, by_district: bool, shared_max: int) -> None:  # type: ignore[no-untyped-def]
    tables = [_marked_input(records) for records in inputs]
    every = [record for records in inputs for record in records]
    tokens = Counter(token for words, *_ in every for token in words)
    limit = rare_token_limit(len(every))
    places = Counter((address, district if by_district else None) for _, address, _, district in every)
    numbers = Counter((number, district if by_district else None) for _, _, number, district in every)

    assert mark_rare_tokens(tables) == limit
    with patch("sinergi.linkage.prepare.ADDRESS_SHARED_MAX", shared_max):
        mark_shared_addresses(tables, by_district=by_district)

    for table, records in zip(tables, inputs, strict=True):
        assert table.column("name_rare_tokens") == [
            [token for token in words if tokens[token] <= limit] for words, *_ in records
        ]
        district = [district if by_district else None for *_, district in records]
        assert table.column("address_shared") == [
            address if address is not None and places[address, place] <= shared_max else None
            for (_, address, _, _), place in zip(records, district, strict=True)
        ]
        assert table.column("address_numbers_shared") == [
            number if number is not None and numbers[number, place] <= shared_max else None
            for (_, _, number, _), place in zip(records, district, strict=True)
        ]
        assert table.arrow.schema == FEATURE_SCHEMA
