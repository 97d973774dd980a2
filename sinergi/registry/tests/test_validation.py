"""Invalid registrations: InvalidData names each problem under its field, in the user's language; nothing is saved.

NIK structure messages come from the identity core in both languages. The other messages are gettext
strings: they are compared with gettext in the active language, so the tests hold before and after the
Indonesian catalogue is filled in.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

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
        services.register_person(actor=actor, data=PersonData(**fields), confirm_new=True)  # type: ignore[arg-type]
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
    for language in ("id", "en"):
        with translation.override(language):
            [message] = invalid(alice, nik=SITI_NIK, birth_date=date(1990, 10, 13))["nik"]
            expected = gettext(
                "The NIK says born %(nik_date)s but the birth date given is %(date)s. Check both against the KTP."
            ) % {"nik_date": "12-10-1990", "date": "13-10-1990"}
        assert message == expected


def test_it_accepts_a_nik_whose_birth_date_disagrees_when_the_birth_date_is_approximate(alice):
    person = services.register_person(
        actor=alice,
        data=PersonData(full_name="Siti Aminah", sex="P", birth_date=date(1990, 1, 1), birth_date_accuracy="YEAR",
                        nik=SITI_NIK),
        confirm_new=True,
    )
    assert person.nik == SITI_NIK


def test_it_refuses_a_nik_whose_sex_disagrees_with_the_sex(alice):
    for language in ("id", "en"):
        with translation.override(language):
            [message] = invalid(alice, nik=SITI_NIK, sex="L")["nik"]
            expected = gettext(
                "The NIK says sex %(nik_sex)s (women have 40 added to the birth day) but %(sex)s was chosen."
            ) % {"nik_sex": "P", "sex": "L"}
        assert message == expected


def test_it_refuses_a_birth_date_in_the_future(alice):
    next_year = date(timezone.localdate().year + 1, 1, 1)
    for language in ("id", "en"):
        with translation.override(language):
            errors = invalid(alice, birth_date=next_year)
            assert errors == {"birth_date": [gettext("The birth date is in the future: check the year.")]}


def test_it_refuses_an_unknown_region_code(alice):
    for language in ("id", "en"):
        with translation.override(language):
            errors = invalid(alice, region_code="72.71.99")
            expected = gettext("Region code %(code)s does not exist in the Kemendagri list.") % {"code": "72.71.99"}
        assert errors == {"region_code": [expected]}


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
        alice, full_name="   ", kind="TOURIST", sex="X", birth_date=next_year, nik="7271995210900001",
        region_code="99.99", phones=["12"],
    )
    assert set(errors) == {"full_name", "kind", "sex", "birth_date", "nik", "region_code", "phones"}


def test_it_refuses_a_birth_date_before_1900(alice):
    errors = invalid(alice, birth_date=date(1899, 12, 31))
    assert errors == {"birth_date": [gettext("The birth date is before %(year)s: check the year.") % {"year": 1900}]}
