"""SLA clocks: flag overdue steps and escalate each exactly once per level.

Level 1: the receiving agency's supervisors, as soon as a step is overdue.
Level 2: the sending agency's supervisors, `escalate_after_days` working days after level 1.
Each level is claimed with a conditional UPDATE, so concurrent runs (worker + cron) never alert twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.audit.events import record_event
from sinergi.notifications.models import NotificationKind
from sinergi.notifications.services import notify
from sinergi.referrals.models import Deadline, SlaStep
from sinergi.referrals.services import referral_url
from sinergi.sop.calendar import add_working_days


@dataclass
class SlaReport:
    overdue: int = 0
    escalated_to_receiver: int = 0
    escalated_to_sender: int = 0


def check_deadlines(now: object = None) -> SlaReport:
    moment = now or timezone.now()
    report = SlaReport()
    running = Deadline.objects.filter(met_at__isnull=True, cancelled_at__isnull=True, due_at__lt=moment).select_related(
        "referral__case", "referral__from_agency", "referral__to_agency"
    )
    for deadline in running:
        report.overdue += 1
        if deadline.escalation_level == 0 and _claim(deadline, 0, moment):
            _alert(deadline, deadline.referral.to_agency_id, level=1)
            report.escalated_to_receiver += 1
        elif deadline.escalation_level == 1 and deadline.escalated_at is not None:
            second_due = add_working_days(deadline.escalated_at, deadline.escalate_after_days)
            if second_due <= moment and _claim(deadline, 1, moment):  # type: ignore[operator]
                _alert(deadline, deadline.referral.from_agency_id, level=2)
                report.escalated_to_sender += 1
    return report


def _claim(deadline: Deadline, level: int, moment: object) -> bool:
    with transaction.atomic():
        claimed = Deadline.objects.filter(pk=deadline.pk, escalation_level=level, met_at__isnull=True).update(
            escalation_level=level + 1, escalated_at=moment
        )
    if claimed:
        deadline.escalation_level = level + 1
    return bool(claimed)


def _alert(deadline: Deadline, agency_id: int, *, level: int) -> None:
    referral = deadline.referral
    supervisors = User.objects.filter(agency_id=agency_id, is_active=True, roles__role=Role.SUPERVISOR).distinct()
    step = SlaStep(deadline.step).label
    title = _("Overdue: %(step)s for %(case)s (%(from)s → %(to)s), due %(due)s") % {
        "step": step,
        "case": referral.case.number,
        "from": referral.from_agency.name,
        "to": referral.to_agency.name,
        "due": timezone.localtime(deadline.due_at).strftime("%d-%m-%Y %H:%M"),
    }
    with transaction.atomic():
        notify(
            recipients=supervisors,
            kind=NotificationKind.OVERDUE,
            title=title,
            url=referral_url(referral),
            dedupe_key=f"overdue:{deadline.pk}:{level}",
        )
        record_event(
            actor=None,
            action="referral.escalated",
            obj=referral,
            summary=referral.case.number,
            detail={"step": deadline.step, "level": level},
        )


@task()
def check_deadlines_task() -> dict[str, int]:
    """The same check as a Django task, for deployments that enqueue it from their scheduler."""
    report = check_deadlines()
    return {"overdue": report.overdue, "receiver": report.escalated_to_receiver, "sender": report.escalated_to_sender}
