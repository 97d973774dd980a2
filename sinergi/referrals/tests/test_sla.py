"""SLA clocks: overdue steps are flagged and escalated once per level, never for a step already met.

The story's clock: sent Tuesday 17 March 2026 10:00 WITA, acknowledged at 11:00; 19-20 March are holidays,
so the accept/reject (DECIDE) deadline of 3 working days is Tuesday 24 March 10:00.
"""

from __future__ import annotations

from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from sinergi.accounts.roles import Role
from sinergi.audit.models import AuditEvent
from sinergi.cases.selectors import CaseFilter, filter_cases
from sinergi.notifications.models import Notification, NotificationKind
from sinergi.referrals import services
from sinergi.referrals.models import Deadline, Referral, SlaStep
from sinergi.referrals.sla import check_deadlines
from sinergi.sop.calendar import add_working_days
from sinergi.testing.factories import UserFactory
from sinergi.testing.referral_fixtures import sent_referral, wita

pytestmark = pytest.mark.usefixtures("sop")

DECIDE_DUE = wita(2026, 3, 24, 10, 0)


@pytest.fixture
def wulan(sentra):
    """A second supervisor at the receiving agency."""
    return UserFactory(username="wulan", agency=sentra, roles=[Role.SUPERVISOR])


@pytest.fixture
def acknowledged(alice, carol, clock) -> Referral:
    clock.set(wita(2026, 3, 17, 10, 0))
    referral = sent_referral(alice)
    clock.set(wita(2026, 3, 17, 11, 0))
    services.acknowledge_referral(actor=carol, referral_id=referral.pk)
    return referral


def overdue_alerts() -> Counter[str]:
    return Counter(
        Notification.objects.filter(kind=NotificationKind.OVERDUE).values_list("recipient__username", flat=True)
    )


def escalations() -> list[tuple[str, int]]:
    return sorted(
        (event.detail["step"], event.detail["level"])
        for event in AuditEvent.objects.filter(action="referral.escalated")
    )


def test_it_computes_the_decide_deadline_in_working_days(acknowledged):
    decide = Deadline.objects.get(referral=acknowledged, step=SlaStep.DECIDE)
    assert decide.due_at == DECIDE_DUE


def test_it_leaves_a_step_alone_until_its_deadline(acknowledged, yusuf):
    report = check_deadlines(now=wita(2026, 3, 24, 9, 59))
    assert (report.overdue, report.escalated_to_receiver, report.escalated_to_sender) == (0, 0, 0)
    assert not overdue_alerts()


def test_it_escalates_an_overdue_decision_to_the_receiving_supervisors_exactly_once(
    acknowledged, alice, carol, sari, yusuf, wulan, clock
):
    late = wita(2026, 3, 24, 10, 1)
    reports = [check_deadlines(now=late) for _ in range(3)]
    assert [(r.overdue, r.escalated_to_receiver, r.escalated_to_sender) for r in reports] == [
        (1, 1, 0),
        (1, 0, 0),
        (1, 0, 0),
    ]
    assert overdue_alerts() == {"yusuf": 1, "wulan": 1}
    assert escalations() == [(SlaStep.DECIDE, 1)]
    decide = Deadline.objects.get(referral=acknowledged, step=SlaStep.DECIDE)
    assert decide.is_overdue(late)
    assert (decide.escalation_level, decide.escalated_at) == (1, late)
    # Flagged where people look: the sender's overdue case filter.
    clock.set(late)
    assert list(filter_cases(alice, CaseFilter(overdue=True))) == [acknowledged.case]


def test_it_escalates_to_the_senders_supervisors_after_the_working_days_the_route_gives(
    acknowledged, alice, sari, yusuf
):
    first = wita(2026, 3, 24, 10, 1)
    check_deadlines(now=first)
    second_due = add_working_days(first, acknowledged.sop_route.escalate_after)
    assert second_due == wita(2026, 3, 25, 10, 1)

    report = check_deadlines(now=wita(2026, 3, 25, 10, 0))
    assert report.escalated_to_sender == 0
    assert overdue_alerts() == {"yusuf": 1}

    reports = [check_deadlines(now=second_due) for _ in range(3)]
    assert [r.escalated_to_sender for r in reports] == [1, 0, 0]
    assert overdue_alerts() == {"yusuf": 1, "sari": 1}  # the sender's supervisor; not alice (petugas)
    assert escalations() == [(SlaStep.DECIDE, 1), (SlaStep.DECIDE, 2)]

    # No third level, however long it stays overdue.
    check_deadlines(now=wita(2026, 4, 30, 10, 0))
    assert overdue_alerts() == {"yusuf": 1, "sari": 1}
    assert Deadline.objects.get(referral=acknowledged, step=SlaStep.DECIDE).escalation_level == 2


def test_it_never_escalates_a_met_deadline(alice, carol, yusuf, sari, clock):
    clock.set(wita(2026, 3, 17, 10, 0))
    referral = sent_referral(alice)
    # Accepted late for ACK (due 18 March 10:00) but before any check ran: both clocks are met.
    clock.set(wita(2026, 3, 18, 10, 30))
    services.accept_referral(actor=carol, referral_id=referral.pk)
    report = check_deadlines(now=wita(2026, 3, 25, 10, 0))
    assert (report.overdue, report.escalated_to_receiver) == (0, 0)
    assert not overdue_alerts()
    assert not Deadline.objects.filter(referral=referral, escalation_level__gt=0).exists()


def test_it_stops_escalating_once_the_step_is_met(acknowledged, carol, sari, yusuf, clock):
    check_deadlines(now=wita(2026, 3, 24, 10, 1))
    clock.set(wita(2026, 3, 24, 15, 0))
    services.accept_referral(actor=carol, referral_id=acknowledged.pk)
    report = check_deadlines(now=wita(2026, 3, 26, 10, 0))
    assert report.overdue == 0
    assert overdue_alerts() == {"yusuf": 1}  # the sender's supervisor is never bothered


def test_it_does_not_escalate_a_closed_referral(acknowledged, carol, yusuf, clock):
    clock.set(wita(2026, 3, 18, 9, 0))
    services.reject_referral(actor=carol, referral_id=acknowledged.pk, reason="Di luar kapasitas.")
    report = check_deadlines(now=wita(2026, 4, 30, 10, 0))
    assert report.overdue == 0
    assert not overdue_alerts()


def test_it_prints_the_counts_from_the_command(acknowledged, yusuf, sari, clock):
    clock.set(wita(2026, 3, 24, 10, 1))
    out = StringIO()
    call_command("sla", "check", stdout=out)
    assert out.getvalue().strip().splitlines() == [
        "Overdue steps: 1; escalated to receiving supervisors: 1; to sending supervisors: 0.",
        # One cron line runs every legal clock: the breach notices and the data-subject requests too.
        "Breach clocks running: 0; alerts sent: 0.",
        "Data-subject requests: 24 hours left 0; overdue 0.",
    ]
    out = StringIO()
    call_command("sla", "check", stdout=out)
    assert "Overdue steps: 1; escalated to receiving supervisors: 0; to sending supervisors: 0." in out.getvalue()
    assert overdue_alerts() == {"yusuf": 1}
