from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sinergi.linkage.dates import parse_date

TODAY = date(2026, 6, 1)
_MONTHS_ID = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


@pytest.mark.parametrize(
    "raw",
    [
        "1990-10-12",
        "1990/10/12",
        "1990-10-12 00:00:00",
        "1990-10-12T00:00:00",
        "12/10/1990",
        "12-10-1990",
        "12.10.1990",
        "12-Okt-1990",
        "12 Okt 1990",
        "12 Oktober 1990",
        "12 OCTOBER 1990",
        "12-oct-90",
        "12/10/90",
        "19901012",
        "12101990",
        "33158",
        "33158.0",
        33158,
        33158.0,
        date(1990, 10, 12),
        datetime(1990, 10, 12, 0, 0),
    ],
)
def test_it_reads_every_common_form_of_a_birth_date(raw: object) -> None:
    assert parse_date(raw, today=TODAY) == date(1990, 10, 12)


def test_it_reads_an_american_date_when_the_second_number_cannot_be_a_month() -> None:
    assert parse_date("10/25/1990", today=TODAY) == date(1990, 10, 25)


def test_it_reads_an_ambiguous_date_day_first_as_indonesians_write_it() -> None:
    assert parse_date("03/04/1990", today=TODAY) == date(1990, 4, 3)


def test_it_puts_a_two_digit_year_in_the_latest_century_not_in_the_future() -> None:
    assert parse_date("01/02/25", today=TODAY) == date(2025, 2, 1)
    assert parse_date("01/02/27", today=TODAY) == date(1927, 2, 1)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        None,
        "1990",
        1990,
        "31/02/1990",
        "12-Foo-1990",
        "besok",
        "2030-01-01",
        "1850-01-01",
        "60",
        0,
        12.5,
        True,
    ],
)
def test_it_gives_no_date_rather_than_a_wrong_one(raw: object) -> None:
    assert parse_date(raw, today=TODAY) is None


@given(st.dates(min_value=date(1901, 1, 1), max_value=TODAY))
def test_it_reads_back_the_forms_clerks_write(day: date) -> None:
    written = [
        day.isoformat(),
        f"{day.day:02d}/{day.month:02d}/{day.year}",
        f"{day.day}-{_MONTHS_ID[day.month - 1]}-{day.year}",
    ]
    # Serials from 1900 to this year's number would read as a year alone: such dates (1905-1906) are not tested.
    if day >= date(1910, 1, 1):
        written.append(str((day - date(1899, 12, 30)).days))
    for text in written:
        assert parse_date(text, today=TODAY) == day, text


@given(st.text(max_size=30))
def test_it_never_raises_on_any_text(text: str) -> None:
    result = parse_date(text, today=TODAY)
    assert result is None or date(1900, 1, 1) <= result <= TODAY
