"""Every write to the special-assistance list: permission, the workflow table, the consent gate, the audit
event and the step row, in one transaction.

Double submits are harmless: proposing the same case again returns the entry already proposed, agreeing again
for an agency that has agreed and withdrawing a withdrawn entry change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Capability, Role
from sinergi.assistance.export import ExportFile, export_file
from sinergi.assistance.models import (
    OPEN_ASSISTANCE_STATUSES,
    AssistanceEntry,
    AssistanceNeed,
    AssistanceStatus,
    AssistanceStep,
    StepKind,
)
from sinergi.assistance.selectors import (
    EntryFilter,
    entries_visible_to,
    get_entry_for_user,
    latest_assessment,
    list_entries,
    shows_person,
)
from sinergi.assistance.workflow import ASSISTANCE_STEPS, Action, Side, has_agreed, partner_kinds_for, side_of
from sinergi.audit.events import record_event
from sinergi.cases.models import Case, Consent, ConsentScope
from sinergi.cases.selectors import get_case_for_user
from sinergi.notifications.models import NotificationKind
from sinergi.notifications.services import notify
from sinergi.referrals.models import LawfulBasis
from sinergi.referrals.services import ConsentOverride
from sinergi.registry.services import InvalidData, record_person_view
from sinergi.sharing.consent import active_consent

# The consent that lets the person's data travel to another agency (the referral consent says exactly that).
SHARING_CONSENT_SCOPE = ConsentScope.SPECIAL_ASSISTANCE
MAX_NOTE = 4000


class AssistanceError(Exception):
    """A refused step on the list; the message says why and what to do."""


def _status_label(status: str) -> str:
    return str(AssistanceStatus(status).label) if status in AssistanceStatus.values else status


def clean_text(text: str) -> str:
    """Control characters other than line breaks and tabs mean nothing in a note, and PostgreSQL refuses NUL."""
    return "".join(ch for ch in text if ch >= " " or ch in "\n\r\t").strip()


def partner_agencies_for(agency: Agency) -> QuerySet[Agency]:
    """The agencies a proposal of `agency` may go to: active agencies of the other side of the agreement."""
    return (
        Agency.objects.filter(is_active=True, kind__in=partner_kinds_for(agency.kind))
        .exclude(pk=agency.pk)
        .order_by("name")
    )


def sharing_consent(case: Case) -> Consent | None:
    """The person's active consent to share their data for the special-assistance list, the latest first."""
    return active_consent(case, SHARING_CONSENT_SCOPE)


# --- propose --------------------------------------------------------------------------------------------------


@dataclass
class ProposalData:
    case_id: int
    partner_agency_id: int | None
    needs: list[str] = field(default_factory=list)
    note: str = ""
    override: ConsentOverride | None = None


