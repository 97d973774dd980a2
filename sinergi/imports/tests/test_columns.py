"""Guessing which field each column holds, and checking a chosen mapping."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from sinergi.imports.columns import check_mapping, fold, guess_mapping
from sinergi.linkage import FIELDS


@pytest.mark.parametrize(
    ("column", "field"),
    [
        ("Nama", "full_name"),
        ("Nama Lengkap", "full_name"),
        ("NAMA_LENGKAP", "full_name"),
        ("NIK", "nik"),
        ("No KTP", "nik"),
        ("No. KTP", "nik"),
        ("Tgl Lahir", "birth_date"),
        ("Tgl. Lahir", "birth_date"),
        ("Tanggal Lahir", "birth_date"),
        ("Tempat Lahir", "birth_place"),
        ("JK", "sex"),
        ("Jenis Kelamin", "sex"),
        ("L/P", "sex"),
        ("No HP", "phone"),
        ("No. HP", "phone"),
        ("Alamat", "address"),
        ("Kode Wilayah", "region_code"),
        ("Negara Penempatan", "destination_country"),
        ("Negara Tujuan", "destination_country"),
        ("No Paspor", "passport"),
        ("No KK", "kk"),
        ("ID", "id"),
        ("full_name", "full_name"),
        ("Birth_Date", "birth_date"),
    ],
)
def test_it_guesses_the_usual_column_names(column, field):
    assert guess_mapping([column]) == {field: column}


def test_the_first_column_takes_a_field_and_unknown_columns_stay_unmapped():
    assert guess_mapping(["Nama", "Nama Lengkap", "Catatan Petugas", ""]) == {"full_name": "Nama"}


def test_the_saved_mapping_comes_first_where_its_columns_exist():
    saved = {"full_name": "NAMA PMI (SESUAI PASPOR)", "nik": "Kolom Hilang"}
    mapping = guess_mapping(["No", "NAMA PMI (SESUAI PASPOR)", "NIK"], saved)
    assert mapping == {"full_name": "NAMA PMI (SESUAI PASPOR)", "nik": "NIK"}


@pytest.mark.parametrize("column", ["No", "No.", "No Urut", "Nomor urut"])
def test_it_does_not_take_a_row_counter_for_the_source_id(column):
    """A counter is renumbered in every export: as the id it would tie unrelated persons together."""
    assert guess_mapping([column, "Nama Lengkap"]) == {"full_name": "Nama Lengkap"}


def test_fold_ignores_case_punctuation_and_spaces():
    assert fold(" No._HP ") == fold("no hp") == "no hp"


def test_check_mapping_says_what_to_change():
    with translation.override("en"):
        problems = check_mapping(["No", "NIK"], {"nik": "NIK", "phone": "HP", "colour": "No"})
    text = " ".join(problems)
    assert "HP" in text and "colour" in text and "name" in text
    assert check_mapping(["Nama"], {"full_name": "Nama"}) == []


@given(st.lists(st.text(max_size=20), max_size=12))
def test_a_guess_maps_each_field_and_column_at_most_once(columns):
    mapping = guess_mapping(columns)
    assert set(mapping) <= set(FIELDS)
    assert len(set(mapping.values())) == len(mapping)
    assert all(column in columns and column for column in mapping.values())
