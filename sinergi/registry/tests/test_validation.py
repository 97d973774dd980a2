"""Invalid registrations: InvalidData names each problem under its field, in the user's language; nothing is saved.

NIK structure and phone messages come from the identity core in both languages; the others are gettext
strings translated in locale/id. The tests look for the facts a message must name (digit group, dates,
codes) and a few words that show its language, not for whole sentences.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone, translation

from sinergi.audit.models import AuditEvent
from sinergi.identity.phones import normalize_phone
from sinergi.registry import services
from sinergi.registry.models import NameToken, Person
from sinergi.registry.services import PersonData
from sinergi.registry.tests.conftest import SITI_BIRTH, SITI_NIK


def invalid(actor, **values: object) -> dict[str, list[str]]:
    fields: dict[str, object] = {"full_name": "Siti Aminah", "sex": "P", "birth_date": SITI_BIRTH}
    fields.update(values)
    with pytest.raises(services.InvalidData) as error:
        services.register_person(actor=actor, data=PersonData(**fields), confirm_new=True)
    assert not Person.objects.exists()
    assert not NameToken.objects.exists()
    assert not AuditEvent.objects.exists()
    return error.value.errors


# --- NIK digit groups, in Indonesian (default) and English ----------------------------------------------


@pytest.mark.parametrize(
    ("nik", "indonesian", "english"),
    [
        # Province 99 does not exist.
        ("9971055210900001", "digit 1-2 (provinsi) '99'", "Digits 1-2 (province) '99'"),
        # Regency 99 does not exist in Sulawesi Tengah.
        ("7299055210900001", "digit 3-4 (kabupaten/kota) '99'", "Digits 3-4 (regency/city) '99'"),
        # District 99 does not exist in Kota Palu.
        ("7271995210900001", "digit 5-6 (kecamatan) '99'", "Digits 5-6 (district) '99'"),
        # Birth day 35: neither a man's 01-31 nor a woman's 41-71.
        ("7271053510900001", "digit 7-8 (tanggal lahir) '35'", "Digits 7-8 (day of birth) '35'"),
        # Month 13.
        ("7271055213900001", "digit 9-10 (bulan lahir) '13'", "Digits 9-10 (month of birth) '13'"),
    ],
)
def test_it_names_the_wrong_nik_digit_group(alice, nik, indonesian, english):
    with translation.override("id"):
        errors = invalid(alice, nik=nik)
    assert list(errors) == ["nik"]
    [message] = errors["nik"]
    assert indonesian.lower() in message.lower()
    assert "Periksa NIK" in message

    with translation.override("en"):
        [message_en] = invalid(alice, nik=nik)["nik"]
    assert english in message_en
    assert "Check the NIK" in message_en


def test_it_is_indonesian_without_an_active_language_override(alice):
    # LANGUAGE_CODE is "id": a command or import without a request speaks Indonesian.
    [message] = invalid(alice, nik="7271995210900001")["nik"]
    assert "tidak ada kecamatan dengan kode itu di Kota Palu" in message


def test_it_counts_the_digits_of_a_short_nik(alice):
    with translation.override("id"):
        [message] = invalid(alice, nik="727105521090001")["nik"]
    assert "15 digit" in message
    with translation.override("en"):
        [message] = invalid(alice, nik="727105521090001")["nik"]
    assert "only 15 digits" in message


def test_it_refuses_a_nik_whose_birth_date_disagrees_with_the_birth_date(alice):
    with translation.override("id"):
        [message] = invalid(alice, nik=SITI_NIK, birth_date=date(1990, 10, 13))["nik"]
    assert "Menurut NIK" in message
    assert "12-10-1990" in message
    assert "13-10-1990" in message
    with translation.override("en"):
        [message] = invalid(alice, nik=SITI_NIK, birth_date=date(1990, 10, 13))["nik"]
    assert "The NIK says born 12-10-1990" in message
    assert "13-10-1990" in message


def test_it_accepts_a_nik_whose_birth_date_disagrees_when_the_birth_date_is_approximate(alice):
    person = services.register_person(
        actor=alice,
        data=PersonData(
            full_name="Siti Aminah", sex="P", birth_date=date(1990, 1, 1), birth_date_accuracy="YEAR", nik=SITI_NIK
        ),
        confirm_new=True,
    )
    assert person.nik == SITI_NIK


def test_it_refuses_a_nik_whose_sex_disagrees_with_the_sex(alice):
    with translation.override("id"):
        [message] = invalid(alice, nik=SITI_NIK, sex="L")["nik"]
    assert "Menurut NIK, jenis kelamin P" in message
    assert "40" in message
    with translation.override("en"):
        [message] = invalid(alice, nik=SITI_NIK, sex="L")["nik"]
    assert "The NIK says sex P" in message
    assert "L was chosen" in message


def test_it_refuses_a_birth_date_in_the_future(alice):
    next_year = date(timezone.localdate().year + 1, 1, 1)
    with translation.override("id"):
        errors = invalid(alice, birth_date=next_year)
    assert list(errors) == ["birth_date"]
    assert "masa depan" in errors["birth_date"][0]
    with translation.override("en"):
        assert "future" in invalid(alice, birth_date=next_year)["birth_date"][0]


def test_it_refuses_an_unknown_region_code(alice):
    with translation.override("id"):
        [message] = invalid(alice, region_code="72.71.99")["region_code"]
    assert "Kode wilayah 72.71.99 tidak ada" in message
    with translation.override("en"):
        [message] = invalid(alice, region_code="72.71.99")["region_code"]
    assert "72.71.99 does not exist" in message


def test_it_refuses_an_unparseable_phone_in_the_active_language(alice):
    refusal = normalize_phone("0812-ABC").error
    assert refusal is not None
    with translation.override("id"):
        assert invalid(alice, phones=["0812-ABC"]) == {"phones": [refusal.message_id]}
    with translation.override("en"):
        assert invalid(alice, phones=["0812-ABC"]) == {"phones": [refusal.message_en]}
    assert "0812-ABC" in refusal.message_id


def test_it_reports_every_problem_at_once(alice):
    next_year = date(timezone.localdate().year + 1, 1, 1)
    errors = invalid(
        alice,
        full_name="   ",
        kind="TOURIST",
        sex="X",
        birth_date=next_year,
        nik="7271995210900001",
        region_code="99.99",
        phones=["12"],
    )
    assert set(errors) == {"full_name", "kind", "sex", "birth_date", "nik", "region_code", "phones"}


def test_it_refuses_a_birth_date_before_1900(alice):
    errors = invalid(alice, birth_date=date(1899, 12, 31))
    assert list(errors) == ["birth_date"]
    assert "1900" in errors["birth_date"][0]
