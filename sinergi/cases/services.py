"""Every write to cases: permission, validation, audit event, one transaction."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability, Role
from sinergi.audit.events import record_event
from sinergi.cases import uploads
from sinergi.cases.models import (
    Assessment,
    Attachment,
    AttachmentKind,
    Case,
    CaseNote,
    CaseOutcome,
    CaseStatus,
    CaseStatusChange,
    CaseTask,
    Channel,
    ClosureReason,
    Complainant,
    ComplaintCategory,
    Consent,
    ConsentDecision,
    ConsentGiver,
    ConsentMethod,
    ConsentScope,
    InterventionPlan,
    Phase,
    Urgency,
)
from sinergi.cases.numbering import case_number
from sinergi.cases.selectors import get_case_for_user
from sinergi.cases.workflow import CASE_TRANSITIONS
from sinergi.identity.text import has_unstorable_characters
from sinergi.registry.countries import is_country_code
from sinergi.registry.services import InvalidData
from sinergi.sharing.consent import WithdrawalEffects, relink_open_shares, withdrawal_effects
from sinergi.sharing.selectors import own_person_for


class CaseError(Exception):
    """A refused case operation; the message says why and what to do."""


def _require(actor: User, capability: Capability) -> None:
    if not actor.is_authenticated or not actor.has_capability(capability):
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


@dataclass
class CaseData:
    person_id: int
    channel: str
    complainant_type: str
    phase: str
    category_codes: list[str]
    received_at: datetime | None = None
    complainant_name: str = ""
    complainant_contact: str = ""
    destination_country: str = ""
    employer: str = ""
    placement_company: str = ""
    procedural: bool | None = None
    urgency: str = Urgency.MEDIUM
    flag_trafficking: bool = False
    flag_child: bool = False
    flag_disability: bool = False
    narrative: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def _check_case(data: CaseData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.channel not in Channel.values:
        _add(errors, "channel", _("Choose how the complaint came in."))
    if data.complainant_type not in Complainant.values:
        _add(errors, "complainant_type", _("Choose who complained."))
    if data.phase not in Phase.values:
        _add(errors, "phase", _("Choose before, during or after work."))
    if data.urgency not in Urgency.values:
        _add(errors, "urgency", _("Choose the urgency."))
    if not data.category_codes:
        _add(errors, "category_codes", _("Choose at least one complaint category."))
    else:
        known = set(
            ComplaintCategory.objects.filter(code__in=data.category_codes, is_active=True).values_list(
                "code", flat=True
            )
        )
        unknown = sorted(set(data.category_codes) - known)
        if unknown:
            _add(
                errors, "category_codes", _("Unknown complaint categories: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
    if data.destination_country and (not is_country_code(data.destination_country) or data.destination_country == "ID"):
        _add(errors, "destination_country", _("Choose the destination country from the list."))
    if data.received_at and data.received_at > timezone.now():
        _add(errors, "received_at", _("The complaint cannot be received in the future: check the date."))
    if data.complainant_type != Complainant.SELF and not data.complainant_name.strip():
        _add(errors, "complainant_name", _("Write the name of the person who complained."))
    return errors


@transaction.atomic
def open_case(*, actor: User, data: CaseData) -> Case:
    """Record a complaint as a new case of the actor's agency (status DITERIMA)."""
    _require(actor, Capability.MANAGE_CASES)
    errors = _check_case(data)
    if errors:
        raise InvalidData(errors)
    # A referral shows another agency's person; it does not make them ours (sinergi.sharing).
    person = own_person_for(actor, data.person_id)
    received = data.received_at or timezone.now()
    assert actor.agency is not None
    case = Case.objects.create(
        agency=actor.agency,
        number=case_number(actor.agency, timezone.localtime(received).year),
        channel=data.channel,
        received_at=received,
        complainant_type=data.complainant_type,
        complainant_name=data.complainant_name.strip(),
        complainant_contact=data.complainant_contact.strip(),
        person=person,
        phase=data.phase,
        destination_country=data.destination_country,
        employer=data.employer.strip(),
        placement_company=data.placement_company.strip(),
        procedural=data.procedural,
        urgency=data.urgency,
        flag_trafficking=data.flag_trafficking or person.flag_trafficking,
        flag_child=data.flag_child or person.is_minor,
        flag_disability=data.flag_disability or person.flag_disability,
        narrative=data.narrative.strip(),
        assigned_to=actor,
        created_by=actor,
    )
    case.categories.set(ComplaintCategory.objects.filter(code__in=data.category_codes))
    CaseStatusChange.objects.create(case=case, from_status="", to_status=CaseStatus.RECEIVED, by=actor)
    record_event(actor=actor, action="case.opened", obj=case, summary=case.number)
    return case


