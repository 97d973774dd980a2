"""The flow of a benefit: the table says which role of the giving agency may move it from which state to which.

Pages draw their buttons from `actions_for(user, benefit)`; services refuse with the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Role
from sinergi.benefits.models import Benefit, BenefitStatus

S = BenefitStatus
WORKERS = frozenset({Role.PETUGAS, Role.PEKERJA_SOSIAL, Role.SUPERVISOR})
SUPERVISORS = frozenset({Role.SUPERVISOR})
PROPOSERS = WORKERS


@dataclass(frozen=True)
class Transition:
    action: str
    label: Promise
    roles: frozenset[Role]
    needs_note: bool = False


BENEFIT_TRANSITIONS: dict[tuple[str, str], Transition] = {
    (S.PROPOSED, S.VERIFIED): Transition("verify", _("Verify"), WORKERS),
    # Approving and rejecting are the giving agency's supervisor's decision (kepala).
    (S.VERIFIED, S.APPROVED): Transition("approve", _("Approve"), SUPERVISORS),
    (S.PROPOSED, S.REJECTED): Transition("reject", _("Reject"), SUPERVISORS, needs_note=True),
    (S.VERIFIED, S.REJECTED): Transition("reject", _("Reject"), SUPERVISORS, needs_note=True),
    (S.APPROVED, S.DELIVERED): Transition("deliver", _("Record delivery"), WORKERS),
    (S.PROPOSED, S.CANCELLED): Transition("cancel", _("Cancel"), WORKERS, needs_note=True),
    (S.VERIFIED, S.CANCELLED): Transition("cancel", _("Cancel"), WORKERS, needs_note=True),
    (S.APPROVED, S.CANCELLED): Transition("cancel", _("Cancel"), WORKERS, needs_note=True),
}


def transition_for(status: str, action: str) -> tuple[str, Transition] | None:
    for (frm, to), transition in BENEFIT_TRANSITIONS.items():
        if frm == status and transition.action == action:
            return to, transition
    return None


def may(user: User, benefit: Benefit, transition: Transition) -> bool:
    return bool(user.is_authenticated and user.agency_id == benefit.agency_id and user.has_role(*transition.roles))


def actions_for(user: User, benefit: Benefit) -> list[tuple[str, Transition]]:
    """(target status, transition) the user may take now: what the page shows as buttons."""
    return [
        (to, transition)
        for (frm, to), transition in BENEFIT_TRANSITIONS.items()
        if frm == benefit.status and may(user, benefit, transition)
    ]


def may_propose(user: User) -> bool:
    return bool(user.is_authenticated and user.agency_id is not None and user.is_active and user.has_role(*PROPOSERS))
