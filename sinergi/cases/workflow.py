"""Case status transitions: the table says who may move a case from which state to which."""

from __future__ import annotations

from dataclasses import dataclass

from sinergi.accounts.roles import Capability
from sinergi.cases.models import CaseStatus


@dataclass(frozen=True)
class CaseTransition:
    capability: Capability
    needs_reason: bool = False
    # Resolving a case says how it ended for the person (CaseOutcome) and sums up what was done.
    needs_outcome: bool = False


S = CaseStatus
CASE_TRANSITIONS: dict[tuple[str, str], CaseTransition] = {
    (S.RECEIVED, S.VERIFICATION): CaseTransition(Capability.MANAGE_CASES),
    (S.VERIFICATION, S.HANDLING): CaseTransition(Capability.MANAGE_CASES),
    (S.HANDLING, S.DONE): CaseTransition(Capability.CLOSE_CASES, needs_reason=True, needs_outcome=True),
    (S.RECEIVED, S.CLOSED): CaseTransition(Capability.CLOSE_CASES, needs_reason=True),
    (S.VERIFICATION, S.CLOSED): CaseTransition(Capability.CLOSE_CASES, needs_reason=True),
    (S.HANDLING, S.CLOSED): CaseTransition(Capability.CLOSE_CASES, needs_reason=True),
}


def next_statuses(status: str) -> list[str]:
    return [to for (frm, to) in CASE_TRANSITIONS if frm == status]
