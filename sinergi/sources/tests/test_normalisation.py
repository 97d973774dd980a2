"""Normalising one record's cells: dates, sex, NIK damage, phones, regions, lengths, and arbitrary text."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.linkage import FIELDS
from sinergi.sources.normalisation import cell_text, content_hash, normalise_values

TODAY = date(2026, 11, 28)
SITI_NIK = "7271055210900001"
COLUMNS = {"full_name": "Nama Lengkap", "nik": "NIK", "birth_date": "Tgl Lahir", "sex": "JK", "kk": "No KK"}

pytestmark = pytest.mark.usefixtures("regions")


def normalise(**raw: str):
    with translation.override("en"):
        return normalise_values(raw, today=TODAY, column_for_field=COLUMNS)


@pytest.mark.parametrize("text", ["12/10/1990", "12-Okt-1990", "1990-10-12", "12 Oktober 1990", "33158", "12.10.1990"])
def test_it_reads_birth_dates_as_agencies_write_them(text):
    result = normalise(full_name="Siti Aminah", birth_date=text)
    assert result.ok, result.errors
    assert result.values["birth_date"] == "1990-10-12"


def test_it_refuses_an_unreadable_date_naming_the_column():
    result = normalise(full_name="Siti Aminah", birth_date="31/02/1990")
    [error] = result.errors
    assert (error.field, error.column) == ("birth_date", "Tgl Lahir")
    assert "31/02/1990" in error.message and "12/10/1990" in error.message


@pytest.mark.parametrize(("text", "sex"), [("L", "L"), ("Laki-laki", "L"), ("perempuan", "P"), ("W", "P"), ("2", "P")])
def test_it_reads_sex_words(text, sex):
    assert normalise(full_name="X Y", sex=text).values["sex"] == sex


def test_it_refuses_an_unknown_sex():
    [error] = normalise(full_name="X Y", sex="?").errors
    assert error.column == "JK" and "L" in error.message and "P" in error.message


@pytest.mark.parametrize("damaged", ["7.27106E+15", "7,27106E+15", "7.271055210900001e+15"])
def test_it_refuses_a_nik_excel_turned_into_scientific_notation(damaged):
    result = normalise(full_name="Siti Aminah", nik=damaged)
    assert "nik" not in result.values
    [error] = result.errors
    assert error.column == "NIK"
    assert "Excel" in error.message and "Text" in error.message


def test_it_refuses_a_nik_that_lost_a_digit_and_says_how_to_export_it():
    result = normalise(full_name="Siti Aminah", nik=SITI_NIK[1:])
    assert "nik" not in result.values
    messages = " ".join(error.message for error in result.errors)
    assert "15 digits" in messages and "Excel" in messages and "Text" in messages


def test_it_refuses_a_nik_rounded_to_serial_0000():
    result = normalise(full_name="Siti Aminah", nik="7271055210900000")
    [error] = result.errors
    assert "13-16" in error.message


def test_it_names_the_digit_group_of_a_wrong_nik():
    [error] = normalise(full_name="Siti Aminah", nik="7271995210900001").errors
    assert "5-6" in error.message


def test_it_keeps_a_nik_with_an_excel_decimal_ending_and_warns():
    result = normalise(full_name="Siti Aminah", nik=SITI_NIK + ".0")
    assert result.ok
    assert result.values["nik"] == SITI_NIK
    [warning] = result.warnings
    assert warning.column == "NIK"


def test_it_refuses_a_nik_whose_birth_date_contradicts_the_file():
    result = normalise(full_name="Siti Aminah", nik=SITI_NIK, birth_date="13/10/1990")
    [error] = result.errors
    assert error.field == "nik" and "12-10-1990" in error.message


def test_it_refuses_a_kk_excel_damaged():
    [error] = normalise(full_name="X Y", kk="7.27105E+15").errors
    assert error.column == "No KK" and "Excel" in error.message


def test_it_normalises_phone_region_and_passport():
    result = normalise(full_name="X  Y ", phone="0812-4455-6677", region_code="727105", passport="c 1234567")
    assert result.ok, result.errors
    assert result.values == {
        "full_name": "X Y",
        "phone": "+6281244556677",
        "region_code": "72.71.05",
        "passport": "C1234567",
    }


def test_it_refuses_an_unknown_region_code():
    [error] = normalise(full_name="X Y", region_code="72.99").errors
    assert error.field == "region_code" and "72.71.05" in error.message


def test_a_chunks_region_codes_are_looked_up_in_one_query(django_assert_num_queries):
    from sinergi.sources.normalisation import forget_region_codes, look_up_region_codes

    forget_region_codes()
    written = ["72.71.05.1001", "7271051001", "72.71", "72.99", "not a code", ""]
    with django_assert_num_queries(1):
        look_up_region_codes(written)
    with django_assert_num_queries(0):
        results = [normalise(full_name="X Y", region_code=code) for code in written if code]
        look_up_region_codes(written)  # all known now: no query
    assert [result.values.get("region_code") for result in results] == [
        "72.71.05.1001",
        "72.71.05.1001",
        "72.71",
        None,
        None,
    ]
    forget_region_codes()
    with django_assert_num_queries(1):
        normalise(full_name="X Y", region_code="72.71")  # forgotten (the region table changed): asked again


def test_it_joins_given_and_family_names_and_requires_a_name():
    assert normalise(given_name="Ferdinand", family_name="Simanjuntak").values["full_name"] == ("Ferdinand Simanjuntak")
    [error] = normalise(birth_date="12/10/1990").errors
    assert error.field == "full_name"


def test_it_refuses_values_too_long_for_the_registry():
    [error] = normalise(full_name="A" * 201).errors
    assert error.field == "full_name" and "200" in error.message


def test_it_keeps_a_formula_as_plain_text():
    result = normalise(full_name='=HYPERLINK("http://x","klik")')
    assert result.values["full_name"] == '=HYPERLINK("http://x","klik")'


def test_it_writes_messages_in_indonesian_by_default():
    with translation.override("id"):
        result = normalise_values({"full_name": "X", "nik": "7.27106E+15"}, today=TODAY)
    assert "Excel mengubah NIK" in result.errors[0].message


def test_content_hash_ignores_key_order_and_empty_fields():
    assert content_hash({"a": "1", "b": "2"}) == content_hash({"b": "2", "a": "1", "c": ""})
    assert content_hash({"a": "1"}) != content_hash({"a": "2"})


def test_cell_text_reads_cells_as_typed():
    assert cell_text(None) == ""
    assert cell_text(date(1990, 10, 12)) == "1990-10-12"
    assert cell_text(7.0) == "7"
    assert cell_text(33158) == "33158"


FIELD_NAMES = [name for name in FIELDS if name != "id"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.dictionaries(st.sampled_from(FIELD_NAMES), st.text(max_size=40)))
def test_any_text_cells_give_values_or_errors_never_an_exception(raw):
    result = normalise_values(raw, today=TODAY, column_for_field={})
    fields = set(FIELDS)
    for issue in result.errors:
        assert issue.field in fields and issue.message
    # Whatever is kept is normalised: normalising it again keeps it as it is.
    if result.ok:
        again = normalise_values(result.values, today=TODAY)
        assert again.ok and again.values == result.values
        assert content_hash(again.values) == content_hash(result.values)


@pytest.mark.parametrize(
    ("written", "code"),
    [("Malaysia", "MY"), ("arab saudi", "SA"), ("Saudi Arabia", "SA"), ("Hongkong", "HK"), ("tw", "TW")],
)
def test_a_country_of_placement_is_read_from_its_name_or_code(written, code):
    result = normalise_values({"full_name": "Siti Aminah", "destination_country": written}, today=TODAY)
    assert result.ok and result.values["destination_country"] == code


@pytest.mark.parametrize("written", ["Eropa", "Indonesia", "Zona Euro", "Malaysya"])
def test_a_grouping_a_typo_or_indonesia_is_not_a_country_of_placement(written):
    result = normalise_values(
        {"full_name": "Siti Aminah", "destination_country": written},
        today=TODAY,
        column_for_field={"destination_country": "Negara Penempatan"},
    )
    assert [(issue.field, issue.column) for issue in result.errors] == [("destination_country", "Negara Penempatan")]
    assert written in result.errors[0].message
