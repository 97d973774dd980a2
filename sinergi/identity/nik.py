"""NIK (Nomor Induk Kependudukan): parse, check and build.

A NIK has 16 digits, kept for life::

    72 71 05 521090 0001
    |  |  |  |      +-- 13-16 serial (nomor urut), from 0001
    |  |  |  +--------- 7-12  birth date DDMMYY; women have 40 added to DD (41-71)
    |  |  +------------ 5-6   district (kecamatan) where the NIK was first issued
    |  +--------------- 3-4   regency/city (kabupaten/kota)
    +------------------ 1-2   province (provinsi)

The region codes are Kemendagri codes of the place of *first issue*, not of
where the person lives now. The embedded birth date and sex are strong but
fallible evidence: a NIK printed with a wrong birth date is not reissued.

Result shape
------------
:func:`parse_nik` never raises on bad input. It returns a :class:`NikResult`:

* ``result.ok`` is True and ``result.value`` is a :class:`ParsedNik`, or
* ``result.ok`` is False, ``result.value`` is None and ``result.errors`` lists
  every problem found (an import shows them all at once, not one per attempt);
* ``result.warnings`` lists problems that were repaired (a trailing ``.0``
  left by Excel) so an import can tell the user even when the NIK is accepted.

``result.unwrap()`` returns the value or raises :class:`InvalidNik` for code
paths that want an exception. Each error and warning names the digit group
concerned (``field``, e.g. ``"5-6"``) and says in Bahasa Indonesia and English
what is wrong and how to fix it.

Region checks
-------------
The province, regency and district codes are always checked. With
``regions=None`` the Kemendagri tables shipped with the project are used
(:meth:`RegionDirectory.default`); the Django layer passes its own
:class:`RegionLookup` backed by its region tables. The tables hold today's
codes: a NIK issued under a district code that was later retired (after a
regency split, for example) is reported as an unknown district, with its own
error code so a caller can offer an override.

Spreadsheet damage
------------------
Excel stores numbers with 15 significant digits. A NIK stored as a number comes
out as ``7.27105E+15`` (digits lost: rejected), as ``7271055210900001.0``
(recoverable: the suffix is removed with a warning) or with its 16th digit
rounded to 0, which usually makes the serial ``0000`` (rejected, and the
message says Excel is the likely cause).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from sinergi.identity.issues import Issue
from sinergi.identity.regions import Region, RegionDirectory, RegionLookup, dotless_code

Sex = Literal["L", "P"]
"""Sex as Indonesian records write it: L (laki-laki, male), P (perempuan, female)."""

NIK_LENGTH = 16
FEMALE_DAY_OFFSET = 40


class NikDigitGroup(StrEnum):
    """Which digits of a NIK an error is about (the ``field`` of a NIK error)."""

    WHOLE = "nik"
    PROVINCE = "1-2"
    REGENCY = "3-4"
    DISTRICT = "5-6"
    BIRTH_DAY = "7-8"
    BIRTH_MONTH = "9-10"
    BIRTH_YEAR = "11-12"
    BIRTH_DATE = "7-12"
    SERIAL = "13-16"

    @property
    def label_id(self) -> str:
        """E.g. ``"digit 5-6 (kecamatan)"``."""
        return _GROUP_LABELS[self][0]

    @property
    def label_en(self) -> str:
        """E.g. ``"digits 5-6 (district)"``."""
        return _GROUP_LABELS[self][1]


_GROUP_LABELS: dict[NikDigitGroup, tuple[str, str]] = {
    NikDigitGroup.WHOLE: ("NIK", "NIK"),
    NikDigitGroup.PROVINCE: ("digit 1-2 (provinsi)", "digits 1-2 (province)"),
    NikDigitGroup.REGENCY: ("digit 3-4 (kabupaten/kota)", "digits 3-4 (regency/city)"),
    NikDigitGroup.DISTRICT: ("digit 5-6 (kecamatan)", "digits 5-6 (district)"),
    NikDigitGroup.BIRTH_DAY: ("digit 7-8 (tanggal lahir)", "digits 7-8 (day of birth)"),
    NikDigitGroup.BIRTH_MONTH: (
        "digit 9-10 (bulan lahir)",
        "digits 9-10 (month of birth)",
    ),
    NikDigitGroup.BIRTH_YEAR: (
        "digit 11-12 (tahun lahir)",
        "digits 11-12 (year of birth)",
    ),
    NikDigitGroup.BIRTH_DATE: (
        "digit 7-12 (tanggal lahir)",
        "digits 7-12 (date of birth)",
    ),
    NikDigitGroup.SERIAL: ("digit 13-16 (nomor urut)", "digits 13-16 (serial number)"),
}


class NikErrorCode(StrEnum):
    EMPTY = "nik_empty"
    EXCEL_SCIENTIFIC = "nik_excel_scientific"
    INVALID_CHARACTERS = "nik_invalid_characters"
    MISSING_DIGIT = "nik_missing_digit"
    WRONG_LENGTH = "nik_wrong_length"
    UNKNOWN_PROVINCE = "nik_unknown_province"
    UNKNOWN_REGENCY = "nik_unknown_regency"
    UNKNOWN_DISTRICT = "nik_unknown_district"
    INVALID_BIRTH_DAY = "nik_invalid_birth_day"
    INVALID_BIRTH_MONTH = "nik_invalid_birth_month"
    IMPOSSIBLE_BIRTH_DATE = "nik_impossible_birth_date"
    ZERO_SERIAL = "nik_zero_serial"
    EXCEL_ROUNDED = "nik_excel_rounded"


class NikWarningCode(StrEnum):
    EXCEL_DECIMAL_SUFFIX = "nik_excel_decimal_suffix"


@dataclass(frozen=True, slots=True)
class NikError(Issue[NikErrorCode]):
    """A problem that makes the NIK unusable; ``field`` is a :class:`NikDigitGroup`."""


@dataclass(frozen=True, slots=True)
class NikWarning(Issue[NikWarningCode]):
    """A problem that was repaired; the NIK is still accepted."""


@dataclass(frozen=True, slots=True)
class ParsedNik:
    """A NIK that passed every check, with what its digits say.

    Region codes are dotted Kemendagri codes (``"72.71.05"``); the names come
    from the region lookup used for the check.
    """

    nik: str
    province_code: str
    regency_code: str
    district_code: str
    birth_date: date
    sex: Sex
    serial: int
    province_name: str
    regency_name: str
    district_name: str


class InvalidNik(ValueError):
    """Raised by :meth:`NikResult.unwrap` for a NIK with errors."""

    def __init__(self, errors: tuple[NikError, ...]) -> None:
        super().__init__(" ".join(error.message_en for error in errors))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class NikResult:
    """Either a :class:`ParsedNik` (``ok``) or the errors found; warnings either way."""

    value: ParsedNik | None
    errors: tuple[NikError, ...] = ()
    warnings: tuple[NikWarning, ...] = ()

    def __post_init__(self) -> None:
        # The two halves must agree, or a caller checking only one of them
        # would accept a bad NIK or drop a good one.
        if (self.value is None) == (not self.errors):
            raise ValueError("A NikResult has a value or errors, never both or neither.")

    @property
    def ok(self) -> bool:
        return self.value is not None

    def unwrap(self) -> ParsedNik:
        if self.value is None:
            raise InvalidNik(self.errors)
        return self.value


# Excel shows a long number as 7.27105E+15; Indonesian-locale Excel uses a
# decimal comma (7,27105E+15); Python and pandas print 7.271055210900001e+15.
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:[.,]\d*)?[eE][+-]?\d+", re.ASCII)
# A number that went through a float column comes back as 7271055210900001.0.
_DECIMAL_SUFFIX = re.compile(r"(\d+)[.,]0+", re.ASCII)
# Separators people type between digit groups: spaces (including non-breaking),
# dots and dashes of any width.
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u2212]+")
_CONFUSABLE_LETTERS = frozenset("OoIl")
_CHECK_CARD_ID = "Periksa NIK pada KTP atau Kartu Keluarga."
_CHECK_CARD_EN = "Check the NIK on the KTP (identity card) or the Kartu Keluarga (family card)."


def parse_nik(raw: str, *, regions: RegionLookup | None = None, today: date | None = None) -> NikResult:
    """Check a NIK as typed or imported and decode it; never raises for bad input.

    ``today`` anchors the birth century (the Django layer passes the WITA local
    date); it defaults to ``date.today()``.
    """
    lookup: RegionLookup = regions if regions is not None else RegionDirectory.default()
    reference = today if today is not None else date.today()
    text = raw.strip()
    warnings: list[NikWarning] = []

    if not text:
        return _failed(
            _error(
                NikErrorCode.EMPTY,
                NikDigitGroup.WHOLE,
                "NIK kosong. Isi 16 digit NIK seperti tertulis di KTP atau Kartu Keluarga.",
                "The NIK is empty. Enter the 16-digit NIK as written on the KTP (identity card) "
                "or the Kartu Keluarga (family card).",
            )
        )
    if _SCIENTIFIC.fullmatch(text):
        return _failed(_scientific_error(text))

    converted_from_number = False
    decimal = _DECIMAL_SUFFIX.fullmatch(text)
    if decimal:
        converted_from_number = True
        warnings.append(_decimal_suffix_warning(text))
        text = decimal.group(1)

    # A leading apostrophe is how a user forces Excel to keep a NIK as text:
    # it is a sign the value was protected, not damage.
    digits = _SEPARATORS.sub("", text.removeprefix("'"))

    bad_characters = [character for character in dict.fromkeys(digits) if character not in "0123456789"]
    if bad_characters:
        return _failed(_invalid_characters_error(bad_characters), warnings=warnings)
    if len(digits) != NIK_LENGTH:
        return _failed(_length_error(len(digits)), warnings=warnings)

    errors: list[NikError] = []
    province, regency, district = _check_regions(digits, lookup, errors)
    birth = _check_birth(digits, reference, errors)
    serial = int(digits[12:16])
    if serial == 0:
        errors.append(_zero_serial_error(converted_from_number))

    if errors or province is None or regency is None or district is None or birth is None:
        return _failed(*errors, warnings=warnings)
    birth_date, sex = birth
    return NikResult(
        value=ParsedNik(
            nik=digits,
            province_code=province.code,
            regency_code=regency.code,
            district_code=district.code,
            birth_date=birth_date,
            sex=sex,
            serial=serial,
            province_name=province.name,
            regency_name=regency.name,
            district_name=district.name,
        ),
        warnings=tuple(warnings),
    )


def looks_excel_mangled(raw: str) -> bool:
    """Whether a value shows signs of a spreadsheet having stored a NIK as a number.

    True for scientific notation, a decimal suffix (``.0``) and 16 digits whose
    serial is 0000 (the 16th digit rounded to 0). An import can use it to warn
    once about the whole column instead of row by row.
    """
    text = raw.strip()
    if _SCIENTIFIC.fullmatch(text) or _DECIMAL_SUFFIX.fullmatch(text):
        return True
    digits = _SEPARATORS.sub("", text.removeprefix("'"))
    return len(digits) == NIK_LENGTH and digits.isascii() and digits.isdigit() and digits.endswith("0000")


def build_nik(district_code: str, birth_date: date, sex: Sex, serial: int) -> str:
    """The NIK for a district (dotted or dotless), birth date, sex and serial.

    For synthetic data and tests: it checks the shape of its inputs, not that
    the district exists.
    """
    district = dotless_code(district_code)
    if len(district) != 6:
        raise ValueError(f"build_nik needs a district code (6 digits), not {district_code!r}.")
    if sex not in ("L", "P"):
        raise ValueError(f"Sex must be 'L' or 'P', not {sex!r}.")
    if not 1 <= serial <= 9999:
        raise ValueError(f"The serial must be 1-9999, not {serial}.")
    day = birth_date.day + (FEMALE_DAY_OFFSET if sex == "P" else 0)
    return f"{district}{day:02d}{birth_date.month:02d}{birth_date.year % 100:02d}{serial:04d}"


def _check_regions(
    digits: str, lookup: RegionLookup, errors: list[NikError]
) -> tuple[Region | None, Region | None, Region | None]:
    # Only the highest failing level is reported: when the province is unknown,
    # "regency unknown" and "district unknown" would be noise.
    province = lookup.province(digits[0:2])
    if province is None:
        errors.append(_unknown_province_error(digits[0:2]))
        return None, None, None
    regency = lookup.regency(f"{digits[0:2]}.{digits[2:4]}")
    if regency is None:
        errors.append(_unknown_child_error(NikErrorCode.UNKNOWN_REGENCY, digits[2:4], province))
        return province, None, None
    district = lookup.district(f"{digits[0:2]}.{digits[2:4]}.{digits[4:6]}")
    if district is None:
        errors.append(_unknown_child_error(NikErrorCode.UNKNOWN_DISTRICT, digits[4:6], regency))
        return province, regency, None
    return province, regency, district


def decode_birth(digits: str, *, today: date) -> tuple[date, Sex] | None:
    """The birth date and sex that digits 7-12 of sixteen encode, or None when they are no date; whatever the
    other digits are (a NIK whose region was mistyped still carries its holder's birth date and sex)."""
    if len(digits) != NIK_LENGTH or not digits.isascii() or not digits.isdigit():
        return None
    return _check_birth(digits, today, [])


def _check_birth(digits: str, today: date, errors: list[NikError]) -> tuple[date, Sex] | None:
    day_digits, month_digits, year_digits = digits[6:8], digits[8:10], digits[10:12]
    encoded_day, month, year_in_century = (
        int(day_digits),
        int(month_digits),
        int(year_digits),
    )
    sex: Sex = "P" if encoded_day > FEMALE_DAY_OFFSET else "L"
    day = encoded_day - FEMALE_DAY_OFFSET if sex == "P" else encoded_day

    day_ok = 1 <= encoded_day <= 31 or FEMALE_DAY_OFFSET + 1 <= encoded_day <= FEMALE_DAY_OFFSET + 31
    month_ok = 1 <= month <= 12
    if not day_ok:
        errors.append(_birth_day_error(day_digits))
    if not month_ok:
        errors.append(_birth_month_error(month_digits))
    if not (day_ok and month_ok):
        return None

    # The NIK has no century: take the latest one that does not put the birth
    # in the future. Someone over 100 is therefore dated a century late, which
    # is rare enough and better than the reverse for the working-age people
    # this product serves.
    year = today.year - today.year % 100 + year_in_century
    if year > today.year:
        year -= 100
    try:
        born = date(year, month, day)
        if born > today:
            born = date(year - 100, month, day)
    except ValueError:
        errors.append(_impossible_date_error(day, month, year))
        return None
    return born, sex


def _failed(*errors: NikError, warnings: list[NikWarning] | tuple[NikWarning, ...] = ()) -> NikResult:
    return NikResult(value=None, errors=errors, warnings=tuple(warnings))


def _error(code: NikErrorCode, group: NikDigitGroup, message_id: str, message_en: str) -> NikError:
    return NikError(code=code, field=group.value, message_id=message_id, message_en=message_en)


def _scientific_error(text: str) -> NikError:
    return _error(
        NikErrorCode.EXCEL_SCIENTIFIC,
        NikDigitGroup.WHOLE,
        f"NIK tertulis {text}: Excel mengubah NIK menjadi angka dan digit terakhirnya hilang, "
        "sehingga NIK tidak bisa dipulihkan dari nilai ini. Format kolom NIK sebagai Teks (Text), "
        "ketik ulang NIK dari KTP atau dari berkas asal, lalu ekspor ulang.",
        f"The NIK reads {text}: Excel turned the NIK into a number and lost the last digits, "
        "so it cannot be recovered from this value. Format the NIK column as Text, "
        "re-enter the NIK from the KTP or the original file, and export again.",
    )


def _decimal_suffix_warning(text: str) -> NikWarning:
    return NikWarning(
        code=NikWarningCode.EXCEL_DECIMAL_SUFFIX,
        field=NikDigitGroup.WHOLE.value,
        message_id=f"NIK tertulis {text}: akhiran desimal muncul karena NIK pernah disimpan sebagai angka "
        "di Excel. Akhiran itu sudah dibuang; cocokkan 16 digitnya dengan KTP, lalu format kolom NIK "
        "sebagai Teks (Text) agar tidak terulang.",
        message_en=f"The NIK reads {text}: the decimal ending appears because the NIK was stored as a number "
        "in Excel. The ending has been removed; check the 16 digits against the KTP, and format the NIK "
        "column as Text so it does not happen again.",
    )


def _invalid_characters_error(characters: list[str]) -> NikError:
    shown = ", ".join(repr(character) for character in characters[:5])
    hint_id = hint_en = ""
    if _CONFUSABLE_LETTERS.intersection(characters):
        hint_id = " Huruf O, I atau l mungkin salah ketik untuk angka 0 atau 1."
        hint_en = " The letters O, I or l may be typos for the digits 0 or 1."
    return _error(
        NikErrorCode.INVALID_CHARACTERS,
        NikDigitGroup.WHOLE,
        f"NIK hanya berisi angka, tetapi di sini ada {shown}. Hapus karakter itu dan periksa NIK pada KTP.{hint_id}",
        f"A NIK contains only digits, but this one contains {shown}. Remove those characters and "
        f"check the NIK on the KTP.{hint_en}",
    )


def _length_error(length: int) -> NikError:
    if length == NIK_LENGTH - 1:
        # NIKs start with a province code (11-96), never 0: Excel's usual
        # "leading zero dropped" explanation cannot apply, so say what can.
        return _error(
            NikErrorCode.MISSING_DIGIT,
            NikDigitGroup.WHOLE,
            "NIK ini hanya 15 digit, padahal NIK selalu 16 digit. NIK tidak pernah diawali angka 0, "
            "jadi bukan Excel yang membuang nol di depan: satu digit hilang saat diketik atau saat "
            f"disimpan sebagai angka. {_CHECK_CARD_ID}",
            "This NIK has only 15 digits; a NIK always has 16. A NIK never starts with 0, so Excel "
            "cannot have dropped a leading zero here: a digit was lost when it was typed or when it was "
            f"stored as a number. {_CHECK_CARD_EN}",
        )
    if length > NIK_LENGTH:
        cause_id = " Mungkin ada digit yang terketik dua kali, atau dua nomor tergabung dalam satu kolom."
        cause_en = " A digit may have been typed twice, or two numbers run together in one cell."
    else:
        cause_id = " Pastikan yang diisi adalah NIK, bukan nomor lain seperti nomor paspor."
        cause_en = " Make sure this is the NIK and not another number such as a passport number."
    return _error(
        NikErrorCode.WRONG_LENGTH,
        NikDigitGroup.WHOLE,
        f"NIK harus 16 digit, tetapi yang tertulis {length} digit.{cause_id} {_CHECK_CARD_ID}",
        f"A NIK has 16 digits, but this one has {length}.{cause_en} {_CHECK_CARD_EN}",
    )


def _unknown_province_error(code: str) -> NikError:
    group = NikDigitGroup.PROVINCE
    return _error(
        NikErrorCode.UNKNOWN_PROVINCE,
        group,
        f"{group.label_id.capitalize()} '{code}' bukan kode provinsi Kemendagri. Dua digit pertama NIK "
        "adalah kode provinsi tempat NIK pertama kali diterbitkan (misalnya 72 untuk Sulawesi Tengah). "
        f"{_CHECK_CARD_ID}",
        f"{group.label_en.capitalize()} '{code}' are not a Kemendagri province code. The first two digits "
        "of a NIK are the code of the province where it was first issued (for example 72 for Sulawesi "
        f"Tengah). {_CHECK_CARD_EN}",
    )


def _unknown_child_error(code: NikErrorCode, digits: str, parent: Region) -> NikError:
    if code is NikErrorCode.UNKNOWN_REGENCY:
        group, kind_id, kind_en = (
            NikDigitGroup.REGENCY,
            "kabupaten/kota",
            "regency or city",
        )
        where_id, where_en = f"provinsi {parent.name}", f"the province of {parent.name}"
    else:
        group, kind_id, kind_en = NikDigitGroup.DISTRICT, "kecamatan", "district"
        where_id = where_en = parent.name
    return _error(
        code,
        group,
        f"{group.label_id.capitalize()} '{digits}': tidak ada {kind_id} dengan kode itu di {where_id} "
        f"({parent.code}) menurut kode wilayah Kemendagri. {_CHECK_CARD_ID}",
        f"{group.label_en.capitalize()} '{digits}': there is no {kind_en} with that code in {where_en} "
        f"({parent.code}) in the Kemendagri region codes. {_CHECK_CARD_EN}",
    )


def _birth_day_error(digits: str) -> NikError:
    group = NikDigitGroup.BIRTH_DAY
    return _error(
        NikErrorCode.INVALID_BIRTH_DAY,
        group,
        f"{group.label_id.capitalize()} '{digits}' tidak mungkin: untuk laki-laki tanggal lahir 01-31, "
        f"untuk perempuan tanggal lahir ditambah 40 (41-71). {_CHECK_CARD_ID}",
        f"{group.label_en.capitalize()} '{digits}' are impossible: they hold the day of birth (01-31) "
        f"for men and the day plus 40 (41-71) for women. {_CHECK_CARD_EN}",
    )


def _birth_month_error(digits: str) -> NikError:
    group = NikDigitGroup.BIRTH_MONTH
    return _error(
        NikErrorCode.INVALID_BIRTH_MONTH,
        group,
        f"{group.label_id.capitalize()} '{digits}' tidak mungkin: bulan lahir harus 01-12. {_CHECK_CARD_ID}",
        f"{group.label_en.capitalize()} '{digits}' are impossible: the month of birth must be 01-12. {_CHECK_CARD_EN}",
    )


def _impossible_date_error(day: int, month: int, year: int) -> NikError:
    group = NikDigitGroup.BIRTH_DATE
    shown = f"{day:02d}-{month:02d}-{year % 100:02d}"
    leap_id = leap_en = ""
    if month == 2 and day == 29:
        leap_id = f" ({year} bukan tahun kabisat)"
        leap_en = f" ({year} is not a leap year)"
    return _error(
        NikErrorCode.IMPOSSIBLE_BIRTH_DATE,
        group,
        f"{group.label_id.capitalize()} menunjukkan {shown}, tanggal yang tidak ada di kalender{leap_id}. "
        f"{_CHECK_CARD_ID}",
        f"{group.label_en.capitalize()} give {shown}, a date that does not exist{leap_en}. {_CHECK_CARD_EN}",
    )


def _zero_serial_error(converted_from_number: bool) -> NikError:
    group = NikDigitGroup.SERIAL
    if converted_from_number:
        return _error(
            NikErrorCode.EXCEL_ROUNDED,
            group,
            f"{group.label_id.capitalize()} menjadi 0000 karena NIK pernah disimpan sebagai angka: Excel "
            "hanya menyimpan 15 digit dan membulatkan digit terakhir menjadi 0. Format kolom NIK sebagai "
            "Teks (Text), ketik ulang NIK dari KTP atau berkas asal, lalu ekspor ulang.",
            f"{group.label_en.capitalize()} became 0000 because the NIK was stored as a number: Excel keeps "
            "only 15 digits and rounds the last one to 0. Format the NIK column as Text, re-enter the NIK "
            "from the KTP or the original file, and export again.",
        )
    return _error(
        NikErrorCode.ZERO_SERIAL,
        group,
        f"{group.label_id.capitalize()} '0000' tidak mungkin: nomor urut dimulai dari 0001. Jika NIK ini "
        "berasal dari Excel, digit terakhirnya kemungkinan dibulatkan menjadi 0: format kolom NIK sebagai "
        f"Teks (Text) dan ketik ulang NIK dari KTP. Jika tidak, {_CHECK_CARD_ID[0].lower()}{_CHECK_CARD_ID[1:]}",
        f"{group.label_en.capitalize()} '0000' are impossible: serial numbers start at 0001. If this NIK "
        "came from Excel, its last digit was probably rounded to 0: format the NIK column as Text and "
        f"re-enter the NIK from the KTP. Otherwise, {_CHECK_CARD_EN[0].lower()}{_CHECK_CARD_EN[1:]}",
    )
