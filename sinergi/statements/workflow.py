"""Who may do what to a statement version, as a table: the page draws its buttons from `actions_for`, the
services refuse with `refusal` — one answer for both.

Involved agencies: the agency whose case it is, and every agency a referral of the case went to (sent).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.statements.models import DesignatedOfficial, StatementVersion, VersionStatus


class Action(StrEnum):
    EDIT = "edit"
    JUSTIFY = "justify"
    APPROVE = "approve"
    CORRECT = "correct"


class Who(StrEnum):
    DRAFTER = "drafter"  # a worker of the drafting agency
    OFFICIAL = "official"  # the designated official of an involved agency


@dataclass(frozen=True)
class StatementStep:
    who: Who
    capability: Capability | None
    from_statuses: frozenset[str]


V = VersionStatus
STATEMENT_STEPS: dict[Action, StatementStep] = {
    Action.EDIT: StatementStep(Who.DRAFTER, Capability.MANAGE_CASES, frozenset({V.DRAFT})),
    Action.JUSTIFY: StatementStep(Who.DRAFTER, Capability.MANAGE_CASES, frozenset({V.DRAFT})),
    Action.APPROVE: StatementStep(Who.OFFICIAL, None, frozenset({V.DRAFT})),
    Action.CORRECT: StatementStep(Who.DRAFTER, Capability.MANAGE_CASES, frozenset({V.PUBLISHED})),
}


def involved_agency_ids(version: StatementVersion) -> list[int]:
    from sinergi.statements.facts import involved_agencies

    return [agency.pk for agency in involved_agencies(version.statement.case)]


def is_designated_official(user: User, agency_id: int | None) -> bool:
    return (
        agency_id is not None
        and user.agency_id == agency_id
        and DesignatedOfficial.objects.filter(agency_id=agency_id, user_id=user.pk).exists()
    )


def refusal(user: User, version: StatementVersion, action: Action) -> str | None:
    """Why `user` may not take `action` on `version` now, or None when they may."""
    step = STATEMENT_STEPS[action]
    if version.status not in step.from_statuses:
        return _("This version is %(status)s: it can no longer be changed that way.") % {
            "status": version.get_status_display()
        }
    if step.capability is not None and not user.has_capability(step.capability):
        return _("Your role does not allow this. Ask your supervisor if you need it.")
    if step.who == Who.DRAFTER:
        if user.agency_id != version.statement.drafting_agency_id:
            return _("Only the agency that drafted the statement edits and corrects it.")
        if action == Action.CORRECT and version.statement.versions.filter(status=V.DRAFT).exists():
            return _("A correction is already being drafted: continue that one.")
        return None
    # Approval.
    if user.agency_id not in involved_agency_ids(version):
        return _("Your agency is not involved in this case: only the involved agencies approve.")
    if not is_designated_official(user, user.agency_id):
        return _("Only your agency's designated official approves statements.")
    if user.pk in (version.created_by_id, version.edited_by_id):
        return _("You drafted or edited this version: another official must approve it.")
    if version.approvals.filter(agency_id=user.agency_id).exists():
        return _("Your agency has already approved this version.")
    if version.flags.filter(justification="").exists():
        return _("The privacy check still has flags: remove the text or justify each flag before approval.")
    return None


def actions_for(user: User, version: StatementVersion) -> set[Action]:
    return {action for action in Action if refusal(user, version, action) is None}