def _check_proposal(actor: User, data: ProposalData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    assert actor.agency is not None
    if (
        data.partner_agency_id is None
        or not partner_agencies_for(actor.agency).filter(pk=data.partner_agency_id).exists()
    ):
        errors["partner_agency_id"] = [
            _("Choose the partner agency that agrees with yours: one of the agencies offered.")
        ]
    unknown = sorted(set(data.needs) - set(AssistanceNeed.values))
    if not data.needs:
        errors["needs"] = [_("Choose at least one kind of assistance the person needs.")]
    elif unknown:
        errors["needs"] = [
            _("Unknown kinds of assistance: %(codes)s. Use %(values)s.")
            % {"codes": ", ".join(unknown), "values": ", ".join(AssistanceNeed.values)}
        ]
    if len(data.note) > MAX_NOTE:
        errors["note"] = [_("The note is too long: shorten it to %(max)s characters.") % {"max": MAX_NOTE}]
    return errors


@transaction.atomic
def propose_entry(*, actor: User, data: ProposalData) -> tuple[AssistanceEntry, bool]:
    """Propose the person of the actor's case for the list, like get_or_create: (entry, created).

    The case's latest assessment must say the person needs special social assistance. The person's data goes
    to the partner agency only with the person's recorded consent to share it, or on a lawful basis a
    supervisor records (both audited), as a referral's consent gate.
    """
    if not actor.is_authenticated or not actor.has_capability(Capability.PROPOSE_ASSISTANCE):
        raise PermissionDenied(_("Your role does not allow proposing for the special-assistance list."))
    # Locks the case: two clicks on "propose" queue here and the second finds the first's entry.
    case = get_case_for_user(actor, data.case_id, write=True)
    person = case.person
    if person.registered_by_agency_id != actor.agency_id:
        # Only the person's own agency may pass their data to the partner (sinergi.sharing.rules).
        raise InvalidData(
            {
                "case_id": [
                    _("The person of this case is in another agency's registry: only that agency may propose them.")
                ]
            }
        )
    existing = (
        AssistanceEntry.objects.filter(person=person, status__in=OPEN_ASSISTANCE_STATUSES)
        .select_related("case", "proposing_agency")
        .first()
    )
    if existing is not None:
        if existing.case_id == case.pk:
            return existing, False
        raise AssistanceError(
            _("This person is already on the list (%(status)s) through case %(case)s; open that entry.")
            % {"status": _status_label(existing.status), "case": existing.case.number}
        )
    assessment = latest_assessment(case)
    if assessment is None or not assessment.needs_special_assistance:
        raise AssistanceError(
            _(
                "The latest assessment of case %(case)s does not say the person needs special social assistance. "
                "Record an assessment that does, then propose."
            )
            % {"case": case.number}
        )
    errors = _check_proposal(actor, data)
    if errors:
        raise InvalidData(errors)
    if person.nik:
        # The same NIK may be another agency's record of the same person, proposed from its own case.
        twin = (
            entries_visible_to(actor)
            .filter(status__in=OPEN_ASSISTANCE_STATUSES, person__nik=person.nik)
            .select_related("case", "proposing_agency")
            .first()
        )
        if twin is not None:
            raise AssistanceError(
                _(
                    "NIK %(nik)s is already on the list through case %(case)s of %(agency)s. Agree on that entry "
                    "instead of proposing the person twice."
                )
                % {"nik": person.nik, "case": twin.case.number, "agency": twin.proposing_agency.name}
            )
    consent = sharing_consent(case)
    override = data.override if consent is None else None
    if consent is None:
        _check_override(actor, data.override)
    assert actor.agency is not None and data.partner_agency_id is not None
    now = timezone.now()
    try:
        with transaction.atomic():
            entry = AssistanceEntry.objects.create(
                case=case,
                person=person,
                proposing_agency=actor.agency,
                partner_agency_id=data.partner_agency_id,
                needs=[code for code in AssistanceNeed.values if code in data.needs],
                note=clean_text(data.note),
                status=AssistanceStatus.PROPOSED,
                status_changed_at=now,
                consent=consent,
                override_basis=override.basis if override else "",
                override_reason=clean_text(override.reason) if override else "",
                override_by=actor if override else None,
                proposed_by=actor,
                proposed_at=now,
            )
    except IntegrityError:
        # Another case of the same person was proposed at the same moment: the constraint let one through.
        raise AssistanceError(
            _("This person was just proposed for the list from another case. Reload the list and open that entry.")
        ) from None
    AssistanceStep.objects.create(
        entry=entry,
        kind=StepKind.PROPOSED,
        agency=actor.agency,
        by=actor,
        at=now,
        note=override.basis if override else "",
    )
    record_event(
        actor=actor,
        action="assistance.proposed",
        obj=entry,
        summary=f"{case.number} → {entry.partner_agency.name}",
        detail={"case": case.pk, "partner": entry.partner_agency_id, "needs": entry.needs},
    )
    if override is not None:
        record_event(
            actor=actor,
            action="assistance.consent_overridden",
            obj=entry,
            summary=case.number,
            detail={"basis": override.basis, "reason": clean_text(override.reason)},
        )
    _ask_supervisors(entry)
    return entry, True


def _check_override(actor: User, override: ConsentOverride | None) -> None:
    if override is None:
        raise AssistanceError(
            _(
                "The person's data may go to the partner agency only with recorded consent to share it with other "
                "agencies. Record the consent of the person (a parent or guardian for a child) on the case, or ask "
                "a supervisor to propose on a lawful basis."
            )
        )
    if not actor.has_capability(Capability.OVERRIDE_CONSENT):
        raise PermissionDenied(_("Only a supervisor may propose without the person's consent."))
    if override.basis not in LawfulBasis.values or not clean_text(override.reason):
        raise InvalidData({"override_reason": [_("Choose the lawful basis and write why consent cannot be obtained.")]})


def _ask_supervisors(entry: AssistanceEntry) -> None:
    """Both agencies' supervisors have to agree: each gets a task in their inbox (the case number only)."""
    supervisors = User.objects.filter(
        agency_id__in=(entry.proposing_agency_id, entry.partner_agency_id), is_active=True, roles__role=Role.SUPERVISOR
    ).distinct()
    notify(
        recipients=supervisors,
        kind=NotificationKind.TASK,
        title=_("Special assistance for case %(case)s awaits your agency's agreement") % {"case": entry.case.number},
        url=reverse("assistance:detail", args=[entry.pk]),
        dedupe_key=f"assistance-proposed:{entry.pk}",
    )


# --- agree and withdraw ---------------------------------------------------------------------------------------


def _check_step(actor: User, entry: AssistanceEntry, action: Action) -> Side:
    side = side_of(actor, entry)
    rule = ASSISTANCE_STEPS.get((action, side)) if side is not None else None
    if side is None or rule is None or not any(actor.has_capability(c) for c in rule.capabilities):
        if action == Action.AGREE:
            raise PermissionDenied(_("Only a supervisor of the proposing or the partner agency may agree."))
        raise PermissionDenied(_("Your role may not withdraw this entry. Ask your supervisor."))
    return side


def _refuse_from(entry: AssistanceEntry, action: Action) -> AssistanceError:
    last = entry.steps.select_related("by", "agency").order_by("-at", "-id").first()
    who = f" ({last.by.display_name}, {last.agency.name}, {timezone.localtime(last.at):%d-%m-%Y %H:%M})" if last else ""
    if action == Action.AGREE:
        message = _(
            "This entry is %(status)s%(who)s, so it can no longer be agreed. Propose the person again if needed."
        )
    else:
        message = _("This entry is %(status)s%(who)s, so it cannot be withdrawn.")
    return AssistanceError(message % {"status": _status_label(entry.status), "who": who})


@transaction.atomic
def agree_entry(*, actor: User, entry_id: int) -> AssistanceEntry:
    """The actor's agency agrees (a supervisor); when both agencies have, the entry is on the list (AGREED)."""
    entry = get_entry_for_user(actor, entry_id, write=True)
    side = _check_step(actor, entry, Action.AGREE)
    if has_agreed(entry, side):
        return entry  # a double submit, or a second supervisor of the same agency: already agreed
    rule = ASSISTANCE_STEPS[(Action.AGREE, side)]
    if entry.status not in rule.from_statuses:
        raise _refuse_from(entry, Action.AGREE)
    if not entry.override_basis:
        # The consent the proposal relied on may have been withdrawn since: agreeing would keep sharing.
        consent = sharing_consent(entry.case)
        if consent is None:
            raise AssistanceError(
                _(
                    "The person's consent to share their data was withdrawn after the proposal. %(agency)s must "
                    "record new consent on case %(case)s, or withdraw this entry."
                )
                % {"agency": entry.proposing_agency.name, "case": entry.case.number}
            )
        entry.consent = consent
    now = timezone.now()
    if side == Side.PROPOSER:
        entry.proposer_agreed_by, entry.proposer_agreed_at = actor, now
    else:
        entry.partner_agreed_by, entry.partner_agreed_at = actor, now
    both = entry.proposer_agreed_at is not None and entry.partner_agreed_at is not None
    if both:
        entry.status, entry.agreed_at, entry.status_changed_at = AssistanceStatus.AGREED, now, now
    entry.save()
    AssistanceStep.objects.create(entry=entry, kind=StepKind.AGREED, agency_id=actor.agency_pk, by=actor, at=now)
    record_event(
        actor=actor,
        action="assistance.agreed",
        obj=entry,
        summary=entry.case.number,
        detail={"side": str(side), "status": entry.status},
    )
    return entry


@transaction.atomic
def withdraw_entry(*, actor: User, entry_id: int, reason: str) -> AssistanceEntry:
    """Either agency takes the entry off the list (or back from the proposal), saying why."""
    entry = get_entry_for_user(actor, entry_id, write=True)
    side = _check_step(actor, entry, Action.WITHDRAW)
    if entry.status == AssistanceStatus.WITHDRAWN:
        return entry  # a double submit: it is already off the list
    rule = ASSISTANCE_STEPS[(Action.WITHDRAW, side)]
    if entry.status not in rule.from_statuses:
        raise _refuse_from(entry, Action.WITHDRAW)
    reason = clean_text(reason)
    if rule.needs_reason and not reason:
        raise InvalidData({"reason": [_("Write why the entry is withdrawn: the other agency reads it.")]})
    now = timezone.now()
    previous = entry.status
    entry.status, entry.status_changed_at = AssistanceStatus.WITHDRAWN, now
    entry.withdrawn_by, entry.withdrawn_at, entry.withdrawal_reason = actor, now, reason
    entry.save()
    AssistanceStep.objects.create(
        entry=entry, kind=StepKind.WITHDRAWN, agency_id=actor.agency_pk, by=actor, at=now, note=reason
    )
    record_event(
        actor=actor,
        action="assistance.withdrawn",
        obj=entry,
        summary=entry.case.number,
        detail={"side": str(side), "from": previous, "reason": reason},
    )
    return entry


# --- reads that are logged ------------------------------------------------------------------------------------


def record_entry_view(*, actor: User, entry: AssistanceEntry) -> None:
    """The partner agency reading the person's data on an entry is in the access log, like opening the record."""
    if shows_person(actor, entry):
        record_person_view(actor=actor, person=entry.case.person, via="assistance")


EXPORT_FORMATS = ("csv", "xlsx")


@transaction.atomic
def export_list(*, actor: User, flt: EntryFilter, file_format: str) -> ExportFile:
    """The list in the Kemensos template (docs/special-assistance.md); only agreed entries unless `flt` names
    another status. Audited with the filters and the entries exported."""
    if not actor.is_authenticated or not actor.has_capability(Capability.VIEW_ASSISTANCE_LIST):
        raise PermissionDenied(_("Your role does not allow exporting the special-assistance list."))
    if file_format not in EXPORT_FORMATS:
        raise InvalidData({"format": [_("Choose the file format: csv or xlsx.")]})
    if not flt.status:
        flt = EntryFilter(
            status=AssistanceStatus.AGREED, agency_id=flt.agency_id, date_from=flt.date_from, date_to=flt.date_to
        )
    listed = list_entries(actor, flt)
    # A person whose processing is restricted (UU PDP Pasal 41) stays on the owner's screen but leaves in no
    # file: an export is handed on, and handing on is processing.
    rows = [row for row in listed if not getattr(row.entry, "person_restricted", False)]
    exported = export_file(rows, file_format, today=timezone.localdate())
    record_event(
        actor=actor,
        action="assistance.exported",
        summary=f"{len(rows)} ({file_format})",
        detail={
            "format": file_format,
            "count": len(rows),
            "restricted_left_out": len(listed) - len(rows),
            "filters": {
                "status": flt.status,
                "agency": flt.agency_id,
                "from": flt.date_from.isoformat() if flt.date_from else None,
                "to": flt.date_to.isoformat() if flt.date_to else None,
            },
            "entries": [row.entry.pk for row in rows],
        },
    )
    # Each person whose identity the file carries is in the access log, as when their entry is opened.
    for row in rows:
        if row.person is not None:
            record_person_view(actor=actor, person=row.entry.case.person, via="assistance.export")
    return exported
