"""Consent per purpose at every share (UU 27/2022 PDP): a share made under a person's consent lasts only while
that consent does.

A referral and a special-assistance entry record the basis they were made on: the person's consent (`consent`)
or a lawful basis a supervisor recorded (`override_basis`: vital interest, legal obligation, public task); a
referral on an SOP route that asks no consent travels on the joint SOP (public task). When the consent is
withdrawn or expires, what it carried stops at once: the receiver of an open referral and the partner of an open
entry read nothing more of the person (``sinergi.sharing.rules`` asks ``share_is_lawful`` / ``lawful_share_q``).
What was already shared cannot be called back; ``withdrawal_effects`` says which shares those are, so the
person can be told and the other agencies asked.

Where each purpose is checked is ``PURPOSE_CHECKS`` (shown in docs/privacy.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.cases.models import Consent, ConsentScope

if TYPE_CHECKING:
    from sinergi.cases.models import Case

# Which purpose is checked where. A purpose without a share in the product is recorded for the agency's file.
PURPOSE_CHECKS: dict[str, str] = {
    ConsentScope.REFERRAL: "referrals.services.send_referral (gate); sharing.rules (while the referral is open)",
    ConsentScope.REHABILITATION: "referrals.services.send_referral when the SOP route asks this purpose",
    ConsentScope.ASSESSMENT: "assessments.services (an assessment is made under it, or a recorded lawful basis)",
    ConsentScope.SPECIAL_ASSISTANCE: "assistance.services.propose_entry (gate); sharing.rules.entry_sections_for "
    "(while the entry is open)",
    ConsentScope.MATCHING: "recorded only: matching runs inside one agency's registry (docs/dpia-matching.md)",
    ConsentScope.PROGRAMME: "recorded only: an enrolment is the agency's own record of its own person",
    ConsentScope.PUBLICATION: "recorded only: statements carry no identity (statements.privacy)",
}


class _Shared(Protocol):
    consent_id: int | None
    override_basis: str


def active_consent(case: Case, purpose: str, at: datetime | None = None) -> Consent | None:
    """The person's active consent to `purpose` recorded on `case`, the latest first."""
    return Consent.objects.active(at).filter(case=case, scope=purpose).order_by("-given_at", "-id").first()


def lawful_share_q(prefix: str = "consent", at: datetime | None = None) -> Q:
    """Rows (referrals, special-assistance entries) whose share still stands: made without consent (on a
    recorded lawful basis or a route that asks none), or under a consent still active."""
    at = at or timezone.now()
    return Q(**{f"{prefix}__isnull": True}) | (
        Q(**{f"{prefix}__decision": "DIBERIKAN", f"{prefix}__withdrawn_at__isnull": True})
        & (Q(**{f"{prefix}__expires_at__isnull": True}) | Q(**{f"{prefix}__expires_at__gt": at}))
    )


def share_is_lawful(shared: _Shared) -> bool:
    """The same rule as ``lawful_share_q`` for one row in memory."""
    if shared.consent_id is None:
        return True
    consent: Consent = shared.consent  # type: ignore[attr-defined]
    return consent.is_active


# --- withdrawal -----------------------------------------------------------------------------------------------


@dataclass
class WithdrawalEffects:
    """What a withdrawal stopped, what goes on on another basis, and what it cannot undo (in the user's
    language, one sentence each)."""

    stopped: list[str] = field(default_factory=list)
    continues: list[str] = field(default_factory=list)
    cannot_undo: list[str] = field(default_factory=list)


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d-%m-%Y") if moment else "-"


def withdrawal_effects(consent: Consent) -> WithdrawalEffects:
    """For a consent just withdrawn (or about to be): every share made under it, sorted into stopped now and
    already out of reach; and shares of the same case that stand on another basis."""
    from sinergi.assistance.models import AssistanceEntry
    from sinergi.audit.models import AuditEvent
    from sinergi.referrals.models import RECEIVER_SEES_CASE, Referral
    from sinergi.sharing.models import PersonTakeIn

    effects = WithdrawalEffects()
    case = consent.case
    referrals = list(
        Referral.objects.filter(consent=consent, sent_at__isnull=False).select_related("to_agency").order_by("sent_at")
    )
    for referral in referrals:
        if referral.status in RECEIVER_SEES_CASE:
            effects.stopped.append(
                _("Referral %(letter)s to %(agency)s: the receiver no longer sees the person or the case.")
                % {"letter": referral.letter_number, "agency": referral.to_agency.name}
            )
        effects.cannot_undo.append(
            _(
                "%(agency)s has seen what referral %(letter)s shared since %(date)s, and keeps its own records of "
                "the service it gave."
            )
            % {"agency": referral.to_agency.name, "letter": referral.letter_number, "date": _when(referral.sent_at)}
        )
    for take_in in PersonTakeIn.objects.filter(referral__in=referrals).select_related("agency"):
        effects.cannot_undo.append(
            _(
                "%(agency)s copied the person into its own registry on %(date)s: that copy is its record now; ask "
                "it in writing to erase or restrict it."
            )
            % {"agency": take_in.agency.name, "date": _when(take_in.at)}
        )
    entries = list(AssistanceEntry.objects.filter(consent=consent).select_related("partner_agency"))
    for entry in entries:
        if entry.is_open:
            effects.stopped.append(
                _("Special-assistance list: %(agency)s no longer sees the person's data on the entry.")
                % {"agency": entry.partner_agency.name}
            )
    if entries:
        exports = AuditEvent.objects.filter(action="assistance.exported", agency__isnull=False)
        exporters = {
            str(event.agency)
            for event in exports.select_related("agency")
            if any(entry.pk in (event.detail or {}).get("entries", []) for entry in entries)
        }
        for name in sorted(exporters):
            effects.cannot_undo.append(
                _("%(agency)s exported the special-assistance list with the person on it; ask it to delete the file.")
                % {"agency": name}
            )
    others = Referral.objects.filter(case=case, status__in=RECEIVER_SEES_CASE, consent__isnull=True).select_related(
        "to_agency"
    )
    for referral in others:
        effects.continues.append(
            _("Referral %(letter)s to %(agency)s continues on its lawful basis: %(basis)s.")
            % {
                "letter": referral.letter_number or referral.pk,
                "agency": referral.to_agency.name,
                "basis": referral.get_override_basis_display() or _("the joint SOP route asks no consent"),
            }
        )
    if not (effects.stopped or effects.cannot_undo):
        effects.stopped.append(_("Nothing had been shared under this consent; nothing new will be."))
    return effects


def relink_open_shares(consent: Consent) -> int:
    """A new consent to a purpose: open shares of the same case whose consent to that purpose lapsed go on under
    it (a person who withdrew and agreed again should not need every referral sent again)."""
    from sinergi.assistance.models import OPEN_ASSISTANCE_STATUSES, AssistanceEntry
    from sinergi.referrals.models import RECEIVER_SEES_CASE, Referral

    lapsed = ~lawful_share_q()
    moved = Referral.objects.filter(
        lapsed, case=consent.case, consent__scope=consent.scope, status__in=RECEIVER_SEES_CASE
    ).update(consent=consent)
    moved += AssistanceEntry.objects.filter(
        lapsed, case=consent.case, consent__scope=consent.scope, status__in=OPEN_ASSISTANCE_STATUSES
    ).update(consent=consent)
    return moved
