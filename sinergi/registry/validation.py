"""Domain validation of registry input, shared by forms, the API and imports.

Messages come from the identity core in Indonesian and English; `localized` picks the active language.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sinergi.identity.issues import Issue
from sinergi.identity.nik import parse_nik
from sinergi.identity.phones import normalize_phone
from sinergi.regions.lookup import database_regions
from sinergi.regions.models import Region
from sinergi.registry.countries import is_country_code
from sinergi.registry.models import BirthDateAccuracy, IdentifierKind, PersonKind, Relationship, Sex

if TYPE_CHECKING:
    from sinergi.registry.services import EpisodeData, PersonData

OLDEST_BIRTH_YEAR = 1900
PASSPORT = re.compile(r"^[A-Z]{1,2}[0-9]{6,8}$")
# Django builds a choices class's `values` list on each read; an import checks every row against these.
_KINDS = frozenset(PersonKind.values)
_SEXES = frozenset(Sex.values)
_ACCURACIES = frozenset(BirthDateAccuracy.values)
_IDENTIFIER_KINDS = frozenset(IdentifierKind.values)


def localized(issue: Issue[Any]) -> str:
    """An identity-core problem in the active language."""
    return issue.message(get_language() or "id")


def _add(errors: dict[str, list[str]], field: str, message: str) -> None:
    errors.setdefault(field, []).append(message)


def check_nik(
    raw: str, errors: dict[str, list[str]], field: str = "nik", *, today: date | None = None
) -> tuple[str, date | None, str | None]:
    """(NIK digits, embedded birth date, embedded sex) or errors naming the wrong digit group."""
    result = parse_nik(raw, regions=database_regions(), today=today or timezone.localdate())
    if not result.ok or result.value is None:
        for error in result.errors:
            _add(errors, field, localized(error))
        return "", None, None
    parsed = result.value
    return parsed.nik, parsed.birth_date, parsed.sex


def check_phone(raw: str, field: str, errors: dict[str, list[str]]) -> str:
    result = normalize_phone(raw)
    if not result.ok or result.e164 is None:
        assert result.error is not None
        _add(errors, field, localized(result.error))
        return ""
    return result.e164


def has_control_characters(text: str) -> bool:
    """Control characters (C0, DEL, C1) other than tab and line breaks, which `split()` already folds.

    A name with a backspace or an escape in it came from a broken export or an attack, never from a KTP; it
    would also defeat name matching and break the letters and the spreadsheets that print it.
    """
    return any(unicodedata.category(char) == "Cc" and char not in "\t\n\r" for char in text)


def check_person(
    data: PersonData,
    errors: dict[str, list[str]],
    *,
    known_regions: frozenset[str] | None = None,
    today: date | None = None,
) -> PersonData:
    """`data` cleaned, its problems added to `errors`. A caller that checks many at once passes `known_regions`
    (the codes that exist, among those the batch names: spares a query per person) and `today`."""
    from sinergi.registry.services import merged

    full_name = " ".join(data.full_name.split())
    if not full_name:
        _add(errors, "full_name", _("Write the person's name as on the KTP or passport."))
    for field, text in (("full_name", data.full_name), ("birth_place", data.birth_place)):
        if has_control_characters(text):
            _add(errors, field, _("The text holds invisible control characters: type it again without them."))
    if any(has_control_characters(alias) for alias in data.aliases):
        _add(errors, "aliases", _("The text holds invisible control characters: type it again without them."))
    if data.kind not in _KINDS:
        _add(errors, "kind", _("Choose one of: %s.") % ", ".join(PersonKind.values))
    if data.sex and data.sex not in _SEXES:
        _add(errors, "sex", _("Sex is L (male) or P (female)."))
    if data.birth_date_accuracy not in _ACCURACIES:
        _add(errors, "birth_date_accuracy", _("Choose one of: %s.") % ", ".join(BirthDateAccuracy.values))
    today = today or timezone.localdate()
    if data.birth_date is not None:
        if data.birth_date > today:
            _add(errors, "birth_date", _("The birth date is in the future: check the year."))
        elif data.birth_date.year < OLDEST_BIRTH_YEAR:
            _add(
                errors,
                "birth_date",
                _("The birth date is before %(year)s: check the year.") % {"year": OLDEST_BIRTH_YEAR},
            )

    nik = ""
    if data.nik.strip():
        nik, nik_birth, nik_sex = check_nik(data.nik, errors, today=today)
        if (
            nik
            and data.birth_date
            and nik_birth
            and data.birth_date_accuracy == BirthDateAccuracy.EXACT
            and nik_birth != data.birth_date
        ):
            _add(
                errors,
                "nik",
                _("The NIK says born %(nik_date)s but the birth date given is %(date)s. Check both against the KTP.")
                % {"nik_date": nik_birth.strftime("%d-%m-%Y"), "date": data.birth_date.strftime("%d-%m-%Y")},
            )
        if nik and data.sex and nik_sex and nik_sex != data.sex:
            _add(
                errors,
                "nik",
                _(
                    "The NIK says sex %(nik_sex)s (women have 40 added to the birth day) but %(sex)s was chosen. "
                    "Check both against the KTP."
                )
                % {"nik_sex": nik_sex, "sex": data.sex},
            )

    region_code = data.region_code.strip()
    if region_code and not (
        region_code in known_regions if known_regions is not None else Region.objects.filter(code=region_code).exists()
    ):
        _add(
            errors,
            "region_code",
            _("Region code %(code)s does not exist in the Kemendagri list: choose the region from the lists.")
            % {"code": region_code},
        )

    phones: list[str] = []
    for number in data.phones:
        if number.strip():
            e164 = check_phone(number, "phones", errors)
            if e164 and e164 not in phones:
                phones.append(e164)
    aliases = [" ".join(alias.split()) for alias in data.aliases if alias.strip()]
    return merged(
        data,
        full_name=full_name,
        nik=nik,
        region_code=region_code,
        phones=phones,
        aliases=aliases,
        birth_place=data.birth_place.strip(),
        address_text=data.address_text.strip(),
    )


def check_identifier(kind: str, value: str, errors: dict[str, list[str]]) -> str:
    cleaned = "".join(value.split()).upper()
    if kind not in _IDENTIFIER_KINDS:
        _add(errors, "kind", _("Choose one of: %s.") % ", ".join(IdentifierKind.values))
        return cleaned
    if not cleaned:
        _add(errors, "value", _("Write the number."))
    elif kind == IdentifierKind.KK:
        # A KK number has the NIK's layout without the birth date rule; check region and length.
        digits = cleaned.replace(".", "")
        if not digits.isdigit() or len(digits) != 16:
            _add(errors, "value", _("A KK number has 16 digits; %(n)s were given.") % {"n": len(digits)})
        elif database_regions().district(f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}") is None:
            _add(
                errors,
                "value",
                _("Digits 1-6 of the KK number are not a known district code: check them against the family card."),
            )
        cleaned = digits
    elif kind == IdentifierKind.PASSPORT and not PASSPORT.match(cleaned):
        _add(errors, "value", _("An Indonesian passport number is one or two letters and 6-8 digits, e.g. C1234567."))
    return cleaned


def check_family_link(relationship: str, name: str, errors: dict[str, list[str]]) -> None:
    if relationship not in Relationship.values:
        _add(errors, "relationship", _("Choose a relationship."))
    if not name.strip():
        _add(errors, "name", _("Write the relative's name."))


def check_episode(data: EpisodeData, birth_date: date | None, errors: dict[str, list[str]]) -> EpisodeData:
    country = data.destination_country.strip().upper()
    if not is_country_code(country) or country == "ID":
        _add(errors, "destination_country", _("Choose the destination country."))
    if data.departure_date and data.return_date and data.return_date < data.departure_date:
        _add(errors, "return_date", _("The return date is before the departure date: check both dates."))
    today = timezone.localdate()
    if data.departure_date and data.departure_date > today:
        _add(
            errors,
            "departure_date",
            _("The departure date is in the future: check the year, or leave it empty for a planned departure."),
        )
    if data.departure_date and birth_date and data.departure_date < birth_date:
        _add(errors, "departure_date", _("The departure date is before the person's birth date: check both dates."))
    employer_phone = ""
    if data.employer_phone.strip():
        employer_phone = check_phone(data.employer_phone, "employer_phone", errors)
    data.destination_country = country
    data.employer_phone = employer_phone
    for name in ("employer", "placement_company", "job"):
        setattr(data, name, getattr(data, name).strip())
    return data