@transaction.atomic
def change_case_status(
    *, actor: User, case_id: int, to_status: str, reason: str = "", closure_reason: str = "", outcome: str = ""
) -> Case:
    """Move a case along DITERIMA → VERIFIKASI → PENANGANAN → SELESAI, or close it (DITUTUP) with a reason.

    Resolving (SELESAI) needs an outcome and a closing summary (`reason`); closing needs a closure reason and
    why. The summary is kept on the case (`closing_summary`) so the person's page can say how it ended.
    """
    case = get_case_for_user(actor, case_id, write=True)
    rule = CASE_TRANSITIONS.get((case.status, to_status))
    if rule is None:
        raise CaseError(
            _("A case cannot go from %(from)s to %(to)s.")
            % {
                "from": CaseStatus(case.status).label,
                "to": CaseStatus(to_status).label if to_status in CaseStatus.values else to_status,
            }
        )
    if not actor.has_capability(rule.capability):
        raise PermissionDenied(
            _("Your role may not move a case from %(from)s to %(to)s.")
            % {"from": CaseStatus(case.status).label, "to": CaseStatus(to_status).label}
        )
    # Open referrals first: no reason or outcome would make the move possible.
    if to_status in (CaseStatus.DONE, CaseStatus.CLOSED):
        from sinergi.referrals.models import OPEN_REFERRAL_STATUSES

        open_referrals = list(case.referrals.filter(status__in=OPEN_REFERRAL_STATUSES).select_related("to_agency"))
        if open_referrals:
            names = ", ".join(sorted({r.to_agency.name for r in open_referrals}))
            raise CaseError(
                _("This case still has open referrals (%(agencies)s). Complete, revoke or wait for them first.")
                % {"agencies": names}
            )
    if to_status == CaseStatus.CLOSED and closure_reason not in ClosureReason.values:
        raise InvalidData({"closure_reason": [_("Choose why the case is closed.")]})
    errors: dict[str, list[str]] = {}
    if rule.needs_outcome and outcome not in CaseOutcome.values:
        _add(errors, "outcome", _("Choose how the case ended for the person."))
    if rule.needs_reason and not reason.strip():
        if rule.needs_outcome:
            _add(errors, "reason", _("Sum up what was done and how it ended."))
        else:
            _add(errors, "reason", _("Explain briefly why."))
    if errors:
        raise InvalidData(errors)
    previous = case.status
    case.status = to_status
    case.closure_reason = closure_reason if to_status == CaseStatus.CLOSED else ""
    ending = to_status in (CaseStatus.DONE, CaseStatus.CLOSED)
    case.outcome = outcome if rule.needs_outcome else ""
    case.closing_summary = reason.strip() if ending else ""
    case.updated_at = timezone.now()
    case.version += 1
    case._history_user = actor  # type: ignore[attr-defined]
    case.save()
    CaseStatusChange.objects.create(
        case=case, from_status=previous, to_status=to_status, reason=reason.strip(), by=actor
    )
    record_event(
        actor=actor,
        action="case.status_changed",
        obj=case,
        summary=case.number,
        detail={"from": previous, "to": to_status, "closure_reason": closure_reason, "outcome": case.outcome},
    )
    return case


