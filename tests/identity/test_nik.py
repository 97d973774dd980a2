from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sinergi.identity.nik import (
    InvalidNik,
    NikDigitGroup,
    NikErrorCode,
    NikResult,
    NikWarningCode,
    build_nik,
    looks_excel_mangled,
    parse_nik,
)
from sinergi.identity.regions import Region, RegionDirectory, RegionLevel

# A fixed "today" keeps the century rule deterministic.
TODAY = date(2026, 6, 1)
DIRECTORY = RegionDirectory.default()
DISTRICTS = DIRECTORY.regions(RegionLevel.DISTRICT)


def parse(raw: str) -> NikResult:
    return parse_nik(raw, today=TODAY)


def error_codes(result: NikResult) -> list[NikErrorCode]:
    return [error.code for error in result.errors]


def test_it_decodes_the_palu_example() -> None:
    parsed = parse("7271055210900001").unwrap()

    assert parsed.nik == "7271055210900001"
    assert (parsed.province_code, parsed.province_name) == ("72", "Sulawesi Tengah")
    assert (parsed.regency_code, parsed.regency_name) == ("72.71", "Kota Palu")
    assert (parsed.district_code, parsed.district_name) == ("72.71.05", "Ulujadi")
    assert parsed.sex == "P"  # day 52 = 12 + 40
    assert parsed.birth_date == date(1990, 10, 12)
    assert parsed.serial == 1


def test_it_rejects_an_unknown_district_naming_digits_5_6() -> None:
    result = parse("7271995210900001")

    assert not result.ok
    assert result.value is None
    [error] = result.errors
    assert error.code is NikErrorCode.UNKNOWN_DISTRICT
    assert error.field == NikDigitGroup.DISTRICT
    assert error.field == "5-6"
    assert error.message_id.startswith("Digit 5-6 (kecamatan) '99'")
    assert "Kota Palu (72.71)" in error.message_id
    assert error.message_en.startswith("Digits 5-6 (district) '99'")


def test_it_rejects_birth_day_35_naming_digits_7_8() -> None:
    result = parse("7271053510900001")

    [error] = result.errors
    assert error.code is NikErrorCode.INVALID_BIRTH_DAY
    assert error.field == "7-8"
    assert error.message_id.startswith("Digit 7-8 (tanggal lahir) '35'")
    assert "41-71" in error.message_id and "41-71" in error.message_en


@pytest.mark.parametrize("day", ["00", "32", "40", "72", "99"])
def test_it_rejects_impossible_encoded_days(day: str) -> None:
    assert error_codes(parse(f"727105{day}10900001")) == [NikErrorCode.INVALID_BIRTH_DAY]


@pytest.mark.parametrize(
    ("day", "sex", "born"),
    [
        ("01", "L", date(1990, 10, 1)),
        ("31", "L", date(1990, 10, 31)),
        ("41", "P", date(1990, 10, 1)),
        ("71", "P", date(1990, 10, 31)),
    ],
)
def test_it_reads_sex_from_the_day(day: str, sex: str, born: date) -> None:
    parsed = parse(f"727105{day}10900001").unwrap()

    assert (parsed.sex, parsed.birth_date) == (sex, born)


@pytest.mark.parametrize("month", ["00", "13"])
def test_it_rejects_impossible_months_naming_digits_9_10(month: str) -> None:
    [error] = parse(f"72710512{month}900001").errors

    assert error.code is NikErrorCode.INVALID_BIRTH_MONTH
    assert error.message_id.startswith("Digit 9-10 (bulan lahir)")


@pytest.mark.parametrize("nik", ["7271053102900001", "7271057102900001", "7271052902010001"])
def test_it_rejects_dates_that_do_not_exist(nik: str) -> None:
    [error] = parse(nik).errors

    assert error.code is NikErrorCode.IMPOSSIBLE_BIRTH_DATE
    assert error.field == "7-12"


def test_it_explains_29_february_of_a_common_year() -> None:
    [error] = parse("7271052902010001").errors

    assert "2001 bukan tahun kabisat" in error.message_id
    assert "2001 is not a leap year" in error.message_en


def test_it_accepts_29_february_of_leap_years() -> None:
    assert parse("7271052902000001").unwrap().birth_date == date(2000, 2, 29)
    assert parse("7271056902960001").unwrap().birth_date == date(1996, 2, 29)


