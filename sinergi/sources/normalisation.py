"""From one incoming record's raw cells to the values Sinergi keeps: checked, normalised, hashable.

A source record stores standard fields (``sinergi.linkage.FIELDS``) in one spelling, so that a re-import of
the same file hashes the same and a comparison with the registry compares like with like:

===============  ===========================================================================================
field            normalised form
===============  ===========================================================================================
full_name        words separated by one space (given_name + family_name when there is no full name)
birth_date       ISO ``1990-10-12``; read from ``12/10/1990``, ``12-Okt-1990``, ``1990-10-12``, Excel serials
sex              ``L`` or ``P`` (from L/P, laki-laki/perempuan, pria/wanita, M/F, 1/2)
nik, kk          16 digits; a value Excel damaged (``7.27105E+15``, a lost digit, serial ``0000``) is an
                 error saying so, never repaired by guessing
phone            E.164 (``+6281244556677``)
region_code      dotted Kemendagri code (``72.71.05``), which must exist
destination_country  ISO code (``MY``) from a code or a name in Indonesian or English ("Arab Saudi",
                 "Saudi Arabia", "Hongkong"); not a linkage field: it becomes a stay abroad on the person
passport         upper case without spaces
other ids, text  trimmed, inner whitespace collapsed
===============  ===========================================================================================

Problems are ``RecordIssue``s naming the standard field, the file's column and what to fix, in the active
language (the identity core's bilingual messages, or gettext). Nothing here writes to the database.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final

from django.utils.translation import gettext as _

from sinergi.identity.nik import looks_excel_mangled, parse_nik
from sinergi.identity.regions import dotted_code
from sinergi.linkage import FIELDS, parse_date
from sinergi.regions.lookup import database_regions
from sinergi.regions.models import Region
from sinergi.registry import validation
from sinergi.registry.countries import country_code_of
from sinergi.registry.models import IdentifierKind
from sinergi.registry.services import PersonData

# Standard field -> PersonData attribute it fills.
PERSON_FIELDS: Final[dict[str, str]] = {
    "full_name": "full_name",
    "sex": "sex",
    "birth_date": "birth_date",
    "birth_place": "birth_place",
    "nik": "nik",
    "region_code": "region_code",
    "address": "address_text",
}
# Fields an import or a push carries besides the linkage fields: they describe a stay abroad (a migration
# episode), not who the person is, so they never take part in matching.
EPISODE_FIELDS: Final[tuple[str, ...]] = ("destination_country",)
SOURCE_FIELDS: Final[tuple[str, ...]] = (*FIELDS, *EPISODE_FIELDS)
# Standard field -> the person identifier it becomes.
IDENTIFIER_FIELDS: Final[dict[str, IdentifierKind]] = {
    "kk": IdentifierKind.KK,
    "passport": IdentifierKind.PASSPORT,
    "other_id": IdentifierKind.PMI_ID,
}
# Longest values the registry's columns hold; a longer cell is an error rather than silently cut.
MAX_LENGTHS: Final[dict[str, int]] = {
    "id": 100,
    "full_name": 200,
    "given_name": 200,
    "family_name": 200,
    "birth_place": 120,
    "address": 300,
    "other_id": 40,
}
_SEX: Final[dict[str, str]] = {
    **dict.fromkeys(("l", "lk", "laki", "laki-laki", "laki laki", "lakilaki", "pria", "m", "male", "1"), "L"),
    **dict.fromkeys(("p", "pr", "perempuan", "wanita", "w", "f", "female", "2"), "P"),
}
_SPACES: Final = re.compile(r"\s+")
_DIGITS_ONLY: Final = re.compile(r"\d+", re.ASCII)


@dataclass(frozen=True)
class RecordIssue:
    """One problem with one value: the standard field, the file's column (or the field) and what to fix."""

    field: str
    column: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "column": self.column, "message": self.message}


