"""The agreement on a special-assistance entry as a table: which side (the proposing or the partner agency),
with which capability, may take which step from which status.

Proposing is not in the table: it creates the entry (PROPOSED) and needs PROPOSE_ASSISTANCE in the case's
agency. Agreeing keeps the status PROPOSED until both sides have agreed; the second agreement makes it AGREED.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sinergi.accounts.models import AgencyKind, User
from sinergi.accounts.roles import Capability
from sinergi.assistance.models import AssistanceEntry, AssistanceStatus


class Side(StrEnum):
    PROPOSER = "proposer"
    PARTNER = "partner"


class Action(StrEnum):
    AGREE = "agree"
    WITHDRAW = "withdraw"


@dataclass(frozen=True)
class StepRule:
    capabilities: frozenset[Capability]  # any one of them
    from_statuses: frozenset[str]
    needs_reason: bool = False


S = AssistanceStatus
_AGREE = StepRule(frozenset({Capability.AGREE_ASSISTANCE}), frozenset({S.PROPOSED}))

ASSISTANCE_STEPS: dict[tuple[Action, Side], StepRule] = {
    (Action.AGREE, Side.PROPOSER): _AGREE,
    (Action.AGREE, Side.PARTNER): _AGREE,
    # The proposing agency's workers may take back their own proposal; on the partner side it is the supervisor's.
    (Action.WITHDRAW, Side.PROPOSER): StepRule(
        frozenset({Capability.PROPOSE_ASSISTANCE, Capability.AGREE_ASSISTANCE}),
        frozenset({S.PROPOSED, S.AGREED}),
        needs_reason=True,
    ),
    (Action.WITHDRAW, Side.PARTNER): StepRule(
        frozenset({Capability.AGREE_ASSISTANCE}), frozenset({S.PROPOSED, S.AGREED}), needs_reason=True
    ),
}

# Social-affairs agencies (Kemensos' Sentra, Dinas Sosial) and the migrant-protection side (BP3MI).
SOCIAL_AFFAIRS_KINDS = frozenset({AgencyKind.SENTRA_KEMENSOS, AgencyKind.DINSOS_PROVINSI, AgencyKind.DINSOS_KABKOTA})
MIGRANT_PROTECTION_KINDS = frozenset({AgencyKind.BP3MI})


def partner_kinds_for(kind: str) -> frozenset[AgencyKind]:
    """The kinds of agency that agree with a proposer of `kind`: the other side of the BP3MI–Kemensos agreement."""
    return MIGRANT_PROTECTION_KINDS if kind in SOCIAL_AFFAIRS_KINDS else SOCIAL_AFFAIRS_KINDS


def side_of(user: User, entry: AssistanceEntry) -> Side | None:
    if user.agency_id is None:
        return None
    if user.agency_id == entry.proposing_agency_id:
        return Side.PROPOSER
    if user.agency_id == entry.partner_agency_id:
        return Side.PARTNER
    return None


def may(user: User, entry: AssistanceEntry, action: Action) -> bool:
    """The table's answer for this user now (the service asks the same under a row lock)."""
    side = side_of(user, entry)
    rule = ASSISTANCE_STEPS.get((action, side)) if side is not None else None
    return (
        rule is not None
        and entry.status in rule.from_statuses
        and any(user.has_capability(capability) for capability in rule.capabilities)
    )


def has_agreed(entry: AssistanceEntry, side: Side) -> bool:
    return (entry.proposer_agreed_at if side == Side.PROPOSER else entry.partner_agreed_at) is not None
