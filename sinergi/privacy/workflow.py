"""The data-subject request's workflow: which step follows which, which outcomes each kind may have, and
what the user may do now (`actions_for`: the page draws its buttons from it, the service refuses with it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sinergi.accounts.roles import Capability
from sinergi.privacy.models import Outcome, RequestKind, RequestStatus

if TYPE_CHECKING:
    from sinergi.accounts.models import User
    from sinergi.privacy.models import SubjectRequest

TRANSITIONS: dict[str, frozenset[str]] = {
    RequestStatus.RECEIVED: frozenset({RequestStatus.IN_PROGRESS, RequestStatus.ANSWERED}),
    RequestStatus.IN_PROGRESS: frozenset({RequestStatus.ANSWERED}),
    RequestStatus.ANSWERED: frozenset(),
}

# Partly granting a correction or an erasure has no meaning we could apply safely: the answer is the change
# (or the anonymisation) in full, or a refusal with its reason. A restriction may be partial (e.g. except what a
# law requires to go on), access too (Pasal 33: what would reveal another person's data is withheld).
OUTCOMES: dict[str, tuple[str, ...]] = {
    RequestKind.ACCESS: (Outcome.GRANTED, Outcome.PARTLY, Outcome.REFUSED),
    RequestKind.CORRECTION: (Outcome.GRANTED, Outcome.REFUSED),
    RequestKind.RESTRICTION: (Outcome.GRANTED, Outcome.PARTLY, Outcome.REFUSED),
    RequestKind.ERASURE: (Outcome.GRANTED, Outcome.REFUSED),
}

NEEDS_REASON = frozenset({Outcome.PARTLY, Outcome.REFUSED})


def may_answer(user: User, request: SubjectRequest) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.has_capability(Capability.ANSWER_SUBJECT_REQUESTS)
        and user.agency_id == request.agency_id
    )


def actions_for(user: User, request: SubjectRequest) -> list[str]:
    """`start` and/or `answer`, as far as the request's state and the user's role allow."""
    if not may_answer(user, request):
        return []
    following = TRANSITIONS[request.status]
    actions = []
    if RequestStatus.IN_PROGRESS in following:
        actions.append("start")
    if RequestStatus.ANSWERED in following:
        actions.append("answer")
    return actions