@pytest.mark.parametrize(
    ("ddmmyy", "born"),
    [
        ("010526", date(2026, 5, 1)),  # this year, already past
        ("010726", date(1926, 7, 1)),  # this year's date still ahead: last century
        ("010600", date(2000, 6, 1)),
        ("150890", date(1990, 8, 15)),
        ("311227", date(1927, 12, 31)),
    ],
)
def test_it_takes_the_latest_century_that_is_not_in_the_future(ddmmyy: str, born: date) -> None:
    assert parse(f"727105{ddmmyy}0001").unwrap().birth_date == born


def test_it_rejects_serial_0000_and_mentions_excel() -> None:
    [error] = parse("7271055210900000").errors

    assert error.code is NikErrorCode.ZERO_SERIAL
    assert error.field == "13-16"
    assert error.message_id.startswith("Digit 13-16 (nomor urut)")
    assert "Excel" in error.message_id and "Excel" in error.message_en


def test_it_reports_every_wrong_digit_group_at_once() -> None:
    result = parse("7271053513900000")

    assert error_codes(result) == [
        NikErrorCode.INVALID_BIRTH_DAY,
        NikErrorCode.INVALID_BIRTH_MONTH,
        NikErrorCode.ZERO_SERIAL,
    ]


@pytest.mark.parametrize(
    ("nik", "code", "field"),
    [
        ("9971055210900001", NikErrorCode.UNKNOWN_PROVINCE, "1-2"),
        ("7299055210900001", NikErrorCode.UNKNOWN_REGENCY, "3-4"),
    ],
)
def test_it_reports_only_the_highest_unknown_region_level(nik: str, code: NikErrorCode, field: str) -> None:
    [error] = parse(nik).errors

    assert (error.code, error.field) == (code, field)


@pytest.mark.parametrize("raw", ["7.27105E+15", "7,27105E+15", "7.271055210900001e15", " 7.27105e+15 "])
def test_it_rejects_scientific_notation_as_excel_damage(raw: str) -> None:
    [error] = parse(raw).errors

    assert error.code is NikErrorCode.EXCEL_SCIENTIFIC
    assert "Excel" in error.message_en and "Text" in error.message_en
    assert "Teks" in error.message_id
    assert looks_excel_mangled(raw)


def test_it_strips_a_decimal_suffix_with_a_warning() -> None:
    result = parse("7271055210900001.0")

    assert result.ok
    assert result.unwrap().nik == "7271055210900001"
    [warning] = result.warnings
    assert warning.code is NikWarningCode.EXCEL_DECIMAL_SUFFIX
    assert "Excel" in warning.message_id and "Excel" in warning.message_en
    assert looks_excel_mangled("7271055210900001.0")


def test_it_blames_excel_rounding_when_a_converted_nik_has_serial_0000() -> None:
    result = parse("7271055210900000.0")

    assert error_codes(result) == [NikErrorCode.EXCEL_ROUNDED]
    assert [warning.code for warning in result.warnings] == [NikWarningCode.EXCEL_DECIMAL_SUFFIX]
    assert "15" in result.errors[0].message_en


def test_it_explains_a_15_digit_nik_is_not_a_dropped_leading_zero() -> None:
    [error] = parse("727105521090001").errors

    assert error.code is NikErrorCode.MISSING_DIGIT
    assert "never starts with 0" in error.message_en
    assert "tidak pernah diawali angka 0" in error.message_id


@pytest.mark.parametrize("raw", ["72710552109000011", "7271055210"])
def test_it_rejects_other_lengths(raw: str) -> None:
    [error] = parse(raw).errors

    assert error.code is NikErrorCode.WRONG_LENGTH
    assert f"{len(raw)}" in error.message_en


@pytest.mark.parametrize(
    "raw",
    [
        "7271 0552 1090 0001",
        "72.71.05.521090.0001",
        "7271-0552-1090-0001",
        "\u00a07271\u00a0055210900001 ",
        "'7271055210900001",
    ],
)
def test_it_accepts_separators_people_type(raw: str) -> None:
    result = parse(raw)

    assert result.unwrap().nik == "7271055210900001"
    assert result.warnings == ()
    assert not looks_excel_mangled(raw)


def test_it_rejects_letters_and_suggests_the_digit_they_resemble() -> None:
    [error] = parse("72710552109OOOO1").errors

    assert error.code is NikErrorCode.INVALID_CHARACTERS
    assert "'O'" in error.message_en
    assert "0 atau 1" in error.message_id


def test_it_rejects_an_empty_nik() -> None:
    assert error_codes(parse("   ")) == [NikErrorCode.EMPTY]


