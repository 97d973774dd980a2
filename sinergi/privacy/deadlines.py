"""How long the controller has to act on each kind of data-subject request (UU 27/2022 PDP), in calendar hours.

The law counts "3 x 24 jam terhitung sejak Pengendali Data Pribadi menerima permintaan": hours on the clock from
the moment the request was received, weekends and holidays included (not the working days of the referral SOP).
Withdrawal of consent (Pasal 9 and 40) is handled with consent, not here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Period:
    hours: int
    basis: str  # the article, shown next to the clock


# kind → period. The keys are `RequestKind` values (models.py imports this table, not the other way round).
PERIODS: dict[str, Period] = {
    # Pasal 32 ayat (2): access "paling lambat 3 x 24 jam" (the right: Pasal 7).
    "AKSES": Period(72, "UU 27/2022 Pasal 32 ayat (2)"),
    # Pasal 30 ayat (1): update or correction "paling lambat 3 x 24 jam" (the right: Pasal 6).
    "PERBAIKAN": Period(72, "UU 27/2022 Pasal 30 ayat (1)"),
    # Pasal 41 ayat (1): postponing and restricting processing "paling lambat 3 x 24 jam" (the right: Pasal 11).
    "PEMBATASAN": Period(72, "UU 27/2022 Pasal 41 ayat (1)"),
    # Pasal 43 ayat (1) huruf c: deletion at the subject's request (the right: Pasal 8). Pasal 43 names no
    # number of hours; we hold it to the same 3 x 24 hours as the other requests (see docs/operations.md).
    "PENGHAPUSAN": Period(72, "UU 27/2022 Pasal 8 dan Pasal 43 ayat (1) huruf c"),
}

# The reminder before the deadline ("24 hours left").
REMIND_BEFORE = timedelta(hours=24)


def due_at(kind: str, received_at: datetime) -> datetime:
    """The legal deadline: `received_at` plus the kind's period in calendar hours (aware in, aware out)."""
    return received_at + timedelta(hours=PERIODS[kind].hours)


def remind_at(kind: str, received_at: datetime) -> datetime:
    return due_at(kind, received_at) - REMIND_BEFORE


def hours_left(due: datetime, now: datetime) -> float:
    """Hours until `due` (negative when overdue)."""
    return (due - now).total_seconds() / 3600
