"""Every write to the breach register: permission, validation, the audit event, in one transaction.

Refusals use the project's vocabulary: InvalidData per field (what to fix), BreachError for the breach's state
(the workflow table's refusal), PermissionDenied for someone who may not write at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import Agency, User
from sinergi.audit.events import record_event
from sinergi.breaches import workflow
from sinergi.breaches.clock import deadline_for
from sinergi.breaches.escalation import escalate
from sinergi.breaches.models import Breach, BreachStatus, DataCategory, NoticeRecipient
from sinergi.breaches.selectors import get_breach_for_user
from sinergi.registry.services import InvalidData
from sinergi.sharing.selectors import own_person_for

# A phone's clock may run a little ahead of the server's: "now" from a phone is not "in the future".
CLOCK_TOLERANCE = timedelta(minutes=5)
MAX_AFFECTED_PERSONS = 10_000_000


class BreachError(Exception):
    """A refused step (the breach's state); the message says what to do."""


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _check_moment(errors: dict[str, list[str]], name: str, moment: datetime | None, now: datetime) -> None:
    if moment is None:
        return
    if moment.tzinfo is None:
        _add(errors, name, _("Give the time with its time zone (e.g. +08:00 for WITA)."))
    elif moment > now + CLOCK_TOLERANCE:
        _add(errors, name, _("This time is in the future: enter when it really happened."))


def _step(actor: User, breach: Breach, action: str) -> None:
    if not actor.has_capability(workflow.BREACH_STEPS[action].capability):
        raise PermissionDenied(_("Only the head or the administrator of the agency may do this."))
    reason = workflow.refusal(actor, breach, action)
    if reason is not None:
        raise BreachError(reason)


@dataclass
class ReportData:
    description: str
    discovered_at: datetime
    how_found: str
    occurred_at: datetime | None = None


@transaction.atomic
def report_breach(*, actor: User, data: ReportData) -> Breach:
    """Anyone of an agency records a suspected breach of that agency; the clock starts at discovery and the
    agency's heads and administrators are alerted at once."""
    if not actor.is_active or actor.agency_id is None:
        raise PermissionDenied(_("Only staff of an agency can report a breach of that agency."))
    now = timezone.now()
    errors: dict[str, list[str]] = {}
    if not data.description.strip():
        _add(errors, "description", _("Write what happened: which data, where, and who may have seen it."))
    if not data.how_found.strip():
        _add(errors, "how_found", _("Write how the breach was found (e.g. a complaint, a lost laptop, a log)."))
    _check_moment(errors, "discovered_at", data.discovered_at, now)
    _check_moment(errors, "occurred_at", data.occurred_at, now)
    if (
        not errors
        and data.occurred_at is not None
        and data.discovered_at is not None
        and data.occurred_at > data.discovered_at
    ):
        _add(errors, "occurred_at", _("It cannot have happened after it was discovered: check both times."))
    if errors:
        raise InvalidData(errors)
    breach = Breach.objects.create(
        agency_id=actor.agency_id,
        description=data.description.strip(),
        how_found=data.how_found.strip(),
        discovered_at=data.discovered_at,
        occurred_at=data.occurred_at,
        notify_by=deadline_for(data.discovered_at),
        reported_by=actor,
        reported_at=now,
    )
    record_event(
        actor=actor,
        action="breach.reported",
        obj=breach,
        summary=breach.reference,
        detail={"discovered_at": breach.discovered_at.isoformat(), "notify_by": breach.notify_by.isoformat()},
    )
    escalate(breach, now)
    return breach


@dataclass
class AssessmentData:
    confirmed: bool
    dismissal_reason: str = ""
    data_categories: list[str] = field(default_factory=list)
    persons_affected: int | None = None
    affected_person_ids: list[int] = field(default_factory=list)
    cause: str = ""
    containment: str = ""
    recovery: str = ""
    partner_agency_id: int | None = None
    # A corrected discovery time (the agency knew earlier than the report says); moves the deadline with it.
    discovered_at: datetime | None = None


@transaction.atomic
def assess_breach(*, actor: User, breach_id: int, data: AssessmentData) -> Breach:
    """The head's or administrator's assessment: confirmed (what data, how many, cause, containment, recovery)
    or dismissed with a reason. Affected registry persons are the agency's own only (`own_person_for`)."""
    breach = get_breach_for_user(actor, breach_id, write=True)
    _step(actor, breach, workflow.ASSESS)
    errors: dict[str, list[str]] = {}
    persons = []
    partner: Agency | None = None
    if not data.confirmed:
        if not data.dismissal_reason.strip():
            _add(errors, "dismissal_reason", _("Write why this is not a personal-data breach."))
        if breach.status == BreachStatus.CONFIRMED:
            _add(errors, "confirmed", _("A confirmed breach is not dismissed: correct the assessment instead."))
    else:
        unknown = sorted(set(data.data_categories) - set(DataCategory.values))
        if unknown:
            _add(errors, "data_categories", _("Unknown categories: %(codes)s.") % {"codes": ", ".join(unknown)})
        if not data.data_categories:
            _add(errors, "data_categories", _("Choose at least one kind of personal data involved."))
        if data.persons_affected is None:
            _add(errors, "persons_affected", _("Give the approximate number of persons affected."))
        elif not 0 < data.persons_affected <= MAX_AFFECTED_PERSONS:
            _add(errors, "persons_affected", _("Give a number of persons between 1 and 10,000,000."))
        if not data.containment.strip():
            _add(errors, "containment", _("Write what was done to stop the breach and contain it."))
        for person_id in dict.fromkeys(data.affected_person_ids):
            try:
                persons.append(own_person_for(actor, person_id, field="affected_person_ids"))
            except Http404:
                _add(errors, "affected_person_ids", _("No person %(id)s in your registry.") % {"id": person_id})
            except InvalidData as error:
                for message in error.errors.get("affected_person_ids", []):
                    _add(errors, "affected_person_ids", message)
        if data.persons_affected is not None and len(persons) > data.persons_affected:
            _add(
                errors,
                "persons_affected",
                _("You named %(n)s registry persons: the number affected is at least that.") % {"n": len(persons)},
            )
        if data.partner_agency_id is not None:
            partner = Agency.objects.filter(pk=data.partner_agency_id).exclude(id=actor.agency_id or 0).first()
            if partner is None:
                _add(errors, "partner_agency_id", _("Choose another agency from the list."))
    corrected = False
    if data.discovered_at is not None:
        _check_moment(errors, "discovered_at", data.discovered_at, timezone.now())
        if not errors.get("discovered_at"):
            # A form sends whole minutes: the same minute is no correction.
            corrected = abs(data.discovered_at - breach.discovered_at) >= timedelta(minutes=1)
            if corrected and breach.occurred_at is not None and breach.occurred_at > data.discovered_at:
                _add(errors, "discovered_at", _("It cannot have been discovered before it happened: check both times."))
    if errors:
        raise InvalidData(errors)
    previous_discovery = breach.discovered_at
    if corrected and data.discovered_at is not None:
        breach.discovered_at = data.discovered_at
        breach.notify_by = deadline_for(data.discovered_at)
    breach.assessed_by = actor
    breach.assessed_at = timezone.now()
    if data.confirmed:
        breach.status = BreachStatus.CONFIRMED
        breach.dismissal_reason = ""
        breach.data_categories = [code for code in DataCategory.values if code in data.data_categories]
        breach.persons_affected = data.persons_affected
        breach.cause = data.cause.strip()
        breach.containment = data.containment.strip()
        breach.recovery = data.recovery.strip()
        breach.partner_agency = partner
    else:
        breach.status = BreachStatus.DISMISSED
        breach.dismissal_reason = data.dismissal_reason.strip()
    breach.save()
    if data.confirmed:
        breach.affected_persons.set(persons)
    record_event(
        actor=actor,
        action="breach.assessed",
        obj=breach,
        summary=breach.reference,
        detail={
            "status": breach.status,
            "data_categories": breach.data_categories,
            "persons_affected": breach.persons_affected,
            "registry_persons": len(persons),
            "partner_agency": partner.pk if partner else None,
            **(
                {"discovered_at": [previous_discovery.isoformat(), breach.discovered_at.isoformat()]}
                if corrected
                else {}
            ),
        },
    )
    if corrected:
        escalate(breach, timezone.now())  # an earlier discovery may have brought the deadline near
    return breach


@transaction.atomic
def record_notice(*, actor: User, breach_id: int, recipient: str, notified_at: datetime, how: str) -> Breach:
    """Record the written notice sent to the data subjects or to the authority (once each)."""
    breach = get_breach_for_user(actor, breach_id, write=True)
    _step(actor, breach, workflow.NOTIFY)
    errors: dict[str, list[str]] = {}
    if recipient not in NoticeRecipient.values:
        _add(
            errors, "recipient", _("Choose who was notified: %(codes)s.") % {"codes": ", ".join(NoticeRecipient.values)}
        )
    _check_moment(errors, "notified_at", notified_at, timezone.now())
    if not errors.get("notified_at") and notified_at < breach.discovered_at:
        _add(errors, "notified_at", _("The notice cannot be before the breach was discovered."))
    if not how.strip():
        _add(errors, "how", _("Write how the notice was sent (e.g. letter no. …, e-mail, the authority's portal)."))
    if errors:
        raise InvalidData(errors)
    prefix = "subjects" if recipient == NoticeRecipient.SUBJECTS else "authority"
    if getattr(breach, f"{prefix}_notified_at") is not None:
        raise BreachError(
            _("This notice is already recorded (%(when)s).")
            % {"when": timezone.localtime(getattr(breach, f"{prefix}_notified_at")).strftime("%d-%m-%Y %H:%M")}
        )
    setattr(breach, f"{prefix}_notified_at", notified_at)
    setattr(breach, f"{prefix}_notified_how", how.strip()[:300])
    setattr(breach, f"{prefix}_notified_by", actor)
    breach.save()
    record_event(
        actor=actor,
        action="breach.notified",
        obj=breach,
        summary=breach.reference,
        detail={
            "recipient": recipient,
            "notified_at": notified_at.isoformat(),
            "late": notified_at > breach.notify_by,
        },
    )
    return breach


@transaction.atomic
def close_breach(*, actor: User, breach_id: int) -> Breach:
    breach = get_breach_for_user(actor, breach_id, write=True)
    _step(actor, breach, workflow.CLOSE)
    breach.status = BreachStatus.CLOSED
    breach.closed_at = timezone.now()
    breach.save()
    record_event(actor=actor, action="breach.closed", obj=breach, summary=breach.reference)
    return breach


def report_downloaded(*, actor: User, breach: Breach, document: str) -> None:
    """Audit the notification report's download (it names the agency's breach; no person is in it)."""
    _step(actor, breach, workflow.DOWNLOAD_REPORT)
    record_event(
        actor=actor,
        action="breach.report_downloaded",
        obj=breach,
        summary=breach.reference,
        detail={"document": document},
    )
