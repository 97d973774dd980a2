"""What may be done with a breach, by whom, in which state: pages draw buttons from `actions_for`, the services
refuse with `refusal`. One table, no second list in a view."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.breaches.models import Breach, BreachStatus


@dataclass(frozen=True)
class Step:
    from_statuses: frozenset[str]
    capability: Capability


ASSESS = "assess"
NOTIFY = "notify"
CLOSE = "close"
DOWNLOAD_REPORT = "report"

BREACH_STEPS: dict[str, Step] = {
    # Assess (confirm or dismiss); a confirmed breach may be re-assessed as more is learnt (history keeps each).
    ASSESS: Step(frozenset({BreachStatus.SUSPECTED, BreachStatus.CONFIRMED}), Capability.MANAGE_BREACHES),
    # Record a notice sent to the data subjects or to the authority.
    NOTIFY: Step(frozenset({BreachStatus.CONFIRMED}), Capability.MANAGE_BREACHES),
    # Close once both notices are recorded.
    CLOSE: Step(frozenset({BreachStatus.CONFIRMED}), Capability.MANAGE_BREACHES),
    # The notification report: readers of the register (auditors too), for anything not dismissed.
    DOWNLOAD_REPORT: Step(
        frozenset({BreachStatus.SUSPECTED, BreachStatus.CONFIRMED, BreachStatus.CLOSED}), Capability.VIEW_BREACHES
    ),
}


def refusal(user: User, breach: Breach, action: str) -> str | None:
    """Why `user` may not do `action` now, or None when they may."""
    step = BREACH_STEPS[action]
    if user.agency_id != breach.agency_id or not user.has_capability(step.capability):
        return _("Only the head or the administrator of the agency may do this.")
    if breach.status not in step.from_statuses:
        return _("Not possible while the breach is %(status)s.") % {"status": breach.get_status_display().lower()}
    if action == CLOSE and not breach.fully_notified:
        return _("Record the notices to the data subjects and to the authority before closing.")
    return None


def actions_for(user: User, breach: Breach) -> set[str]:
    return {action for action in BREACH_STEPS if refusal(user, breach, action) is None}
