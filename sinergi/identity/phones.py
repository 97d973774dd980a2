"""Phone numbers to E.164, for contacting and matching people across records.

A PMI's contacts are Indonesian numbers written every possible way
("0812-3456-7890", "62812...", "+62 812...") and foreign ones: an employer in
Malaysia (+60), an agency in Hong Kong (+852). :func:`normalize_phone` turns
each into E.164 ("+6281234567890") with the ``phonenumbers`` library, so the
same number written twice compares equal.

Like :func:`sinergi.identity.nik.parse_nik` it never raises on bad input: it
returns a :class:`PhoneResult` holding either the normalised number (``ok``)
or one :class:`PhoneError` whose messages, in Bahasa Indonesia and English,
say what to fix.

A number without ``+`` is read as a number of ``default_region`` (Indonesia),
because that is how people write local numbers. A foreign number written
without its ``+`` is therefore not guessed at: a Hong Kong mobile 9123 4567
written "85291234567" is also a valid Indonesian mobile, so guessing would
silently give the wrong country. ``00`` (or Indonesia's 001/007/008/009)
before a country code counts as ``+``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers
from phonenumbers import (
    NumberParseException,
    PhoneNumber,
    PhoneNumberFormat,
    ValidationResult,
)

from sinergi.identity.issues import Issue

PHONE_FIELD = "phone"

# What people put around the digits: spaces, dashes, dots, parentheses and
# slashes. Anything else (letters, "ext", a name) means the cell holds more
# than a number; phonenumbers would turn letters into digits (vanity numbers),
# which is never what an Indonesian record means.
_ALLOWED = re.compile(r"[\d\s+\-.()/\u2010-\u2015]*")
_NOT_DIGIT = re.compile(r"\D")
# International call prefixes: "00" in most of the world, and the carrier
# prefixes used from Indonesia. Longest first so "001 62..." is not read as
# "+1 62...".
_INTERNATIONAL_PREFIXES = ("001", "007", "008", "009", "00")
# Codes whose region is not a country (+800 freephone) or unknown.
_NON_GEOGRAPHIC_REGIONS = frozenset({"001", "ZZ"})
_EXAMPLES_ID = "+60 untuk Malaysia, +852 untuk Hong Kong, +886 untuk Taiwan atau +966 untuk Arab Saudi"
_EXAMPLES_EN = "+60 for Malaysia, +852 for Hong Kong, +886 for Taiwan or +966 for Saudi Arabia"


class PhoneErrorCode(StrEnum):
    EMPTY = "phone_empty"
    INVALID_CHARACTERS = "phone_invalid_characters"
    TOO_SHORT = "phone_too_short"
    TOO_LONG = "phone_too_long"
    UNKNOWN_COUNTRY_CODE = "phone_unknown_country_code"
    INVALID_NUMBER = "phone_invalid_number"


@dataclass(frozen=True, slots=True)
class PhoneError(Issue[PhoneErrorCode]):
    """A problem that makes a phone number unusable; ``field`` is ``"phone"``."""


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """A valid number (``ok``: ``e164`` and the rest are set) or one ``error``.

    ``e164`` ("+6281234567890") is for storage and matching, ``international``
    ("+62 812-3456-7890") for display. ``region`` is the ISO 3166 code of the
    number's country, None for non-geographic numbers such as +800.
    """

    e164: str | None = None
    country_code: int | None = None
    region: str | None = None
    international: str | None = None
    error: PhoneError | None = None

    def __post_init__(self) -> None:
        # A caller checking only one of the two would otherwise accept a bad
        # number or drop a good one.
        if (self.e164 is None) == (self.error is None):
            raise ValueError("A PhoneResult has a number or an error, never both or neither.")

    @property
    def ok(self) -> bool:
        return self.e164 is not None


def normalize_phone(raw: str, *, default_region: str = "ID") -> PhoneResult:
    """Normalise a phone number as typed or imported; never raises for bad input.

    ``default_region`` (ISO 3166 code) is the country of numbers written
    without a country code. Raises ValueError only for an unknown region,
    which is a programming error, not bad input.
    """
    if default_region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"Unknown default region {default_region!r}.")
    text = raw.strip()
    if not text:
        return _failed(
            PhoneErrorCode.EMPTY,
            "Nomor telepon kosong. Tulis nomor lengkap, misalnya 0812-3456-7890, atau untuk nomor luar "
            f"negeri dengan kode negara setelah tanda +, misalnya {_EXAMPLES_ID}.",
            "The phone number is empty. Write the full number, for example 0812-3456-7890, or for a "
            f"foreign number its country code after a +, for example {_EXAMPLES_EN}.",
        )
    # The + may only open the number, possibly inside a parenthesis: "(+62)".
    plus_misplaced = "+" in text.lstrip("(").removeprefix("+")
    if not _ALLOWED.fullmatch(text) or plus_misplaced:
        return _invalid_characters(text)

    digits = _NOT_DIGIT.sub("", text)
    international = text.lstrip("(").startswith("+")
    candidates: list[tuple[str, str | None]]
    if international:
        candidates = [("+" + digits, None)]
    elif digits.startswith("00"):
        # A national number never starts with 00, so this is a call prefix.
        candidates = [
            ("+" + digits.removeprefix(prefix), None) for prefix in _INTERNATIONAL_PREFIXES if digits.startswith(prefix)
        ]
        international = True
    else:
        candidates = [(digits, default_region)]

    failures: list[PhoneError] = []
    for number_text, region in candidates:
        outcome = _try_parse(text, number_text, region, international=international)
        if isinstance(outcome, PhoneResult):
            return outcome
        failures.append(outcome)
    # The last reading tried is the plain one ("00" read as "+"): its failure
    # is the one that makes sense to the person who typed the number.
    return PhoneResult(error=failures[-1])


def _try_parse(shown: str, number_text: str, region: str | None, *, international: bool) -> PhoneResult | PhoneError:
    try:
        number = phonenumbers.parse(number_text, region)
    except NumberParseException as error:
        return _parse_error(shown, error)
    if phonenumbers.is_valid_number(number):
        return _normalized(number)
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason in (ValidationResult.TOO_SHORT, ValidationResult.IS_POSSIBLE_LOCAL_ONLY):
        return _too_short(shown)
    if reason == ValidationResult.TOO_LONG:
        return _too_long(shown)
    if reason == ValidationResult.INVALID_COUNTRY_CODE:
        return _unknown_country_code(shown)
    return _invalid_number(shown, number.country_code, international=international)


def _normalized(number: PhoneNumber) -> PhoneResult:
    region = phonenumbers.region_code_for_number(number)
    return PhoneResult(
        e164=phonenumbers.format_number(number, PhoneNumberFormat.E164),
        country_code=number.country_code,
        region=None if region is None or region in _NON_GEOGRAPHIC_REGIONS else region,
        international=phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
    )


def _parse_error(shown: str, error: NumberParseException) -> PhoneError:
    if error.error_type == NumberParseException.INVALID_COUNTRY_CODE:
        return _unknown_country_code(shown)
    if error.error_type == NumberParseException.TOO_LONG:
        return _too_long(shown)
    # TOO_SHORT_NSN, TOO_SHORT_AFTER_IDD, and NOT_A_NUMBER, which phonenumbers
    # reports when there are too few digits to be anything ("+62", "0").
    return _too_short(shown)


def _failed(code: PhoneErrorCode, message_id: str, message_en: str) -> PhoneResult:
    return PhoneResult(error=_error(code, message_id, message_en))


def _error(code: PhoneErrorCode, message_id: str, message_en: str) -> PhoneError:
    return PhoneError(code=code, field=PHONE_FIELD, message_id=message_id, message_en=message_en)


def _invalid_characters(text: str) -> PhoneResult:
    return _failed(
        PhoneErrorCode.INVALID_CHARACTERS,
        f"Nomor telepon '{text}' berisi huruf atau tanda yang tidak dipakai dalam nomor. Tulis satu nomor "
        "saja dengan angka, tanda + di depan kode negara, spasi, tanda hubung atau tanda kurung; tulis "
        "ekstensi atau nama pemilik nomor di catatan.",
        f"The phone number '{text}' contains letters or signs that are not part of a number. Write one "
        "number only, with digits, a + before the country code, spaces, dashes or parentheses; put an "
        "extension or the owner's name in the notes.",
    )


def _too_short(shown: str) -> PhoneError:
    return _error(
        PhoneErrorCode.TOO_SHORT,
        f"Nomor telepon '{shown}' terlalu pendek. Tulis nomor lengkap: nomor HP Indonesia diawali 08 "
        "(misalnya 0812-3456-7890), nomor rumah atau kantor dengan kode wilayah (misalnya 0451 untuk "
        f"Palu), nomor luar negeri dengan kode negara setelah tanda +, misalnya {_EXAMPLES_ID}.",
        f"The phone number '{shown}' is too short. Write the full number: an Indonesian mobile starts "
        "with 08 (for example 0812-3456-7890), a landline with its area code (for example 0451 for Palu), "
        f"a foreign number with its country code after a +, for example {_EXAMPLES_EN}.",
    )


def _too_long(shown: str) -> PhoneError:
    return _error(
        PhoneErrorCode.TOO_LONG,
        f"Nomor telepon '{shown}' terlalu panjang. Jika ada dua nomor, isi satu per satu; jika tidak, "
        "periksa apakah ada digit yang terketik dua kali.",
        f"The phone number '{shown}' is too long. If there are two numbers, enter them one at a time; "
        "otherwise check for a digit typed twice.",
    )


def _unknown_country_code(shown: str) -> PhoneError:
    return _error(
        PhoneErrorCode.UNKNOWN_COUNTRY_CODE,
        f"Kode negara pada nomor '{shown}' tidak dikenal. Periksa angka setelah tanda +, misalnya +62 "
        f"untuk Indonesia, {_EXAMPLES_ID}.",
        f"The country code of '{shown}' does not exist. Check the digits after the +, for example +62 "
        f"for Indonesia, {_EXAMPLES_EN}.",
    )


def _invalid_number(shown: str, country_code: int | None, *, international: bool) -> PhoneError:
    if international:
        fix_id = f"Periksa digit setelah kode negara +{country_code}."
        fix_en = f"Check the digits after the country code +{country_code}."
    else:
        # Written without a country code, so it was read as Indonesian: the
        # likeliest cause is a foreign number missing its +.
        fix_id = (
            "Periksa kembali digitnya. Jika ini nomor luar negeri, tulis dengan kode negara setelah tanda +, "
            f"misalnya {_EXAMPLES_ID}."
        )
        fix_en = (
            "Check the digits. If this is a foreign number, write it with its country code after a +, "
            f"for example {_EXAMPLES_EN}."
        )
    return _error(
        PhoneErrorCode.INVALID_NUMBER,
        f"Nomor '{shown}' bukan nomor telepon yang berlaku untuk kode negara +{country_code}. {fix_id}",
        f"'{shown}' is not a valid phone number for country code +{country_code}. {fix_en}",
    )
