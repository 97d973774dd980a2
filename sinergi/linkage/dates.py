"""Birth dates as agencies write them: ISO, 12/10/1990, 12-Okt-1990, 12 Oktober 1990, Excel serials.

Indonesian records put the day first (``12/10/1990`` is 12 October). A date
whose second number cannot be a month (``10/25/1990``) was written the
American way and is read so. Anything else that cannot be read gives None:
a wrong date would be worse evidence than no date.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Final

# Indonesian and English month names and the abbreviations clerks use
# (Agt/Ags for Agustus, Okt for Oktober, Des for Desember, Mei for May).
_MONTHS: Final[dict[str, int]] = {
    **dict.fromkeys(("jan", "januari", "january"), 1),
    **dict.fromkeys(("feb", "peb", "februari", "pebruari", "february"), 2),
    **dict.fromkeys(("mar", "mrt", "maret", "march"), 3),
    **dict.fromkeys(("apr", "april"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("jun", "juni", "june"), 6),
    **dict.fromkeys(("jul", "juli", "july"), 7),
    **dict.fromkeys(("agu", "agt", "ags", "agus", "agustus", "aug", "august"), 8),
    **dict.fromkeys(("sep", "sept", "september"), 9),
    **dict.fromkeys(("okt", "oct", "oktober", "october"), 10),
    **dict.fromkeys(("nov", "nop", "november", "nopember"), 11),
    **dict.fromkeys(("des", "dec", "desember", "december"), 12),
}
_ISO: Final = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ t].*)?")
_DAY_FIRST: Final = re.compile(r"(\d{1,2})[-/. ]+(\d{1,2})[-/. ]+(\d{2}|\d{4})(?: .*)?")
_TEXT_MONTH: Final = re.compile(r"(\d{1,2})[-/. ]*([a-z]+)\.?[-/. ]*(\d{2}|\d{4})")
_COMPACT: Final = re.compile(r"\d{8}")
_SERIAL: Final = re.compile(r"(\d{1,6})(?:[.,]0+)?")
# Excel's day 0 is 1899-12-31, and it counts a 29 February 1900 that never
# was; from serial 61 on, counting from 1899-12-30 gives the right date.
_EXCEL_EPOCH: Final = date(1899, 12, 30)
_EXCEL_FAKE_LEAP_DAY: Final = 60
_EARLIEST: Final = date(1900, 1, 1)


def parse_date(raw: object, *, today: date) -> date | None:
    """A date from a cell (text, date, datetime or number), or None when it cannot be read.

    Two-digit years take the latest century that does not put the date after
    ``today``; dates after ``today`` or before 1900 are refused.
    """
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return _plausible(raw.date(), today)
    if isinstance(raw, date):
        return _plausible(raw, today)
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _from_serial(raw, today) if float(raw).is_integer() else None
    text = str(raw).strip().lower()
    if not text:
        return None
    if match := _ISO.fullmatch(text):
        return _checked(int(match[1]), int(match[2]), int(match[3]), today)
    if match := _TEXT_MONTH.fullmatch(text):
        month = _MONTHS.get(match[2])
        if month is None:
            return None
        return _checked(_full_year(match[3], today), month, int(match[1]), today)
    if match := _DAY_FIRST.fullmatch(text):
        first, second, year = int(match[1]), int(match[2]), _full_year(match[3], today)
        if second > 12 >= first:  # 10/25/1990 can only be October 25
            first, second = second, first
        return _checked(year, second, first, today)
    if _COMPACT.fullmatch(text):
        # 19901012 (year first) or 12101990 (day first)
        return _checked(int(text[:4]), int(text[4:6]), int(text[6:]), today) or _checked(
            int(text[4:]), int(text[2:4]), int(text[:2]), today
        )
    if match := _SERIAL.fullmatch(text):
        return _from_serial(int(match[1]), today)
    return None


def _full_year(text: str, today: date) -> int:
    if len(text) == 4:
        return int(text)
    year = 2000 + int(text)
    return year if year <= today.year else year - 100


def _checked(year: int, month: int, day: int, today: date) -> date | None:
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    return _plausible(value, today)


def _plausible(value: date, today: date) -> date | None:
    return value if _EARLIEST <= value <= today else None


def _from_serial(serial: float, today: date) -> date | None:
    number = int(serial)
    # A year alone (1990) is not a serial: the day is unknown, so no date.
    if number <= 0 or number == _EXCEL_FAKE_LEAP_DAY or _EARLIEST.year <= number <= today.year:
        return None
    offset = number if number > _EXCEL_FAKE_LEAP_DAY else number + 1
    try:
        value = _EXCEL_EPOCH + timedelta(days=offset)
    except OverflowError:
        return None
    return _plausible(value, today)
