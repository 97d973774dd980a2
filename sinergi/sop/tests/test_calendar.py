"""Working-day arithmetic for SLA clocks, in WITA: weekends and Holiday rows are not working days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.demo.sop_seeding import HOLIDAYS
from sinergi.sop.calendar import add_working_days, due_at, holidays_between, is_working_day
from sinergi.sop.models import Holiday, SlaUnit

WITA = ZoneInfo("Asia/Makassar")


def wita(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WITA)


@pytest.fixture
def nyepi_and_lebaran(db):
    """Thursday 19 and Friday 20 March 2026."""
    Holiday.objects.create(date=date(2026, 3, 19), name="Hari Suci Nyepi")
    Holiday.objects.create(date=date(2026, 3, 20), name="Idul Fitri")


def test_it_counts_the_next_working_day(db):
    assert add_working_days(wita(2026, 3, 10, 10, 0), 1) == wita(2026, 3, 11, 10, 0)  # Tuesday → Wednesday


def test_it_skips_the_weekend(db):
    assert add_working_days(wita(2026, 3, 13, 14, 30), 1) == wita(2026, 3, 16, 14, 30)  # Friday → Monday
    assert add_working_days(wita(2026, 3, 13, 14, 30), 3) == wita(2026, 3, 18, 14, 30)


def test_it_skips_holidays(nyepi_and_lebaran):
    # Wednesday 18 + 1 working day: Thursday and Friday are holidays, then the weekend.
    assert add_working_days(wita(2026, 3, 18, 10, 0), 1) == wita(2026, 3, 23, 10, 0)
    assert add_working_days(wita(2026, 3, 17, 10, 0), 3) == wita(2026, 3, 24, 10, 0)


def test_it_ignores_holidays_it_was_not_told_about(db):
    assert add_working_days(wita(2026, 3, 18, 10, 0), 1) == wita(2026, 3, 19, 10, 0)


def test_it_counts_a_saturday_start_from_monday_morning(db):
    saturday = wita(2026, 3, 14, 15, 30)
    assert add_working_days(saturday, 0) == wita(2026, 3, 16, 8, 0)
    assert add_working_days(saturday, 1) == wita(2026, 3, 17, 8, 0)


def test_it_counts_a_holiday_start_from_the_next_working_morning(nyepi_and_lebaran):
    assert add_working_days(wita(2026, 3, 19, 9, 0), 1) == wita(2026, 3, 24, 8, 0)  # Mon 23 08:00 + 1


def test_it_reads_the_start_in_wita(db):
    # 23:30 UTC on Friday is 07:30 on Saturday in Palu: the clock starts on Monday.
    friday_night_utc = datetime(2026, 3, 13, 23, 30, tzinfo=UTC)
    assert add_working_days(friday_night_utc, 1) == wita(2026, 3, 17, 8, 0)


def test_it_adds_plain_hours_for_an_hours_unit(nyepi_and_lebaran):
    friday = wita(2026, 3, 13, 17, 0)
    assert due_at(friday, 24, SlaUnit.HOURS) == friday + timedelta(hours=24)  # Saturday: hours do not stop
    assert due_at(wita(2026, 3, 18, 22, 0), 4, SlaUnit.HOURS) == wita(2026, 3, 19, 2, 0)  # into a holiday


def test_it_uses_working_days_for_a_working_days_unit(nyepi_and_lebaran):
    assert due_at(wita(2026, 3, 18, 10, 0), 1, SlaUnit.WORKING_DAYS) == wita(2026, 3, 23, 10, 0)


def test_it_tells_working_days(nyepi_and_lebaran):
    holidays = holidays_between(date(2026, 3, 1), date(2026, 3, 31))
    assert holidays == {date(2026, 3, 19), date(2026, 3, 20)}
    assert is_working_day(date(2026, 3, 18), holidays)
    assert not is_working_day(date(2026, 3, 19), holidays)
    assert not is_working_day(date(2026, 3, 21), holidays)  # Saturday


@pytest.fixture
def indonesian_holidays(db):
    Holiday.objects.bulk_create([Holiday(date=day, name=name) for day, name in HOLIDAYS])
    return {day for day, _ in HOLIDAYS}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2026, 12, 31), timezones=st.just(WITA)),
    days=st.integers(min_value=1, max_value=20),
)
def test_it_always_lands_on_a_working_day_after_the_start(indonesian_holidays, start, days):
    result = add_working_days(start, days)
    local = result.astimezone(WITA)
    assert local.weekday() < 5
    assert local.date() not in indonesian_holidays
    assert result > start
    if is_working_day(start.date(), indonesian_holidays):
        assert local.time() == start.time()  # the same clock time, `days` working days later
        working_days_passed = sum(
            is_working_day(start.date() + timedelta(days=n), indonesian_holidays)
            for n in range(1, (local.date() - start.date()).days + 1)
        )
        assert working_days_passed == days
