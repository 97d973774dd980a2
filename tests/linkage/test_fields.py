from __future__ import annotations

import pytest

from sinergi.linkage.fields import parse_mapping_options, resolve_mapping
from sinergi.linkage.issues import LinkageError, LinkageErrorCode


def test_it_reads_column_equals_field_pairs_even_with_equals_in_the_column() -> None:
    mapping = parse_mapping_options(["Nama Lengkap=full_name", "No. KTP (=NIK)=nik", " Tgl Lahir = BIRTH_DATE "])

    assert mapping == {"full_name": "Nama Lengkap", "nik": "No. KTP (=NIK)", "birth_date": "Tgl Lahir"}


@pytest.mark.parametrize(
    ("options", "code"),
    [
        (["Nama"], LinkageErrorCode.BAD_MAPPING),
        (["Nama=nama"], LinkageErrorCode.UNKNOWN_FIELD),
        (["Nama=full_name", "Nama Lain=full_name"], LinkageErrorCode.FIELD_MAPPED_TWICE),
    ],
)
def test_it_refuses_mappings_it_cannot_use(options: list[str], code: LinkageErrorCode) -> None:
    with pytest.raises(LinkageError) as raised:
        parse_mapping_options(options)

    assert raised.value.issue.code is code


def test_it_maps_columns_already_named_like_a_field() -> None:
    mapping = resolve_mapping(("NIK", "Nama", "birth_date"), {"full_name": "Nama"}, source="a.csv")

    assert mapping == {"full_name": "Nama", "nik": "NIK", "birth_date": "birth_date"}


def test_it_lists_the_columns_when_a_mapped_column_is_missing() -> None:
    with pytest.raises(LinkageError) as raised:
        resolve_mapping(("Nama", "NIK"), {"full_name": "Nama Lengkap"}, source="a.csv")

    assert raised.value.issue.code is LinkageErrorCode.UNKNOWN_COLUMN
    assert "'Nama', 'NIK'" in raised.value.issue.message_id


def test_it_needs_a_name_column() -> None:
    with pytest.raises(LinkageError) as raised:
        resolve_mapping(("NIK",), {}, source="a.csv")

    assert raised.value.issue.code is LinkageErrorCode.NO_NAME
