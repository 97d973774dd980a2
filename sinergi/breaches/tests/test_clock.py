"""The 3×24-hour clock: 72 calendar hours from discovery, stored in UTC, shown in WITA."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sinergi.breaches.clock import NOTICE_PERIOD, Level, clock_state, deadline_for, level_due

from .conftest import DISCOVERED


def test_it_gives_72_calendar_hours_through_weekends_and_holidays():
    # 17 March 2026 10:00 WITA; 19-20 March are holidays in the SOP calendar, and still count.
    due = deadline_for(DISCOVERED)
    assert due == datetime(2026, 3, 20, 2, 0, tzinfo=UTC)
    assert due.utcoffset() == timedelta(0)
    assert clock_state(due, DISCOVERED).notify_by_wita() == "20-03-2026 10:00 WITA"


def test_it_counts_real_hours_across_a_daylight_saving_change_elsewhere():
    # Sent by a partner in Amsterdam the day before clocks go forward (29 March 2026): 72 real hours,
    # which on Amsterdam's wall clock is 73; WITA has no DST and shows the true instant.
    discovered = datetime(2026, 3, 28, 12, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    due = deadline_for(discovered)
    assert due - discovered == timedelta(hours=72)
    assert due == datetime(2026, 3, 31, 11, 0, tzinfo=UTC)
    assert due.astimezone(ZoneInfo("Europe/Amsterdam")).hour == 13
    assert clock_state(due, discovered).notify_by_wita() == "31-03-2026 19:00 WITA"


def test_it_refuses_a_naive_time():
    with pytest.raises(ValueError, match="aware"):
        deadline_for(datetime(2026, 3, 17, 10, 0))


@pytest.mark.parametrize(
    ("hours_after_discovery", "level"),
    [
        (0, Level.DISCOVERED),
        (47.9, Level.DISCOVERED),
        (48, Level.DAY_LEFT),
        (66, Level.HOURS_LEFT),
        (72, Level.OVERDUE),
    ],
)
def test_it_reaches_each_level_at_its_hour(hours_after_discovery, level):
    assert level_due(deadline_for(DISCOVERED), DISCOVERED + timedelta(hours=hours_after_discovery)) == level


def test_it_shows_what_is_left_and_how_late():
    due = deadline_for(DISCOVERED)
    assert clock_state(due, DISCOVERED + timedelta(hours=20, minutes=30)).remaining_text() == "51 j 30 m"
    late = clock_state(due, due + timedelta(hours=2, minutes=5))
    assert late.overdue and late.remaining_text() == "2 j 05 m"


zones = st.sampled_from(["Asia/Makassar", "Asia/Jakarta", "Asia/Jayapura", "Europe/Amsterdam", "America/New_York"])


@given(
    moment=st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1)),
    zone=zones,
    first=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=6)),
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=6)),
)
def test_it_is_exactly_72_hours_and_never_goes_back_a_level(moment, zone, first, later):
    discovered = moment.replace(tzinfo=ZoneInfo(zone))
    due = deadline_for(discovered)
    assert due - discovered == NOTICE_PERIOD
    assert due.utcoffset() == timedelta(0)
    now = discovered.astimezone(UTC) + first  # real hours later (aware + timedelta is wall-clock arithmetic)
    assert clock_state(due, now).remaining + first == NOTICE_PERIOD
    assert level_due(due, now) <= level_due(due, now + later)
