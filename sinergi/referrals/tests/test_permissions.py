"""Every transition of the referral and case tables × every persona relation, parametrized from the tables
themselves: a row added to REFERRAL_TRANSITIONS or CASE_TRANSITIONS is covered without touching this file.

Referral personas: alice (sender agency, petugas), bob (sender agency, auditor), carol (receiver agency,
pekerja sosial), vera (receiver agency, auditor), dave (an agency not involved: it cannot even see it).
Case personas: alice (petugas), sari (supervisor), pia (pekerja sosial), bob (auditor), dave (other agency).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.audit.models import AuditEvent
from sinergi.cases.models import Case, CaseStatus, CaseStatusChange
from sinergi.cases.services import CaseError, change_case_status
from sinergi.cases.workflow import CASE_TRANSITIONS
from sinergi.referrals import services
from sinergi.referrals.models import Referral, ReferralEvent, ReferralStatus
from sinergi.referrals.workflow import REFERRAL_TRANSITIONS, Side
from sinergi.testing.referral_fixtures import consent_for, open_case_for, referral_in

pytestmark = pytest.mark.usefixtures("sop")

R = ReferralStatus

# How a user asks for each target state (the services are the only way to move a referral).
ACTIONS: dict[str, Callable[[User, int], object]] = {
    R.SENT: lambda user, pk: services.send_referral(actor=user, referral_id=pk),
    R.ACKNOWLEDGED: lambda user, pk: services.acknowledge_referral(actor=user, referral_id=pk),
    R.ACCEPTED: lambda user, pk: services.accept_referral(actor=user, referral_id=pk),
    R.REJECTED: lambda user, pk: services.reject_referral(actor=user, referral_id=pk, reason="Di luar kapasitas."),
    R.IN_SERVICE: lambda user, pk: services.log_service(
        actor=user, referral_id=pk, delivered_on=timezone.localdate(), description="Konseling."
    ),
    R.COMPLETED: lambda user, pk: services.complete_referral(
        actor=user, referral_id=pk, outcome="Pulih.", feedback="Terima kasih."
    ),
    R.FAILED: lambda user, pk: services.fail_referral(actor=user, referral_id=pk, reason="Klien pindah."),
    R.REVOKED: lambda user, pk: services.revoke_referral(actor=user, referral_id=pk, reason="Salah layanan."),
}
# Which side asks for each target (for the "not from this state" checks, where the table has no row).
ACTION_SIDE = {R.SENT: Side.SENDER, R.REVOKED: Side.SENDER}


@dataclass(frozen=True)
class Persona:
    username: str
    side: Side | None  # None: an agency with no part in the referral
    works_referrals: bool  # a worker role (not read-only)


REFERRAL_PERSONAS = {
    "sender_worker": Persona("alice", Side.SENDER, True),
    "sender_auditor": Persona("bob", Side.SENDER, False),
    "receiver_worker": Persona("carol", Side.RECEIVER, True),
    "receiver_auditor": Persona("vera", Side.RECEIVER, False),
    "uninvolved": Persona("dave", None, True),
}


def snapshot(referral: Referral) -> tuple[str, int, int]:
    referral.refresh_from_db()
    return (
        referral.status,
        ReferralEvent.objects.filter(referral=referral).count(),
        AuditEvent.objects.filter(object_type="referrals.referral", object_id=str(referral.pk)).count(),
    )


def referral_at(status: str, alice: User, carol: User) -> Referral:
    case = open_case_for(alice)
    consent_for(alice, case)  # so that DRAFT → DIKIRIM can succeed for the sender
    return referral_in(status, sender=alice, receiver=carol, case=case)


def test_it_has_an_action_for_every_target_state_in_the_table():
    assert {to for (_, to) in REFERRAL_TRANSITIONS} <= set(ACTIONS)


@pytest.mark.parametrize("relation", list(REFERRAL_PERSONAS))
@pytest.mark.parametrize(("from_status", "to_status"), list(REFERRAL_TRANSITIONS))
def test_it_allows_each_referral_transition_only_to_its_side(
    from_status, to_status, relation, request, alice, bob, carol, vera, dave
):
    persona = REFERRAL_PERSONAS[relation]
    user = request.getfixturevalue(persona.username)
    rule = REFERRAL_TRANSITIONS[(from_status, to_status)]
    referral = referral_at(from_status, alice, carol)
    before = snapshot(referral)

    allowed = persona.side == rule.side and persona.works_referrals
    if allowed:
        ACTIONS[to_status](user, referral.pk)
        referral.refresh_from_db()
        assert referral.status == to_status
        assert referral.events.order_by("-id").first().by == user
        return

    # Not allowed: the uninvolved agency and a receiver looking at a draft (or a draft revoked unsent: the
    # fixture revokes a draft) cannot even see it (404); everyone else sees it but is refused (403).
    # Nothing changes either way.
    never_sent = from_status in (R.DRAFT, R.REVOKED)
    can_see = persona.side == Side.SENDER or (persona.side == Side.RECEIVER and not never_sent)
    with pytest.raises(PermissionDenied if can_see else Http404):
        ACTIONS[to_status](user, referral.pk)
    assert snapshot(referral) == before


NOT_IN_TABLE = [
    (frm, to)
    for frm in R.values
    for to in ACTIONS
    if (frm, to) not in REFERRAL_TRANSITIONS and (frm, to) != (R.IN_SERVICE, R.IN_SERVICE)
]


@pytest.mark.parametrize(("from_status", "to_status"), NOT_IN_TABLE)
def test_it_refuses_a_referral_transition_the_current_state_does_not_allow(from_status, to_status, alice, carol):
    referral = referral_at(from_status, alice, carol)
    before = snapshot(referral)
    user = alice if ACTION_SIDE.get(to_status) == Side.SENDER else carol
    if from_status in (R.DRAFT, R.REVOKED) and user == carol:
        with pytest.raises(Http404):  # a draft, or a draft revoked unsent, is not the receiver's to see
            ACTIONS[to_status](user, referral.pk)
        return
    with pytest.raises(services.ReferralError) as refusal:
        ACTIONS[to_status](user, referral.pk)
    message = str(refusal.value)
    assert str(R(from_status).label) in message
    if to_status != R.IN_SERVICE:  # recording a service names the state it needs instead
        assert str(R(to_status).label) in message
    assert snapshot(referral) == before


def test_it_names_who_acted_last_when_refusing(alice, carol, erin):
    referral = referral_at(R.ACCEPTED, alice, carol)
    with pytest.raises(services.ReferralError) as refusal:
        services.accept_referral(actor=erin, referral_id=referral.pk)
    assert carol.display_name in str(refusal.value)


def test_it_lets_only_the_receiver_record_services_and_assessments(alice, bob, carol, vera):
    from sinergi.cases.services import AssessmentData

    referral = referral_at(R.ACCEPTED, alice, carol)
    for user in (alice, bob, vera):
        with pytest.raises(PermissionDenied):
            ACTIONS[R.IN_SERVICE](user, referral.pk)
        with pytest.raises(PermissionDenied):
            services.add_referral_assessment(actor=user, referral_id=referral.pk, data=AssessmentData(summary="x"))
    assert not referral.service_records.exists()
    assert not referral.assessments.exists()


# --- cases ---------------------------------------------------------------------------------------------------

# What each persona of the owning agency may do, by capability (explicit, not read from the roles table).
CASE_POWERS = {
    "alice": {Capability.MANAGE_CASES, Capability.CLOSE_CASES},  # petugas
    "sari": {Capability.MANAGE_CASES, Capability.CLOSE_CASES},  # supervisor
    "pia": {Capability.MANAGE_CASES},  # pekerja sosial
    "bob": set(),  # auditor: read-only
}
CASE_PATH = {
    CaseStatus.RECEIVED: [],
    CaseStatus.VERIFICATION: [CaseStatus.VERIFICATION],
    CaseStatus.HANDLING: [CaseStatus.VERIFICATION, CaseStatus.HANDLING],
    CaseStatus.DONE: [CaseStatus.VERIFICATION, CaseStatus.HANDLING, CaseStatus.DONE],
    CaseStatus.CLOSED: [CaseStatus.CLOSED],
}


def case_at(status: str, alice: User) -> Case:
    case = open_case_for(alice)
    for step in CASE_PATH[status]:
        change_case_status(
            actor=alice, case_id=case.pk, to_status=step, reason="Lanjut.", closure_reason="DICABUT", outcome="TERATASI"
        )
    case.refresh_from_db()
    assert case.status == status
    return case


def move(user: User, case: Case, to_status: str) -> Case:
    return change_case_status(
        actor=user,
        case_id=case.pk,
        to_status=to_status,
        reason="Sudah diperiksa.",
        closure_reason="DUPLIKAT",
        outcome="TERATASI",
    )


def case_snapshot(case: Case) -> tuple[str, int, int]:
    case.refresh_from_db()
    return (
        case.status,
        CaseStatusChange.objects.filter(case=case).count(),
        AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk)).count(),
    )


def test_it_has_a_path_to_every_case_state():
    assert {frm for (frm, _) in CASE_TRANSITIONS} | {to for (_, to) in CASE_TRANSITIONS} <= set(CASE_PATH)


@pytest.mark.parametrize("username", [*CASE_POWERS, "dave"])
@pytest.mark.parametrize(("from_status", "to_status"), list(CASE_TRANSITIONS))
def test_it_allows_each_case_transition_only_to_the_owning_agencys_roles(
    from_status, to_status, username, request, alice, bob, sari, pia, dave
):
    user = request.getfixturevalue(username)
    rule = CASE_TRANSITIONS[(from_status, to_status)]
    case = case_at(from_status, alice)
    before = case_snapshot(case)

    if rule.capability in CASE_POWERS.get(username, set()):
        move(user, case, to_status)
        change = CaseStatusChange.objects.filter(case=case).latest("id")
        assert (change.from_status, change.to_status, change.by) == (from_status, to_status, user)
        assert case_snapshot(case)[0] == to_status
        return

    # Another agency cannot even see the case (404); the owning agency's other roles are told it is their role.
    with pytest.raises(Http404 if username == "dave" else PermissionDenied):
        move(user, case, to_status)
    assert case_snapshot(case) == before


def test_it_tells_a_pekerja_sosial_that_closing_needs_another_role(alice, pia):
    case = case_at(CaseStatus.HANDLING, alice)
    with pytest.raises(PermissionDenied) as refusal:
        move(pia, case, CaseStatus.DONE)
    assert str(CaseStatus.HANDLING.label) in str(refusal.value)
    assert str(CaseStatus.DONE.label) in str(refusal.value)


def test_it_tells_an_auditor_that_the_role_is_read_only(alice, bob):
    case = case_at(CaseStatus.RECEIVED, alice)
    with pytest.raises(PermissionDenied):
        move(bob, case, CaseStatus.VERIFICATION)


CASE_NOT_IN_TABLE = [
    (frm, to) for frm in CASE_PATH for to in CaseStatus.values if frm != to and (frm, to) not in CASE_TRANSITIONS
]


@pytest.mark.parametrize(("from_status", "to_status"), CASE_NOT_IN_TABLE)
def test_it_refuses_a_case_transition_the_current_state_does_not_allow(from_status, to_status, alice):
    case = case_at(from_status, alice)
    before = case_snapshot(case)
    with pytest.raises(CaseError) as refusal:
        move(alice, case, to_status)
    assert str(CaseStatus(from_status).label) in str(refusal.value)
    assert str(CaseStatus(to_status).label) in str(refusal.value)
    assert case_snapshot(case) == before
