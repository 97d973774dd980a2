"""The NIK modelled by its parts (region, birth date and sex, serial), evidence counted once, blocking on every id.

Issue 14: two different women born the same day in the same regency, whose NIKs differ in the district and
the serial, scored 0.99; a NIK Excel damaged was thrown away; records sharing only an id were never compared.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.linkage_data import FIELDS, TODAY, LinkageDataset, make_dataset
from sinergi.identity.nik import build_nik, decode_birth
from sinergi.linkage import link_tables, prepare_records
from sinergi.linkage.comparisons import FIRST_SERIAL_BITS, blocking_rules_for, comparisons_for
from sinergi.linkage.linking import LinkResult
from sinergi.linkage.model import DEFAULT_MATCH_THRESHOLD, DEFAULT_REVIEW_THRESHOLD

_DISTRICTS = ("720104", "720114", "727105", "737101", "110101")

FEBRIANI = {
    "id": "L-febriani",
    "full_name": "SITI FEBRIANI",
    "nik": "7201144412870002",
    "birth_date": "04/12/1987",
    "sex": "P",
    "region_code": "72.01.14",
}
SURIANI = {
    "id": "R-suriani",
    "full_name": "Siti Suriani",
    "nik": "7201044412870001",
    "birth_date": "1987-12-04",
    "sex": "P",
    "region_code": "72.01.04",
}
# One person registered twice; the export's NIK went through Excel.
HASNAH = {
    "id": "R-hasnah",
    "full_name": "Hasnah Lamarauna",
    "nik": "7201044412870013",
    "birth_date": "1987-12-04",
    "sex": "P",
    "region_code": "7201042001",
    "phone": "081245678901",
}
HASNAH_ROUNDED = {**HASNAH, "id": "L-hasnah-rounded", "nik": "7201044412870010", "phone": None}
HASNAH_SCIENTIFIC = {**HASNAH, "id": "L-hasnah-scientific", "nik": "7.20104E+15", "full_name": "HASNAH LAMARAUNA"}
# Sharing only an id: names and dates written so differently that no name-and-date rule pairs them.
SHARED_ID_LEFT = {"id": "L-shared", "full_name": "Wayan Sudarta", "birth_date": "1975-03-02", "passport": "C 1234567"}
SHARED_ID_RIGHT = {"id": "R-shared", "full_name": "I Wayan Sudarta", "birth_date": "1957-02-03", "passport": "c1234567"}


# Two women born the same day in one district, each serial 0001 and 0002; the export's NIK has a typo in the
# regency digits as well (7222 is no regency): a neighbour's NIK with a typo, not the same person's.
RUKMONI = {
    "id": "L-rukmoni",
    "full_name": "Rukmoni",
    "nik": "7222096311880001",
    "birth_date": "23/11/1988",
    "sex": "P",
    "region_code": "7212092003",
}
RAHMAWATI = {
    "id": "R-rahmawati",
    "full_name": "RAHMAWATI",
    "nik": "7212096311880002",
    "birth_date": "1988-11-23",
    "sex": "P",
    "region_code": "7212092003",
}
# Two women born the same day, both the first registered that day in their district (serial 0001); the export's
# NIK has a typo in the regency (7291 is no regency) that puts it one digit from the other's.
SMATNI = {
    "id": "L-smatni",
    "full_name": "Smatni",
    "nik": "7291144209880001",
    "birth_date": "02/09/1988",
    "sex": "P",
    "region_code": "7291142005",
}
ROSMIATI = {
    "id": "R-rosmiati",
    "full_name": "Rosmiati",
    "nik": "7201144209880001",
    "birth_date": "1988-09-02",
    "sex": "P",
    "region_code": "7201142002",
}
# One man: the export has no birth date, and its NIK a mistyped regency; what the NIK says of his birth still
# agrees with the registry's date. His name was typed with two slips.
SYAMSUL = {
    "id": "L-syamsul",
    "full_name": "SYAMSUL",
    "nik": "7291141504040001",
    "sex": "L",
    "kk": "7201140203163323",
}
SYAMSUL_REGISTERED = {
    "id": "R-syamsul",
    "full_name": "Syamsul",
    "nik": "7201141504040001",
    "birth_date": "2004-04-15",
    "sex": "L",
    "kk": "7201140203163323",
}
YUSUF = {"id": "L-yusuf", "full_name": "Yuuf", "nik": "7201041707000001", "birth_date": "27-07-2000"}
YUSUF_REGISTERED = {
    "id": "R-yusuf",
    "full_name": "Yusuf",
    "nik": "7201041707000001",
    "birth_date": "2000-07-17",
    "sex": "L",
}
# One person; the official wrote only the first of his names and no NIK.
AHMAD: dict[str, Any] = {"id": "L-ahmad", "full_name": "AHMAD", "birth_date": "07-09-1991", "phone": "081364799829"}
AHMAD_FAUZI = {
    "id": "R-ahmad-fauzi",
    "full_name": "Ahmad Fauzi",
    "nik": "7212040709910001",
    "birth_date": "1991-09-07",
    "sex": "L",
    "phone": "081364799829",
}


def _prepare(rows: list[dict[str, Any]]) -> Any:
    return prepare_records(rows, fields=FIELDS, today=TODAY)


@pytest.fixture(scope="module")
def dataset() -> LinkageDataset:
    return make_dataset(400, 4000, seed=13)


@pytest.fixture(scope="module")
def linked(dataset: LinkageDataset) -> LinkResult:
    left: list[dict[str, Any]] = [
        *dataset.left,
        FEBRIANI,
        HASNAH_ROUNDED,
        HASNAH_SCIENTIFIC,
        SHARED_ID_LEFT,
        RUKMONI,
        AHMAD,
        SMATNI,
        SYAMSUL,
        YUSUF,
    ]
    right: list[dict[str, Any]] = [
        *dataset.right,
        SURIANI,
        HASNAH,
        SHARED_ID_RIGHT,
        RAHMAWATI,
        AHMAD_FAUZI,
        ROSMIATI,
        SYAMSUL_REGISTERED,
        YUSUF_REGISTERED,
    ]
    return link_tables(_prepare(left), _prepare(right), review_threshold=1e-9, explain=True)


def _pair(result: LinkResult, left_id: str, right_id: str) -> Any:
    return next((p for p in result.pairs if (p.left_id, p.right_id) == (left_id, right_id)), None)


def test_it_keeps_two_women_born_the_same_day_in_one_regency_apart(linked: LinkResult) -> None:
    pair = _pair(linked, "L-febriani", "R-suriani")

    # The pair is scored (same birth date and regency, names loosely alike), and it stays below review.
    assert pair is not None
    assert pair.match_probability < DEFAULT_REVIEW_THRESHOLD
    weights = dict(pair.weights)
    assert weights["nik"] < 0  # same birth date and sex in the NIK, another district: counted by birth date, not twice
    assert weights["birth_date"] > 0


def test_it_keeps_a_neighbours_nik_with_a_typo_in_the_region_apart(linked: LinkResult) -> None:
    pair = _pair(linked, "L-rukmoni", "R-rahmawati")

    # A region typo would explain 7222 / 7212, but not the other serial too: two people, not one.
    assert pair is None or pair.match_probability < DEFAULT_REVIEW_THRESHOLD
    if pair is not None:
        assert dict(pair.weights)["nik"] < 0


def test_it_keeps_apart_a_mistyped_nik_that_shares_only_the_commonest_serial(linked: LinkResult) -> None:
    """Serial 0001 is most people's: with it, a NIK one typo from another's is what two people born the same day
    in neighbouring districts have. Different names then keep them apart (they scored 0.91 when the shared serial
    counted 13.8 bits)."""
    pair = _pair(linked, "L-smatni", "R-rosmiati")

    assert pair is None or pair.match_probability < DEFAULT_REVIEW_THRESHOLD
    if pair is not None:
        assert dict(pair.weights)["nik"] == pytest.approx(FIRST_SERIAL_BITS, abs=0.01)


def test_it_reads_the_birth_date_of_a_nik_whose_region_was_mistyped(linked: LinkResult) -> None:
    pair = _pair(linked, "L-syamsul", "R-syamsul")

    assert pair is not None
    assert pair.match_probability >= DEFAULT_MATCH_THRESHOLD
    assert dict(pair.weights)["birth_date"] > 5  # the export has no date of its own: its NIK's agrees


def test_it_links_a_short_name_typed_with_two_slips_when_the_nik_agrees(linked: LinkResult) -> None:
    pair = _pair(linked, "L-yusuf", "R-yusuf")

    assert pair is not None
    assert pair.match_probability >= DEFAULT_MATCH_THRESHOLD
    assert dict(pair.weights)["name"] > 0


@given(
    district=st.sampled_from(_DISTRICTS),
    born=st.dates(min_value=date(1950, 1, 1), max_value=date(2008, 12, 31)),
    sex=st.sampled_from(("L", "P")),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_a_nik_with_a_mistyped_region_keeps_its_birth_date_and_sex(
    district: str, born: date, sex: str, serial: int
) -> None:
    nik = build_nik(district, born, sex, serial)  # type: ignore[arg-type]
    mistyped = nik[:2] + "9" + nik[3:]  # no regency 9x exists in any province

    table = _prepare([{"id": "a", "full_name": "A", "nik": mistyped}])

    columns = table.arrow.to_pydict()
    assert columns["nik"][0] is None  # not a valid NIK: never an exact match
    assert columns["nik_digits"][0] == mistyped
    assert (columns["nik_birth_date"][0], columns["nik_sex"][0]) == (born, sex)
    assert columns["nik_regency"][0] is None  # the region is not read from it
    assert decode_birth(mistyped, today=TODAY) == (born, sex)


def test_it_links_a_name_whose_later_words_were_left_out(linked: LinkResult) -> None:
    pair = _pair(linked, "L-ahmad", "R-ahmad-fauzi")

    assert pair is not None and pair.match_probability >= DEFAULT_MATCH_THRESHOLD
    assert dict(pair.weights)["name"] > 0
    assert dict(pair.weights)["phone"] > 0  # the names could be one person's: the phone counts


def test_it_reads_1_january_as_a_day_and_month_nobody_knew() -> None:
    (birth_date,) = (c for c in comparisons_for({"name", "birth_date"}) if c["output_column_name"] == "birth_date")
    labels = [level["label_for_charts"] for level in birth_date["comparison_levels"]]

    # Its own level, before "same year only": EM learns how often one person's two records show it.
    placeholder = labels.index("Same year, one date 1 January (day and month unknown)")
    assert placeholder < labels.index("Same year only")


def test_it_does_not_use_a_nik_that_is_the_rows_kk() -> None:
    table = _prepare([{"id": "a", "full_name": "Iwan", "nik": "7211071706106720", "kk": "7211071706106720"}])

    assert table.column("nik_digits") == [None] and table.column("nik_head") == [None]
    assert table.column("kk") == ["7211071706106720"]
    assert table.report.nik_is_kk == 1
    assert any("KK" in line for line in table.report.lines())


def test_it_still_links_a_person_whose_nik_excel_damaged(linked: LinkResult) -> None:
    rounded = _pair(linked, "L-hasnah-rounded", "R-hasnah")
    scientific = _pair(linked, "L-hasnah-scientific", "R-hasnah")

    assert rounded is not None and rounded.match_probability >= DEFAULT_MATCH_THRESHOLD
    assert scientific is not None and scientific.match_probability >= DEFAULT_MATCH_THRESHOLD
    # The rounded NIK is neither a match of its own nor a reason against one.
    assert dict(rounded.weights)["nik"] == 0


def test_it_compares_records_that_share_only_an_id(linked: LinkResult) -> None:
    assert _pair(linked, "L-shared", "R-shared") is not None


def test_it_blocks_on_every_mapped_identifier_and_the_address() -> None:
    rules = blocking_rules_for({"name", "birth_date", "nik", "kk", "passport", "phone", "other_id", "address"})

    for column in ("nik_digits", "nik_prefix15", "kk", "passport", "phone", "other_id"):
        assert f"l.{column} = r.{column}" in rules
    # The address while few records share it (prepare.mark_shared_addresses): a household's, not a hamlet's.
    assert "l.address_shared = r.address_shared" in rules


def test_it_weighs_a_nik_differing_only_in_serial_or_district_as_evidence_against(linked: LinkResult) -> None:
    (nik,) = (c for c in linked.model.splink_settings["comparisons"] if c["output_column_name"] == "nik")
    levels = {level["label_for_charts"]: level for level in nik["comparison_levels"]}

    for label in (
        "Same region, birth date and sex in the NIK; another serial",
        "Same birth date and sex in the NIK; another district",
    ):
        level = levels[label]
        assert level["m_probability"] < level["u_probability"]
    same = levels["Same NIK"]
    assert same["m_probability"] > 1000 * same["u_probability"]


def test_it_counts_a_familys_kk_phone_and_address_once() -> None:
    (phone,) = (c for c in comparisons_for({"name", "kk", "phone"}) if c["output_column_name"] == "phone")
    (address,) = (
        c for c in comparisons_for({"name", "kk", "phone", "address"}) if c["output_column_name"] == "address"
    )

    assert any(
        level.get("is_null_level") and "kk_l = kk_r" in level["sql_condition"] for level in phone["comparison_levels"]
    )
    assert any(
        level.get("is_null_level") and "phone_l = phone_r" in level["sql_condition"]
        for level in address["comparison_levels"]
    )


@given(
    district=st.sampled_from(_DISTRICTS),
    born=st.dates(min_value=date(1950, 1, 1), max_value=date(2008, 12, 31)),
    sex=st.sampled_from(("L", "P")),
    serials=st.lists(st.integers(min_value=1, max_value=9999), min_size=2, max_size=2, unique=True),
)
def test_it_gives_neighbours_nik_the_same_head_and_another_serial(
    district: str, born: date, sex: str, serials: list[int]
) -> None:
    first, second = (build_nik(district, born, sex, serial) for serial in serials)  # type: ignore[arg-type]

    table = _prepare([{"id": "a", "full_name": "A", "nik": first}, {"id": "b", "full_name": "B", "nik": second}])

    columns = table.arrow.to_pydict()
    assert columns["nik_head"][0] == columns["nik_head"][1] == first[:12]
    assert columns["nik_serial"][0] != columns["nik_serial"][1]
    assert columns["nik_digits"][0] != columns["nik_digits"][1]


@given(
    district=st.sampled_from(_DISTRICTS),
    born=st.dates(min_value=date(1950, 1, 1), max_value=date(2008, 12, 31)),
    sex=st.sampled_from(("L", "P")),
    # A serial ending in 0 is the same after rounding: nothing was damaged.
    serial=st.integers(min_value=1, max_value=9999).filter(lambda serial: serial % 10 != 0),
)
def test_it_keeps_what_excel_left_of_a_nik(district: str, born: date, sex: str, serial: int) -> None:
    nik = build_nik(district, born, sex, serial)  # type: ignore[arg-type]
    rounded = nik[:15] + "0"
    scientific = f"{int(nik):.5E}".replace("E+0", "E+")

    table = _prepare(
        [
            {"id": "good", "full_name": "A", "nik": nik},
            {"id": "rounded", "full_name": "A", "nik": rounded},
            {"id": "scientific", "full_name": "A", "nik": scientific},
        ]
    )

    columns = table.arrow.to_pydict()
    # The rounded value keeps region, birth date, sex and three serial digits; it never equals the good NIK.
    assert columns["nik_prefix15"][1] == nik[:15]
    assert columns["nik_digits"][1] != nik
    assert columns["nik_birth_date"][1] == columns["nik_birth_date"][0] == born
    assert columns["nik_sex"][1] == columns["nik_sex"][0] == sex
    assert columns["nik_regency"][1] == nik[:4]
    # Scientific notation keeps the regency (region evidence), nothing that could match exactly.
    assert columns["nik_digits"][2] is None and columns["nik_prefix15"][2] is None
    assert columns["nik_regency"][2] == nik[:4]
