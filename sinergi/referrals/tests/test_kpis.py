"""Referral KPIs on a constructed dataset: exact figures, the WITA period boundary, and who may see the page."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.demo.sop_seeding import seed_sop
from sinergi.directory.models import Service
from sinergi.referrals.kpis import Duration, StepSla, referral_kpis
from sinergi.referrals.models import Deadline, Referral, ReferralStatus
from sinergi.referrals.tests.test_pages import open_case
from sinergi.sop.models import SopDocument
from sinergi.testing.factories import UserFactory

WITA = ZoneInfo("Asia/Makassar")
NOW = datetime(2026, 6, 30, 12, 0, tzinfo=WITA)
S = ReferralStatus


def wita(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WITA)


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sop(bp3mi: Agency, sentra: Agency, dinsos: Agency) -> SopDocument:
    seed_sop()
    return SopDocument.objects.get()


@pytest.fixture
def bp3mi_head(bp3mi: Agency) -> User:
    return UserFactory(username="kepala.bp3mi", agency=bp3mi, roles=[Role.SUPERVISOR])


@pytest.fixture
def dataset(sop: SopDocument, alice: User, carol: User, bp3mi: Agency, sentra: Agency) -> dict[str, Referral]:
    """BP3MI sends four referrals in the period (one more just before it, one draft), receives one from Sentra."""
    case = open_case(alice)
    sentra_case = open_case(carol, nik="", full_name="Wa Ode")
    to_sentra = Service.objects.get(code="atensi-a3", agency=sentra)
    to_bp3mi = Service.objects.get(code="pemulangan", agency=bp3mi)

    def make(status: str, sent_at: datetime | None, *, incoming: bool = False, **times: datetime) -> Referral:
        return Referral.objects.create(
            case=sentra_case if incoming else case,
            from_agency=sentra if incoming else bp3mi,
            to_agency=bp3mi if incoming else sentra,
            service=to_bp3mi if incoming else to_sentra,
            reason="-",
            status=status,
            created_by=carol if incoming else alice,
            sent_at=sent_at,
            **times,
        )

    def deadline(referral: Referral, step: str, due: datetime, **times: datetime) -> None:
        Deadline.objects.create(referral=referral, step=step, started_at=referral.sent_at, due_at=due, **times)

    sent = wita(3, 2, 8)
    r1 = make(
        S.COMPLETED,
        sent,
        acknowledged_at=sent + hours(2),
        accepted_at=sent + hours(4),
        first_service_at=sent + hours(4 + 24),
        closed_at=sent + hours(4 + 48),
    )
    deadline(r1, "ACK", sent + hours(24), met_at=sent + hours(2))  # in time
    deadline(r1, "DECIDE", sent + hours(72), met_at=sent + hours(4))  # in time
    deadline(r1, "FIRST_SERVICE", sent + hours(24), met_at=sent + hours(28))  # late
    deadline(r1, "COMPLETE", sent + hours(200), met_at=sent + hours(52))  # in time

    sent = wita(3, 3, 8)
    r2 = make(
        S.IN_SERVICE,
        sent,
        acknowledged_at=sent + hours(6),
        accepted_at=sent + hours(10),
        first_service_at=sent + hours(10 + 12),
    )
    deadline(r2, "ACK", sent + hours(4), met_at=sent + hours(6))  # late
    deadline(r2, "DECIDE", sent + hours(72), met_at=sent + hours(10))  # in time
    deadline(r2, "FIRST_SERVICE", sent + hours(22), met_at=sent + hours(22))  # exactly on the due time: in time
    deadline(r2, "COMPLETE", wita(12, 1, 8))  # still running, not due yet: not counted

    sent = wita(3, 4, 8)
    r3 = make(S.REJECTED, sent, acknowledged_at=sent + hours(1), closed_at=sent + hours(29))
    deadline(r3, "ACK", sent + hours(24), met_at=sent + hours(1))  # in time
    deadline(r3, "DECIDE", sent + hours(24), cancelled_at=sent + hours(29))  # stopped after its due time: missed

    # 00:30 WITA on 1 January is still 31 December in UTC: it belongs to the period.
    sent = wita(1, 1, 0, 30)
    r4 = make(S.SENT, sent)
    deadline(r4, "ACK", sent + hours(24))  # running and overdue: missed
    deadline(r4, "DECIDE", wita(7, 31, 8, year=2099))  # running, not due: not counted

    make(S.SENT, wita(12, 31, 23, 30, year=2025))  # before the period
    make(S.DRAFT, None)  # never sent

    sent = wita(2, 2, 8)
    r7 = make(S.ACKNOWLEDGED, sent, incoming=True, acknowledged_at=sent + hours(12))
    deadline(r7, "ACK", sent + hours(8), met_at=sent + hours(12))  # late
    deadline(r7, "DECIDE", sent + hours(24), cancelled_at=sent + hours(13))  # stopped before due: not counted
    return {"r1": r1, "r2": r2, "r3": r3, "r4": r4, "r7": r7}


def test_it_computes_the_sender_figures(dataset, bp3mi):
    kpis = referral_kpis(bp3mi, date(2026, 1, 1), date(2026, 6, 30), now=NOW)
    side = kpis.as_sender
    assert (side.referrals, side.accepted, side.rejected, side.completed, side.failed, side.revoked) == (
        4,
        2,
        1,
        1,
        0,
        0,
    )
    assert side.acceptance_rate == pytest.approx(2 / 3)
    assert side.to_acknowledge == Duration(3, 2.0, 3.0)
    assert side.to_accept == Duration(2, 7.0, 7.0)
    assert side.to_first_service == Duration(2, 18.0, 18.0)
    assert side.to_complete == Duration(1, 48.0, 48.0)
    assert side.steps == [
        StepSla("ACK", on_time=2, late=1, missed=1),
        StepSla("DECIDE", on_time=2, late=0, missed=1),
        StepSla("FIRST_SERVICE", on_time=1, late=1, missed=0),
        StepSla("COMPLETE", on_time=1, late=0, missed=0),
    ]
    assert (side.sla_on_time, side.sla_decided, side.sla_share) == (6, 10, 0.6)


def test_it_computes_the_receiver_figures(dataset, bp3mi):
    side = referral_kpis(bp3mi, date(2026, 1, 1), date(2026, 6, 30), now=NOW).as_receiver
    assert (side.referrals, side.accepted, side.rejected) == (1, 0, 0)
    assert side.acceptance_rate is None
    assert side.to_acknowledge == Duration(1, 12.0, 12.0)
    assert side.to_accept == Duration(0, None, None)
    assert (side.sla_on_time, side.sla_decided, side.sla_share) == (0, 1, 0.0)


def test_it_selects_referrals_by_the_wita_day_they_were_sent(dataset, bp3mi, sentra):
    only_january_first = referral_kpis(bp3mi, date(2026, 1, 1), date(2026, 1, 1), now=NOW).as_sender
    assert only_january_first.referrals == 1
    last_year = referral_kpis(bp3mi, date(2025, 12, 31), date(2025, 12, 31), now=NOW).as_sender
    assert last_year.referrals == 1
    assert referral_kpis(sentra, date(2026, 1, 1), date(2026, 6, 30), now=NOW).as_receiver.referrals == 4


# --- the page -------------------------------------------------------------------------------------------------


def test_it_shows_the_figures_to_a_supervisor(client, dataset, bp3mi_head, time_machine):
    # The page reads the real clock; the dataset's "not due yet" deadlines are relative to NOW.
    time_machine.move_to(NOW, tick=False)
    client.force_login(bp3mi_head)
    response = client.get("/rujukan/kpi/", {"date_from": "2026-01-01", "date_to": "2026-06-30"})
    assert response.status_code == 200
    rows = {row.key: row.values for row in response.context["rows"]}
    assert rows["referrals"] == ["4", "1"]
    assert rows["acceptance"] == ["67% (2/3)", "—"]
    assert rows["ack"][0] == "2,0 / 3,0 (n=3)"
    assert rows["sla"][0] == "60% (6/10)"


def test_it_defaults_to_this_year(client, bp3mi_head, sop):
    client.force_login(bp3mi_head)
    kpis = client.get("/rujukan/kpi/").context["kpis"]
    assert (kpis.date_from.month, kpis.date_from.day) == (1, 1)
    assert kpis.date_from.year == kpis.date_to.year


def test_it_lets_an_auditor_read_the_kpis(client, bob, sop):
    client.force_login(bob)
    assert client.get("/rujukan/kpi/").status_code == 200


@pytest.mark.parametrize("persona", ["alice", "dave"])
def test_it_answers_404_to_a_case_worker(client, request, persona, sop):
    client.force_login(request.getfixturevalue(persona))
    assert client.get("/rujukan/kpi/").status_code == 404