@transaction.atomic
def add_note(*, actor: User, case_id: int, text: str) -> CaseNote:
    case = get_case_for_user(actor, case_id, write=True)
    if not text.strip():
        raise InvalidData({"text": [_("Write the note.")]})
    note = CaseNote.objects.create(case=case, agency_id=actor.agency_pk, text=text.strip(), by=actor)
    record_event(actor=actor, action="case.note_added", obj=case, summary=case.number)
    return note


@transaction.atomic
def add_task(*, actor: User, case_id: int, title: str, due_date: date | None, assignee_id: int | None) -> CaseTask:
    case = get_case_for_user(actor, case_id, write=True)
    errors: dict[str, list[str]] = {}
    if not title.strip():
        _add(errors, "title", _("Write what needs to be done."))
    assignee = None
    if assignee_id is not None:
        assignee = User.objects.filter(pk=assignee_id, agency_id=actor.agency_pk, is_active=True).first()
        if assignee is None:
            _add(errors, "assignee", _("Choose someone from your own agency."))
    if errors:
        raise InvalidData(errors)
    task = CaseTask.objects.create(
        case=case, title=title.strip(), due_date=due_date, assignee=assignee, created_by=actor
    )
    record_event(actor=actor, action="case.task_added", obj=case, summary=case.number)
    if assignee is not None and assignee != actor:
        from sinergi.notifications.models import NotificationKind
        from sinergi.notifications.services import notify

        notify(
            recipients=[assignee],
            kind=NotificationKind.TASK,
            title=_("Task for %(case)s: %(title)s") % {"case": case.number, "title": task.title},
            url=f"/kasus/{case.pk}/#tasks",
            dedupe_key=f"task:{task.pk}",
        )
    return task


@transaction.atomic
def complete_task(*, actor: User, case_id: int, task_id: int) -> None:
    """Mark a task done (a second click changes nothing); a task of another case is 404."""
    case = get_case_for_user(actor, case_id, write=True)
    task = CaseTask.objects.filter(case=case, pk=task_id).first()
    if task is None:
        raise Http404
    if task.done_at is None:
        task.done_at, task.done_by = timezone.now(), actor
        task.save(update_fields=["done_at", "done_by"])
        record_event(actor=actor, action="case.task_done", obj=case, summary=case.number)


@dataclass
class AssessmentData:
    summary: str
    needs: str = ""
    risk: str = Urgency.MEDIUM
    needs_special_assistance: bool = False


def _check_assessment(data: AssessmentData) -> None:
    errors: dict[str, list[str]] = {}
    if not data.summary.strip():
        _add(errors, "summary", _("Write what the assessment found."))
    if data.risk not in Urgency.values:
        _add(errors, "risk", _("Choose the risk level."))
    if errors:
        raise InvalidData(errors)


@transaction.atomic
def add_assessment(*, actor: User, case_id: int, data: AssessmentData) -> Assessment:
    """The owning agency's own asesmen (a receiver assesses through its referral: referrals.services)."""
    case = get_case_for_user(actor, case_id, write=True)
    _check_assessment(data)
    assessment = Assessment.objects.create(
        case=case,
        agency_id=actor.agency_pk,
        summary=data.summary.strip(),
        needs=data.needs.strip(),
        risk=data.risk,
        needs_special_assistance=data.needs_special_assistance,
        by=actor,
    )
    record_event(actor=actor, action="case.assessed", obj=case, summary=case.number)
    return assessment


@transaction.atomic
def save_plan(*, actor: User, case_id: int, goals: str, activities: str) -> InterventionPlan:
    case = get_case_for_user(actor, case_id, write=True)
    if not goals.strip():
        raise InvalidData({"goals": [_("Write the goals of the intervention.")]})
    plan = InterventionPlan.objects.filter(case=case, agency_id=actor.agency_pk).first() or InterventionPlan(
        case=case, agency_id=actor.agency_pk
    )
    plan.goals, plan.activities = goals.strip(), activities.strip()
    plan.updated_by, plan.updated_at = actor, timezone.now()
    plan._history_user = actor  # type: ignore[attr-defined]
    plan.save()
    record_event(actor=actor, action="case.plan_saved", obj=case, summary=case.number)
    return plan


