"""Working-day arithmetic in WITA for SLA clocks: weekends and the admin-edited holidays are skipped."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.utils import timezone

from sinergi.sop.models import Holiday, SlaUnit


def holidays_between(start: date, end: date) -> set[date]:
    return set(Holiday.objects.filter(date__range=(start, end)).values_list("date", flat=True))


def is_working_day(day: date, holidays: set[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: datetime, days: int) -> datetime:
    """The same WITA clock time `days` working days later (a start on a day off counts from the next working day)."""
    local = timezone.localtime(start)
    # Generous window: even long holiday seasons (Lebaran cuti bersama) fit in 3x + 14 calendar days.
    holidays = holidays_between(local.date(), local.date() + timedelta(days=days * 3 + 14))
    day = local
    while not is_working_day(day.date(), holidays):
        day = (day + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day.date(), holidays):
            remaining -= 1
    return day


def due_at(start: datetime, amount: int, unit: str) -> datetime:
    if unit == SlaUnit.HOURS:
        return start + timedelta(hours=amount)
    return add_working_days(start, amount)
