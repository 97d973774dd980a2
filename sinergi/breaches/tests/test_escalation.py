"""The clock's escalations: at discovery, 24 h left, 6 h left and overdue — once each, to the agency's heads and
administrators, never to other staff or other agencies, and not after the notices are recorded.

The story: discovered Tuesday 17 March 2026 10:00 WITA, so the notices are due Friday 20 March 10:00 WITA
(19-20 March are holidays: calendar hours count anyway)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from sinergi.audit.chain import verify_chain
from sinergi.audit.models import AuditEvent
from sinergi.breaches import escalation, services
from sinergi.breaches.clock import Level
from sinergi.breaches.escalation import check_breach_clocks
from sinergi.breaches.models import Breach
from sinergi.notifications.models import Notification, NotificationKind
from sinergi.testing.referral_fixtures import wita

from .conftest import DISCOVERED, confirm, report

DUE = wita(2026, 3, 20, 10, 0)


def alerts() -> Counter[tuple[str, str]]:
    return Counter(
        (n.recipient.username, n.dedupe_key.rsplit(":", 1)[1])
        for n in Notification.objects.filter(dedupe_key__startswith="breach:").select_related("recipient")
    )


def levels(breach: Breach) -> list[int]:
    return sorted(e.detail["level"] for e in AuditEvent.objects.filter(action="breach.escalated", object_id=breach.pk))


@pytest.fixture
def reported(alice, sari, adi, bob, yusuf, clock) -> Breach:
    clock.set(DISCOVERED + timedelta(minutes=20))
    return report(alice)


def test_it_alerts_the_heads_at_once_when_a_breach_is_reported(reported):
    assert reported.notify_by == DUE
    # The head and the administrator; not the reporter (petugas), the auditor, nor Sentra's head.
    assert alerts() == {("sari", "1"): 1, ("adi", "1"): 1}
    assert levels(reported) == [Level.DISCOVERED]
    event = AuditEvent.objects.get(action="breach.escalated")
    assert event.agency_id == reported.agency_id  # so BP3MI's auditors find it


def test_it_escalates_each_level_once_however_often_the_check_runs(reported):
    for moment, expected in (
        (wita(2026, 3, 19, 9, 59), 0),
        (wita(2026, 3, 19, 10, 0), 1),  # 24 hours left
        (wita(2026, 3, 20, 4, 0), 1),  # 6 hours left
        (wita(2026, 3, 20, 10, 0), 1),  # overdue
        (wita(2026, 3, 25, 10, 0), 0),  # nothing after overdue
    ):
        reports = [check_breach_clocks(now=moment) for _ in range(3)]
        assert [r.escalated for r in reports] == [expected, 0, 0], moment
    assert alerts() == {(user, level): 1 for user in ("sari", "adi") for level in ("1", "2", "3", "4")}
    assert levels(reported) == [1, 2, 3, 4]
    assert verify_chain().intact  # the clock's events join the tamper-evident trail like any other
    overdue = Notification.objects.get(recipient__username="sari", dedupe_key=f"breach:{reported.pk}:4")
    assert overdue.kind == NotificationKind.OVERDUE
    assert "20-03-2026 10:00 WITA" in overdue.title


def test_it_escalates_once_when_two_checks_run_at_the_same_time(reported, monkeypatch):
    """Both checks read the breach at level 1; the second claims and alerts between the first's read and its
    claim. The conditional UPDATE lets only one of them through."""
    real_claim = escalation._claim
    raced = []

    def claim_after_a_rival_ran(breach, level, moment):
        if not raced:
            raced.append(True)
            rival = check_breach_clocks(now=moment)
            assert rival.escalated == 1
        return real_claim(breach, level, moment)

    monkeypatch.setattr(escalation, "_claim", claim_after_a_rival_ran)
    first = check_breach_clocks(now=wita(2026, 3, 19, 12, 0))
    assert (first.running, first.escalated) == (1, 0)
    assert alerts()[("sari", "2")] == 1
    assert levels(reported) == [1, 2]


def test_a_late_check_sends_only_the_level_reached(reported):
    check_breach_clocks(now=wita(2026, 3, 21, 8, 0))
    assert levels(reported) == [1, 4]
    assert ("sari", "2") not in alerts()


def test_it_stops_once_both_notices_are_recorded_or_the_breach_is_dismissed(reported, sari, alice, clock):
    clock.set(wita(2026, 3, 18, 9, 0))
    confirm(sari, reported)
    for recipient in ("SUBJEK", "LEMBAGA"):
        services.record_notice(
            actor=sari, breach_id=reported.pk, recipient=recipient, notified_at=clock.now, how="Surat no. 12"
        )
    dismissed = report(alice, discovered_at=wita(2026, 3, 18, 8, 0))
    services.assess_breach(
        actor=sari,
        breach_id=dismissed.pk,
        data=services.AssessmentData(confirmed=False, dismissal_reason="Berkas kosong, tidak ada data pribadi."),
    )
    assert check_breach_clocks(now=wita(2026, 3, 30, 10, 0)).running == 0
    assert levels(reported) == [1]
    assert levels(dismissed) == [1]


def test_the_command_runs_the_same_check(reported, clock):
    clock.set(wita(2026, 3, 20, 11, 0))
    out = StringIO()
    call_command("breaches", "check", stdout=out)
    assert "alerts sent: 1" in out.getvalue()
    assert levels(reported) == [1, 4]


def test_an_earlier_discovery_moves_the_deadline_and_alerts_the_level_reached(reported, sari, clock):
    clock.set(wita(2026, 3, 18, 9, 0))
    same_minute = DISCOVERED.replace(second=0)
    assert confirm(sari, reported, discovered_at=same_minute).notify_by == DUE  # no correction
    # The office knew since Sunday evening: 72 hours end Wednesday 18 March 20:00, 11 hours from now.
    corrected = confirm(sari, reported, discovered_at=wita(2026, 3, 15, 20, 0))
    assert corrected.notify_by == wita(2026, 3, 18, 20, 0)
    assert levels(reported) == [1, 2]  # 24 hours left, sent at once
    event = AuditEvent.objects.filter(action="breach.assessed").latest("id")
    before, after = (datetime.fromisoformat(value) for value in event.detail["discovered_at"])
    assert (before, after) == (DISCOVERED, wita(2026, 3, 15, 20, 0))
    assert corrected.history.first().notify_by == wita(2026, 3, 18, 20, 0)