@transaction.atomic
def add_attachment(*, actor: User, case_id: int, kind: str, upload: UploadedFile[bytes]) -> Attachment:
    """Store a checked file (type, size, content matching the extension) outside the web root."""
    case = get_case_for_user(actor, case_id, write=True)
    if kind not in AttachmentKind.values:
        raise InvalidData({"kind": [_("Choose what kind of document this is.")]})
    problem = uploads.check_upload(upload)
    if problem:
        raise InvalidData({"file": [problem]})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        case=case,
        agency_id=actor.agency_pk,
        kind=kind,
        original_name=uploads.safe_name(upload.name or "file"),
        content_type=uploads.content_type_for(upload.name or ""),
        size=upload.size or 0,
        sha256=digest.hexdigest(),
        by=actor,
    )
    attachment.file.save(
        f"{case.pk}-{digest.hexdigest()[:16]}{uploads.extension(upload.name or '')}", upload, save=False
    )
    attachment.save()
    record_event(
        actor=actor,
        action="case.attachment_added",
        obj=case,
        summary=case.number,
        detail={"name": attachment.original_name, "size": attachment.size},
    )
    return attachment


@dataclass
class ConsentData:
    scope: str
    given_by: str
    giver_name: str
    method: str
    given_at: datetime | None = None
    decision: str = ConsentDecision.GIVEN
    expires_at: datetime | None = None


@transaction.atomic
def record_consent(*, actor: User, case_id: int, data: ConsentData) -> Consent:
    """Record consent; for a child it must come from a parent or guardian (UU PDP)."""
    case = get_case_for_user(actor, case_id, write=True)
    errors: dict[str, list[str]] = {}
    if data.scope not in ConsentScope.values:
        _add(errors, "scope", _("Choose what the consent is for."))
    if data.given_by not in ConsentGiver.values:
        _add(errors, "given_by", _("Choose who gave consent."))
    if data.method not in ConsentMethod.values:
        _add(errors, "method", _("Choose how consent was given."))
    if not data.giver_name.strip():
        _add(errors, "giver_name", _("Write the name of the person who consented."))
    if (case.flag_child or case.person.is_minor) and data.given_by not in (ConsentGiver.PARENT, ConsentGiver.GUARDIAN):
        _add(errors, "given_by", _("The person is a child: consent must come from a parent or guardian."))
    if data.given_at and data.given_at > timezone.now():
        _add(errors, "given_at", _("Consent cannot be given in the future: check the date."))
    if data.decision not in ConsentDecision.values:
        _add(errors, "decision", _("Choose whether the person gave or refused consent."))
    given_at = data.given_at or timezone.now()
    if data.expires_at is not None and data.expires_at <= max(given_at, timezone.now()):
        _add(errors, "expires_at", _("The end of validity must be later than now: check the date, or leave it empty."))
    if data.decision == ConsentDecision.REFUSED and data.expires_at is not None:
        _add(errors, "expires_at", _("A refusal has no end of validity: leave the date empty."))
    if errors:
        raise InvalidData(errors)
    consent = Consent(
        case=case,
        scope=data.scope,
        decision=data.decision,
        given_by=data.given_by,
        giver_name=data.giver_name.strip(),
        method=data.method,
        given_at=given_at,
        expires_at=data.expires_at,
        recorded_by=actor,
    )
    consent._history_user = actor  # type: ignore[attr-defined]
    consent.save()
    resumed = relink_open_shares(consent) if consent.is_active else 0
    record_event(
        actor=actor,
        action="case.consent_recorded" if consent.decision == ConsentDecision.GIVEN else "case.consent_refused",
        obj=case,
        summary=case.number,
        detail={"scope": data.scope, "expires_at": data.expires_at.isoformat() if data.expires_at else None}
        | ({"shares_resumed": resumed} if resumed else {}),
    )
    return consent


