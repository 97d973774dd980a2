"""Who may do what in a programme, and the enrolment's transition table.

Roles are named here (not in `accounts.roles`) because the programme rules belong to this app; pages draw their
buttons from `actions_for(user, enrolment)` and the services refuse with the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.programmes.models import Cohort, Enrolment, EnrolmentStatus, Programme

# Workers who run programmes: create them, plan cohorts, enrol, tick attendance, mentor.
PROGRAMME_WORKERS = frozenset({Role.PETUGAS, Role.PEKERJA_SOSIAL, Role.PENYULUH_SOSIAL, Role.SUPERVISOR})
# Everyone of an owner or partner agency who may read programmes, cohorts and outcomes.
PROGRAMME_READERS = PROGRAMME_WORKERS | {Role.OPERATOR_DATA, Role.ADMIN, Role.AUDITOR}


class Action(StrEnum):
    WITHDRAW = "withdraw"
    PROMOTE = "promote"  # a freed place goes to the first on the waitlist (done by the service, never a button)
    COMPLETE = "complete"  # the completion rule decides COMPLETED or NOT_COMPLETED when the cohort ends


@dataclass(frozen=True)
class Transition:
    from_statuses: frozenset[str]
    to_status: str | None  # None: decided by the rule (completion)
    by_user: bool = True


S = EnrolmentStatus
ENROLMENT_TRANSITIONS: dict[Action, Transition] = {
    Action.WITHDRAW: Transition(frozenset({S.ENROLLED, S.WAITLISTED}), S.WITHDRAWN),
    Action.PROMOTE: Transition(frozenset({S.WAITLISTED}), S.ENROLLED, by_user=False),
    Action.COMPLETE: Transition(frozenset({S.ENROLLED}), None, by_user=False),
}


def is_worker(user: User) -> bool:
    return user.is_authenticated and user.agency_id is not None and bool(user.role_set() & PROGRAMME_WORKERS)


def is_reader(user: User) -> bool:
    return user.is_authenticated and user.agency_id is not None and bool(user.role_set() & PROGRAMME_READERS)


def may_manage_programme(user: User, programme: Programme) -> bool:
    """Create and change the programme and its cohorts: workers of the owner agency."""
    return is_worker(user) and user.agency_id == programme.agency_id


def may_enrol(user: User, programme: Programme) -> bool:
    """Enrol persons: workers of the owner agency or of a partner agency."""
    if not is_worker(user):
        return False
    return user.agency_id == programme.agency_id or programme.partner_agencies.filter(pk=user.agency_pk).exists()


def may_record_attendance(user: User, cohort: Cohort) -> bool:
    """A facilitator of the cohort, or a worker of the owner agency."""
    if cohort.facilitators.filter(pk=user.pk).exists():
        return True
    return is_worker(user) and user.agency_id == cohort.programme.agency_id


def may(user: User, enrolment: Enrolment, action: Action) -> bool:
    transition = ENROLMENT_TRANSITIONS[action]
    if enrolment.status not in transition.from_statuses or not transition.by_user:
        return False
    return may_enrol(user, enrolment.cohort.programme)


def actions_for(user: User, enrolment: Enrolment) -> list[Action]:
    """What the user may do to this enrolment now: the page's buttons."""
    return [action for action in Action if may(user, enrolment, action)]