def test_it_uses_the_region_lookup_it_is_given() -> None:
    class OneDistrict:
        def province(self, code: str) -> Region | None:
            return Region(code, "Provinsi Uji", RegionLevel.PROVINCE) if code == "11" else None

        def regency(self, code: str) -> Region | None:
            return Region(code, "Kabupaten Uji", RegionLevel.REGENCY) if code == "11.01" else None

        def district(self, code: str) -> Region | None:
            return Region(code, "Kecamatan Uji", RegionLevel.DISTRICT) if code == "11.01.99" else None

    parsed = parse_nik("1101991210900001", regions=OneDistrict(), today=TODAY).unwrap()

    assert parsed.district_name == "Kecamatan Uji"
    # Ulujadi exists in the shipped tables, but not in this lookup.
    assert error_codes(parse_nik("7271055210900001", regions=OneDistrict(), today=TODAY)) == [
        NikErrorCode.UNKNOWN_PROVINCE
    ]


def test_it_raises_invalid_nik_with_the_errors_on_unwrap() -> None:
    with pytest.raises(InvalidNik) as raised:
        parse("7271053510900001").unwrap()

    assert [error.code for error in raised.value.errors] == [NikErrorCode.INVALID_BIRTH_DAY]
    assert "Digits 7-8" in str(raised.value)


def test_it_picks_the_message_by_language() -> None:
    [error] = parse("7271053510900001").errors

    assert error.message("id") == error.message_id
    assert error.message("en-gb") == error.message_en
    assert error.message("fr") == error.message_id


def test_it_builds_the_palu_example() -> None:
    assert build_nik("72.71.05", date(1990, 10, 12), "P", 1) == "7271055210900001"
    assert build_nik("727105", date(1990, 10, 12), "L", 9999) == "7271051210909999"


@pytest.mark.parametrize(
    ("district", "sex", "serial"),
    [
        ("72.71", "L", 1),
        ("72.71.05", "X", 1),
        ("72.71.05", "L", 0),
        ("72.71.05", "L", 10000),
    ],
)
def test_it_refuses_to_build_from_bad_parts(district: str, sex: str, serial: int) -> None:
    with pytest.raises(ValueError):
        build_nik(district, date(1990, 10, 12), sex, serial)  # type: ignore[arg-type]


@given(
    district=st.sampled_from(DISTRICTS),
    birth_date=st.dates(min_value=date(TODAY.year - 99, 1, 1), max_value=TODAY),
    sex=st.sampled_from(["L", "P"]),
    serial=st.integers(min_value=1, max_value=9999),
)
def test_it_round_trips_any_valid_nik(district: Region, birth_date: date, sex: str, serial: int) -> None:
    nik = build_nik(district.code, birth_date, sex, serial)  # type: ignore[arg-type]

    result = parse(nik)

    assert result.errors == () and result.warnings == ()
    parsed = result.unwrap()
    assert parsed.nik == nik
    assert parsed.district_code == district.code
    assert parsed.district_name == district.name
    assert parsed.regency_code == district.parent_code
    assert (parsed.birth_date, parsed.sex, parsed.serial) == (birth_date, sex, serial)


@given(
    district=st.sampled_from(DISTRICTS),
    birth_date=st.dates(min_value=date(1950, 1, 1), max_value=TODAY - timedelta(days=1)),
    separators=st.lists(st.sampled_from([" ", ".", "-", ""]), min_size=15, max_size=15),
)
def test_it_ignores_separators_anywhere(district: Region, birth_date: date, separators: list[str]) -> None:
    nik = build_nik(district.code, birth_date, "L", 1)
    written = nik[0] + "".join(separator + digit for separator, digit in zip(separators, nik[1:], strict=True))

    assert parse(written).unwrap().nik == nik


@given(st.text())
def test_it_never_raises_on_arbitrary_text(raw: str) -> None:
    result = parse(raw)

    assert result.ok != bool(result.errors)
    for problem in (*result.errors, *result.warnings):
        assert problem.message_id and problem.message_en and problem.message_id != problem.message_en
    looks_excel_mangled(raw)


@given(st.text(alphabet="0123456789 .,-eE+'", max_size=24))
def test_it_never_raises_on_number_like_text(raw: str) -> None:
    result = parse(raw)

    assert result.ok != bool(result.errors)
    if result.ok:
        assert re.fullmatch(r"\d{16}", result.unwrap().nik)