@transaction.atomic
def withdraw_consent(*, actor: User, case_id: int, consent_id: int, note: str = "") -> WithdrawalEffects:
    """Withdrawal (UU PDP): every share made under the consent stops at once (sinergi/sharing/consent.py), the
    agencies that lose access are told, later shares need new consent; returns what stopped and what cannot be
    undone, for the person to be told. Withdrawing twice changes nothing and says the same."""
    case = get_case_for_user(actor, case_id, write=True)
    consent = Consent.objects.select_for_update().filter(case=case, pk=consent_id).first()
    if consent is None:
        raise Http404
    if consent.decision != ConsentDecision.GIVEN:
        raise InvalidData({"consent": [_("This is a recorded refusal: there is nothing to withdraw.")]})
    if has_unstorable_characters(note):
        raise InvalidData({"note": [_("The note holds characters that cannot be stored: type it again.")]})
    if consent.withdrawn_at is None:
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = actor
        consent.withdrawal_note = note.strip()
        consent._history_user = actor  # type: ignore[attr-defined]
        consent.save()
        effects = withdrawal_effects(consent)
        record_event(
            actor=actor,
            action="case.consent_withdrawn",
            obj=case,
            summary=case.number,
            detail={"scope": consent.scope, "stopped": effects.stopped, "cannot_undo": effects.cannot_undo},
        )
        _tell_who_lost_access(consent)
        return effects
    return withdrawal_effects(consent)


# Who handles incoming referrals and the special-assistance list at the agency that loses access.
_RECEIVING_ROLES = (Role.PEKERJA_SOSIAL, Role.PETUGAS, Role.SUPERVISOR)


def _tell_who_lost_access(consent: Consent) -> None:
    """The receivers of open referrals and partners of open entries made under the consent learn at once that
    they no longer see the person, and must not use what they noted beyond the service already given."""
    from sinergi.assistance.models import OPEN_ASSISTANCE_STATUSES, AssistanceEntry
    from sinergi.notifications.models import NotificationKind
    from sinergi.notifications.services import notify
    from sinergi.referrals.models import RECEIVER_SEES_CASE, Referral

    title = _("Consent withdrawn: %(agency)s no longer shares the data of case %(case)s.")
    for referral in Referral.objects.filter(consent=consent, status__in=RECEIVER_SEES_CASE).select_related(
        "from_agency"
    ):
        users = User.objects.filter(agency_id=referral.to_agency_id, is_active=True, roles__role__in=_RECEIVING_ROLES)
        notify(
            recipients=users.distinct(),
            kind=NotificationKind.CONSENT_WITHDRAWN,
            title=title % {"agency": referral.from_agency.name, "case": consent.case.number},
            url=reverse("referrals:detail", args=[referral.pk]),
            dedupe_key=f"consent-withdrawn:{consent.pk}:referral:{referral.pk}",
        )
    for entry in AssistanceEntry.objects.filter(consent=consent, status__in=OPEN_ASSISTANCE_STATUSES).select_related(
        "proposing_agency"
    ):
        users = User.objects.filter(agency_id=entry.partner_agency_id, is_active=True, roles__role__in=_RECEIVING_ROLES)
        notify(
            recipients=users.distinct(),
            kind=NotificationKind.CONSENT_WITHDRAWN,
            title=title % {"agency": entry.proposing_agency.name, "case": consent.case.number},
            url=reverse("assistance:detail", args=[entry.pk]),
            dedupe_key=f"consent-withdrawn:{consent.pk}:entry:{entry.pk}",
        )


def record_attachment_download(*, actor: User, attachment: Attachment) -> None:
    """Downloads of case files are in the access log, like opening a person's record."""
    record_event(
        actor=actor,
        action="case.attachment_downloaded",
        obj=attachment.case,
        summary=attachment.case.number,
        detail={"attachment": attachment.pk, "name": attachment.original_name},
    )
