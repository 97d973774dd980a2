"""Referral KPIs per agency and period: how fast the loop moves, how often SLA steps are met, acceptance rate.

The period selects referrals by the day they were sent (WITA). Times are in calendar hours (the SLA clocks
themselves are working-day aware; these figures compare like with like across agencies). Each duration is
measured from the moment the matching SLA clock starts: acknowledge and accept from sending, first service
and completion from acceptance.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from sinergi.accounts.models import Agency
from sinergi.referrals.models import Deadline, Referral, ReferralStatus, SlaStep


@dataclass(frozen=True)
class Duration:
    count: int
    median_hours: float | None
    mean_hours: float | None

    @classmethod
    def of(cls, hours: list[float]) -> Duration:
        if not hours:
            return cls(0, None, None)
        return cls(len(hours), statistics.median(hours), statistics.fmean(hours))


@dataclass(frozen=True)
class StepSla:
    step: str
    on_time: int  # met at or before the due time
    late: int  # met after the due time
    missed: int  # still running past due, or stopped (rejected, revoked...) after the due time

    @property
    def decided(self) -> int:
        return self.on_time + self.late + self.missed

    @property
    def share(self) -> float | None:
        return self.on_time / self.decided if self.decided else None

    @property
    def label(self) -> str:
        return str(SlaStep(self.step).label)


@dataclass(frozen=True)
class SideKpis:
    """One side of the loop: the agency as sender, or as receiver."""

    referrals: int
    accepted: int
    rejected: int
    completed: int
    failed: int
    revoked: int
    to_acknowledge: Duration
    to_accept: Duration
    to_first_service: Duration
    to_complete: Duration
    steps: list[StepSla] = field(default_factory=list)

    @property
    def acceptance_rate(self) -> float | None:
        decided = self.accepted + self.rejected
        return self.accepted / decided if decided else None

    @property
    def sla_on_time(self) -> int:
        return sum(step.on_time for step in self.steps)

    @property
    def sla_decided(self) -> int:
        return sum(step.decided for step in self.steps)

    @property
    def sla_share(self) -> float | None:
        return self.sla_on_time / self.sla_decided if self.sla_decided else None


@dataclass(frozen=True)
class AgencyKpis:
    agency: Agency
    date_from: date
    date_to: date
    as_sender: SideKpis
    as_receiver: SideKpis


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600


def _durations(rows: list[dict[str, Any]], start: str, end: str, only: str | None = None) -> Duration:
    values = [
        hours
        for row in rows
        if only is None or row["status"] == only
        if (hours := _hours(row[start], row[end])) is not None
    ]
    return Duration.of(values)


def _steps(referral_ids: list[int], now: datetime) -> list[StepSla]:
    counts: dict[str, list[int]] = {step: [0, 0, 0] for step in SlaStep.values}
    deadlines = Deadline.objects.filter(referral_id__in=referral_ids).values_list(
        "step", "due_at", "met_at", "cancelled_at"
    )
    for step, due, met, cancelled in deadlines:
        if met is not None:
            counts[step][0 if met <= due else 1] += 1
        elif (cancelled is not None and cancelled > due) or (cancelled is None and due < now):
            counts[step][2] += 1
        # Stopped before it was due (e.g. revoked early) or still running in time: not decided yet.
    return [StepSla(step, *counts[step]) for step in SlaStep.values]


def _side(referrals: Any, now: datetime) -> SideKpis:
    rows = list(
        referrals.values("id", "status", "sent_at", "acknowledged_at", "accepted_at", "first_service_at", "closed_at")
    )
    statuses = [row["status"] for row in rows]
    return SideKpis(
        referrals=len(rows),
        accepted=sum(1 for row in rows if row["accepted_at"] is not None),
        rejected=statuses.count(ReferralStatus.REJECTED),
        completed=statuses.count(ReferralStatus.COMPLETED),
        failed=statuses.count(ReferralStatus.FAILED),
        revoked=statuses.count(ReferralStatus.REVOKED),
        to_acknowledge=_durations(rows, "sent_at", "acknowledged_at"),
        to_accept=_durations(rows, "sent_at", "accepted_at"),
        to_first_service=_durations(rows, "accepted_at", "first_service_at"),
        to_complete=_durations(rows, "accepted_at", "closed_at", only=ReferralStatus.COMPLETED),
        steps=_steps([row["id"] for row in rows], now),
    )


def referral_kpis(agency: Agency, date_from: date, date_to: date, *, now: datetime | None = None) -> AgencyKpis:
    """KPIs of the referrals `agency` sent, and received, on the days date_from..date_to (WITA, inclusive)."""
    zone = timezone.get_current_timezone()
    start = datetime.combine(date_from, time.min, tzinfo=zone)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
    sent = Referral.objects.filter(sent_at__gte=start, sent_at__lt=end)
    moment = now or timezone.now()
    return AgencyKpis(
        agency=agency,
        date_from=date_from,
        date_to=date_to,
        as_sender=_side(sent.filter(from_agency=agency), moment),
        as_receiver=_side(sent.filter(to_agency=agency), moment),
    )
