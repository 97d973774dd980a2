"""The breach clock's escalations: at discovery, 24 hours left, 6 hours left and overdue — each exactly once, to
the agency's heads and administrators, while a notice is still owed.

Like the referral SLA clocks (`referrals/sla.py`), a level is claimed with a conditional UPDATE, so two checks
running at once (cron and a worker, or a report and a check) never alert twice. A check that runs late claims
the highest level reached and sends that one only: a head learns "overdue", not three stale warnings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import CAPABILITIES, Capability
from sinergi.audit.events import current_origin
from sinergi.audit.models import AuditEvent
from sinergi.breaches.clock import Level, clock_state, level_due
from sinergi.breaches.models import OPEN_BREACH_STATUSES, Breach
from sinergi.notifications.models import NotificationKind
from sinergi.notifications.services import notify


@dataclass
class ClockReport:
    running: int = 0
    escalated: int = 0


def check_breach_clocks(now: datetime | None = None) -> ClockReport:
    moment = now or timezone.now()
    report = ClockReport()
    running = (
        Breach.objects.filter(status__in=OPEN_BREACH_STATUSES)
        .filter(Q(subjects_notified_at__isnull=True) | Q(authority_notified_at__isnull=True))
        .select_related("agency")
    )
    for breach in running:
        report.running += 1
        if escalate(breach, moment):
            report.escalated += 1
    return report


def escalate(breach: Breach, moment: datetime) -> bool:
    """Alert the level the clock has reached, if nobody has yet; True when this call sent it."""
    level = level_due(breach.notify_by, moment)
    if level <= breach.escalation_level or not _claim(breach, level, moment):
        return False
    _alert(breach, level, moment)
    return True


def _claim(breach: Breach, level: Level, moment: datetime) -> bool:
    with transaction.atomic():
        claimed = (
            Breach.objects.filter(pk=breach.pk, escalation_level__lt=level, status__in=OPEN_BREACH_STATUSES)
            .filter(Q(subjects_notified_at__isnull=True) | Q(authority_notified_at__isnull=True))
            .update(escalation_level=level, escalated_at=moment)
        )
    if claimed:
        breach.escalation_level = level
        breach.escalated_at = moment
    return bool(claimed)


def heads_of(agency_id: int) -> list[User]:
    roles = CAPABILITIES[Capability.MANAGE_BREACHES]
    return list(User.objects.filter(agency_id=agency_id, is_active=True, roles__role__in=roles).distinct())


def _title(breach: Breach, level: Level, moment: datetime) -> str:
    state = clock_state(breach.notify_by, moment)
    values = {"ref": breach.reference, "due": state.notify_by_wita(), "left": state.remaining_text()}
    if level == Level.DISCOVERED:
        return _("Suspected personal-data breach %(ref)s: notices due by %(due)s (3×24 hours)") % values
    if level == Level.OVERDUE:
        return _("Overdue: breach notices for %(ref)s were due %(due)s") % values
    return _("Breach %(ref)s: %(left)s left to notify the data subjects and the authority (due %(due)s)") % values


def _alert(breach: Breach, level: Level, moment: datetime) -> None:
    with transaction.atomic():
        notify(
            recipients=heads_of(breach.agency_id),
            kind=NotificationKind.OVERDUE if level == Level.OVERDUE else NotificationKind.TASK,
            title=_title(breach, level, moment),
            url=reverse("breaches:detail", args=[breach.pk]),
            dedupe_key=f"breach:{breach.pk}:{int(level)}",
        )
        # No actor (the clock did it), but the event is the agency's, so its auditors find it.
        origin = current_origin.get()
        AuditEvent(
            actor=None,
            agency_id=breach.agency_id,
            action="breach.escalated",
            object_type=breach._meta.label_lower,
            object_id=str(breach.pk),
            summary=breach.reference,
            detail={"level": int(level), "level_name": level.name.lower()},
            ip_address=origin.ip_address if origin else None,
            via=origin.via if origin else "command",
        ).save()


@task()
def check_breach_clocks_task() -> dict[str, int]:
    """The same check as a Django task, for deployments that enqueue it from their scheduler."""
    report = check_breach_clocks()
    return {"running": report.running, "escalated": report.escalated}