@dataclass
class NormalisedRecord:
    """``values``: standard field -> normalised text, filled fields only (never ``id``)."""

    values: dict[str, str]
    errors: list[RecordIssue] = field(default_factory=list)
    warnings: list[RecordIssue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def cell_text(value: object) -> str:
    """A cell as read from CSV/XLSX (text, number, date) as the text a user would have typed."""
    if value is None:
        return ""
    if isinstance(value, date):  # datetime too: a birth date cell with a time keeps its day
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def collapse(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def content_hash(values: Mapping[str, str]) -> str:
    """SHA-256 of the normalised values (key order and empty fields do not matter)."""
    filled = {key: value for key, value in values.items() if value}
    payload = json.dumps(filled, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# Part of every raw hash: raise it when a change to the checks or the normalisation could turn the same raw values
# into other values (or an error). Stored raw hashes then stop matching, and the next import of each row checks it
# again in full.
NORMALISATION_VERSION: Final = 1


def raw_hash(values: Mapping[str, object]) -> str:
    """SHA-256 of a record's raw standard fields as a file or a push gave them, and the normalisation version.

    Two records with the same raw hash normalise to the same values: the checks depend on the values, on the
    region list (which only grows) and on today's date only to refuse a date in the future (a refused row has no
    source record). So a re-import row whose raw hash equals the one its source record was written from is
    unchanged without checking it again.
    """
    filled = {key: str(value) for key, value in values.items() if value not in (None, "")}
    payload = json.dumps([NORMALISATION_VERSION, filled], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


def normalise_values(
    raw: Mapping[str, str], *, today: date, column_for_field: Mapping[str, str] | None = None
) -> NormalisedRecord:
    """Check and normalise one record's standard fields; every problem is reported at once."""
    columns = column_for_field or {}
    result = NormalisedRecord(values={})

    def problem(name: str, message: str) -> None:
        result.errors.append(RecordIssue(field=name, column=columns.get(name, name), message=message))

    text = {name: collapse(str(raw.get(name) or "")) for name in SOURCE_FIELDS if name != "id"}
    too_long: set[str] = set()
    for name, limit in MAX_LENGTHS.items():
        if name != "id" and len(text.get(name, "")) > limit:
            too_long.add("full_name" if name in ("given_name", "family_name") else name)
            problem(
                name,
                _("This value is %(length)s characters long; at most %(limit)s fit. Shorten it in the file.")
                % {"length": len(text[name]), "limit": limit},
            )
            text[name] = ""

    values = result.values
    full_name = text["full_name"] or " ".join(part for part in (text["given_name"], text["family_name"]) if part)
    for name in ("given_name", "family_name", "birth_place", "address", "other_id"):
        if text[name]:
            values[name] = text[name]
    if full_name:
        values["full_name"] = full_name

    if text["birth_date"]:
        born = parse_date(text["birth_date"], today=today)
        if born is None:
            problem(
                "birth_date",
                _(
                    "Cannot read the birth date '%(value)s'. Write it as day/month/year, e.g. 12/10/1990, "
                    "12-Okt-1990 or 1990-10-12, and check that it is not in the future."
                )
                % {"value": text["birth_date"]},
            )
        else:
            values["birth_date"] = born.isoformat()

    if text["sex"]:
        sex = _SEX.get(text["sex"].lower())
        if sex is None:
            problem(
                "sex",
                _("Sex is L (laki-laki, male) or P (perempuan, female); the file says '%(value)s'.")
                % {"value": text["sex"]},
            )
        else:
            values["sex"] = sex

    if text["nik"]:
        nik = _normalise_nik(text["nik"], today, result, columns)
        if nik:
            values["nik"] = nik

    if text["kk"]:
        _normalise_identifier("kk", text["kk"], result, columns)
    if text["passport"]:
        _normalise_identifier("passport", text["passport"], result, columns)

    if text["phone"]:
        errors: dict[str, list[str]] = {}
        e164 = validation.check_phone(text["phone"], "phone", errors)
        for message in errors.get("phone", []):
            problem("phone", message)
        if e164:
            values["phone"] = e164

    if text["region_code"]:
        code = _region_code(text["region_code"])
        if code is None:
            problem(
                "region_code",
                _(
                    "Region code %(code)s is not in the Kemendagri list. Write the code of the province, "
                    "regency, district or village as 72, 72.71, 72.71.05 or 72.71.05.1001."
                )
                % {"code": text["region_code"]},
            )
        else:
            values["region_code"] = code

    if text["destination_country"]:
        country = country_code_of(text["destination_country"])
        if country is None or country == "ID":
            problem(
                "destination_country",
                _(
                    "'%(value)s' is not a country of placement abroad. Write the country's name (Malaysia, "
                    "Arab Saudi) or its two-letter code (MY, SA)."
                )
                % {"value": text["destination_country"]},
            )
        else:
            values["destination_country"] = country

    # The registry's own rules: a name is required, and a NIK's embedded birth date and sex must agree with
    # the ones given (the same checks a registration form makes).
    # The region was checked above (once per code, not once per row).
    checks: dict[str, list[str]] = {}
    validation.check_person(replace(person_data(values), region_code=""), checks, today=today)
    for key, messages in checks.items():
        name = {"phones": "phone", "address_text": "address"}.get(key, key)
        if name in too_long:
            continue  # already reported: too long to keep
        if name == "full_name" and "full_name" not in columns and "given_name" in columns:
            name = "given_name"
        for message in messages:
            problem(name, message)
    return result


def person_data(values: Mapping[str, str]) -> PersonData:
    """The registry input for a normalised record (kind PMI: the status is not in the files we import)."""
    born = values.get("birth_date")
    return PersonData(
        full_name=values.get("full_name", ""),
        sex=values.get("sex", ""),
        birth_date=date.fromisoformat(born) if born else None,
        birth_place=values.get("birth_place", ""),
        nik=values.get("nik", ""),
        region_code=values.get("region_code", ""),
        address_text=values.get("address", ""),
        phones=[values["phone"]] if values.get("phone") else [],
    )


def _normalise_nik(raw: str, today: date, result: NormalisedRecord, columns: Mapping[str, str]) -> str:
    column = columns.get("nik", "nik")
    parsed = parse_nik(raw, regions=database_regions(), today=today)
    for warning in parsed.warnings:
        result.warnings.append(RecordIssue("nik", column, validation.localized(warning)))
    if parsed.value is not None:
        return parsed.value.nik
    messages = [validation.localized(error) for error in parsed.errors]
    if _lost_digit(raw) and not looks_excel_mangled(raw):
        messages.append(_excel_hint())
    for message in messages:
        result.errors.append(RecordIssue("nik", column, message))
    return ""


def _normalise_identifier(name: str, raw: str, result: NormalisedRecord, columns: Mapping[str, str]) -> None:
    column = columns.get(name, name)
    if name == "kk" and looks_excel_mangled(raw):
        result.errors.append(
            RecordIssue(
                name,
                column,
                _(
                    "The KK number reads %(value)s: Excel stored it as a number and lost its last digits, so it "
                    "cannot be recovered from this value. Format the column as Text, re-enter the number from the "
                    "family card or the original file, and export again."
                )
                % {"value": raw},
            )
        )
        return
    errors: dict[str, list[str]] = {}
    cleaned = validation.check_identifier(IDENTIFIER_FIELDS[name], raw, errors)
    messages = errors.get("value", [])
    if name == "kk" and messages and _lost_digit(raw):
        messages.append(_excel_hint())
    for message in messages:
        result.errors.append(RecordIssue(name, column, message))
    if not messages:
        result.values[name] = cleaned


def _lost_digit(raw: str) -> bool:
    """15 digits: the shape of a 16-digit number that lost a digit on the way through a spreadsheet."""
    digits = "".join(raw.split()).replace(".", "").replace("-", "")
    return bool(_DIGITS_ONLY.fullmatch(digits)) and len(digits) == 15


def _excel_hint() -> str:
    return _(
        "If the file was saved from Excel, the number was probably stored as a number: format the column as Text "
        "(or type an apostrophe before the number), re-enter it from the card, and export again."
    )


def _region_code(raw: str) -> str | None:
    try:
        code = dotted_code(raw)
    except ValueError:
        return None
    return code if _region_exists(code) else None


def look_up_region_codes(raw_codes: Iterable[str]) -> None:
    """Find out at once which of these region codes (as written in a file) exist, for ``normalise_values`` of the
    rows that name them: a chunk of an agency export names a thousand villages, one query instead of one each."""
    codes: set[str] = set()
    for raw in raw_codes:
        try:
            code = dotted_code(collapse(raw))
        except ValueError:
            continue
        if code not in _REGION_EXISTS:
            codes.add(code)
    if not codes:
        return
    found = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    _remember_regions({code: code in found for code in codes})


def forget_region_codes() -> None:
    """After the region table changed (``load_regions``)."""
    _REGION_EXISTS.clear()


def _region_exists(code: str) -> bool:
    # A file repeats a few hundred codes thousands of times; the region table changes a few times a year.
    known = _REGION_EXISTS.get(code)
    if known is None:
        known = Region.objects.filter(code=code).exists()
        _remember_regions({code: known})
    return known


def _remember_regions(answers: Mapping[str, bool]) -> None:
    if len(_REGION_EXISTS) + len(answers) > _REGIONS_REMEMBERED:
        _REGION_EXISTS.clear()  # a file of made-up codes must not grow the process without bound
    _REGION_EXISTS.update(answers)


_REGION_EXISTS: dict[str, bool] = {}
_REGIONS_REMEMBERED: Final = 1 << 17  # Indonesia has about 84,000 villages
