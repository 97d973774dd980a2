"""The 3×24-hour clock of UU 27/2022 Pasal 46: arithmetic only, no database.

The deadline is 72 calendar hours after discovery — not working days: weekends and holidays count. Instants are
aware and stored in UTC, so the 72 hours are real hours whatever zone a client sent them in (a daylight-saving
change there neither adds nor removes one); people read them in WITA (Asia/Makassar, UTC+8, no DST).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from zoneinfo import ZoneInfo

NOTICE_PERIOD = timedelta(hours=72)
WITA = ZoneInfo("Asia/Makassar")


class Level(IntEnum):
    """Escalations, each sent once to the agency's heads and administrators while the clock runs."""

    NONE = 0
    DISCOVERED = 1
    DAY_LEFT = 2  # 24 hours left
    HOURS_LEFT = 3  # 6 hours left
    OVERDUE = 4


# How long before the deadline each level starts (DISCOVERED starts at discovery itself).
_BEFORE_DEADLINE = {
    Level.DAY_LEFT: timedelta(hours=24),
    Level.HOURS_LEFT: timedelta(hours=6),
    Level.OVERDUE: timedelta(0),
}


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("The breach clock needs aware datetimes (stored in UTC, shown in WITA).")
    return moment


def deadline_for(discovered_at: datetime) -> datetime:
    """When the notices are due: exactly 72 hours after discovery, in UTC.

    Converted first: Python adds a timedelta to an aware datetime on its zone's wall clock, so a discovery in a
    zone with daylight saving would get 71 or 73 real hours."""
    return _aware(discovered_at).astimezone(UTC) + NOTICE_PERIOD


def level_due(notify_by: datetime, now: datetime) -> Level:
    """The highest escalation level reached at `now` (DISCOVERED from the moment the breach is recorded)."""
    remaining = _aware(notify_by) - _aware(now)
    for level in (Level.OVERDUE, Level.HOURS_LEFT, Level.DAY_LEFT):
        if remaining <= _BEFORE_DEADLINE[level]:
            return level
    return Level.DISCOVERED


@dataclass(frozen=True)
class ClockState:
    notify_by: datetime
    remaining: timedelta  # negative once overdue
    level: Level

    @property
    def overdue(self) -> bool:
        return self.remaining <= timedelta(0)

    @property
    def urgent(self) -> bool:
        return self.level >= Level.DAY_LEFT

    def remaining_text(self) -> str:
        """'51 j 30 m' left, or how long overdue, in whole minutes (the page adds the words)."""
        minutes = int(abs(self.remaining).total_seconds() // 60)
        hours, minutes = divmod(minutes, 60)
        return f"{hours} j {minutes:02d} m"

    def notify_by_wita(self) -> str:
        return f"{self.notify_by.astimezone(WITA):%d-%m-%Y %H:%M} WITA"


def clock_state(notify_by: datetime, now: datetime) -> ClockState:
    return ClockState(notify_by=notify_by, remaining=_aware(notify_by) - _aware(now), level=level_due(notify_by, now))
