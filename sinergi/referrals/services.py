"""Every write to referrals goes through `transition` (the handshake) or the helpers below it.

Each call checks the transition table (side + capability), locks the referral row (two people accepting
at the same moment: exactly one wins, the other is told who), records a ReferralEvent and an audit event,
starts/stops SLA clocks and sends notifications — in one transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Capability, Role
from sinergi.audit.events import record_event
from sinergi.cases.models import Assessment, Case, Consent, ConsentScope
from sinergi.cases.numbering import letter_number
from sinergi.cases.selectors import get_case_for_user
from sinergi.cases.services import AssessmentData, _check_assessment
from sinergi.directory.models import Service
from sinergi.notifications.models import NotificationKind
from sinergi.notifications.services import notify
from sinergi.referrals.models import (
    OPEN_REFERRAL_STATUSES,
    Deadline,
    LawfulBasis,
    Referral,
    ReferralEvent,
    ReferralStatus,
    ServiceRecord,
    SlaStep,
)
from sinergi.referrals.selectors import get_referral_for_user
from sinergi.referrals.workflow import REFERRAL_TRANSITIONS, Side
from sinergi.registry.services import InvalidData
from sinergi.sharing.consent import active_consent
from sinergi.sharing.rules import sender_may_share
from sinergi.sop.calendar import due_at
from sinergi.sop.models import SopDocument, SopRoute


class ReferralError(Exception):
    """A refused referral operation; the message names what is wrong and what to do."""


def _label(status: str) -> str:
    return str(ReferralStatus(status).label) if status in ReferralStatus.values else status


def route_for(case: Case, service: Service, day: date) -> SopRoute | None:
    """The SOP route in force that allows referring this case's categories to this service."""
    sop = SopDocument.in_force(day)
    if sop is None:
        return None
    return (
        SopRoute.objects.filter(sop=sop, category__in=case.categories.all(), services=service)
        .select_related("sop", "category")
        .order_by("category__order")
        .first()
    )


def allowed_services(case: Case, day: date | None = None) -> list[Service]:
    """Services the joint SOP in force allows for this case's categories (other agencies only)."""
    sop = SopDocument.in_force(day or timezone.localdate())
    if sop is None:
        return []
    return list(
        Service.objects.filter(is_active=True, soproute__sop=sop, soproute__category__in=case.categories.all())
        .exclude(agency_id=case.agency_id)
        .select_related("agency")
        .distinct()
        .order_by("agency__name", "name")
    )


@transaction.atomic
def create_referral(
    *, actor: User, case_id: int, service_id: int, reason: str, parent_id: int | None = None
) -> Referral:
    """A DRAFT referral of the actor's case to a service the SOP allows."""
    case = get_case_for_user(actor, case_id, write=True)
    if not actor.has_capability(Capability.SEND_REFERRALS):
        raise PermissionDenied(_("Your role does not allow sending referrals. Ask your supervisor."))
    if not case.is_open:
        raise ReferralError(
            _("The case is %(status)s: reopen is not possible; open a new case.")
            % {"status": case.get_status_display()}
        )
    service = Service.objects.select_related("agency").filter(pk=service_id, is_active=True).first()
    errors: dict[str, list[str]] = {}
    if service is None:
        errors["service"] = [_("Choose a service from the directory.")]
    elif service.agency_id == case.agency_id:
        errors["service"] = [_("A referral goes to another agency: choose a service of another agency.")]
    if not reason.strip():
        errors["reason"] = [_("Explain why the person is referred.")]
    if errors:
        raise InvalidData(errors)
    assert service is not None
    route = route_for(case, service, timezone.localdate())
    if route is None:
        raise InvalidData(
            {
                "service": [
                    _(
                        "The joint SOP in force does not allow referring this case's categories to %(service)s. "
                        "Choose one of the services offered."
                    )
                    % {"service": service}
                ]
            }
        )
    parent = None
    if parent_id is not None:
        parent = get_referral_for_user(actor, parent_id)
        if parent.case_id != case.pk:
            raise InvalidData({"parent": [_("A follow-on referral continues a referral of the same case.")]})
    referral = Referral.objects.create(
        case=case,
        from_agency_id=case.agency_id,
        to_agency=service.agency,
        service=service,
        sop_route=route,
        parent=parent,
        reason=reason.strip(),
        created_by=actor,
    )
    ReferralEvent.objects.create(referral=referral, from_status="", to_status=ReferralStatus.DRAFT, by=actor)
    record_event(actor=actor, action="referral.created", obj=referral, summary=f"{case.number} → {service.agency}")
    return referral


def _active_consent(case: Case, scope: str) -> Consent | None:
    return active_consent(case, scope)


@dataclass
class ConsentOverride:
    basis: str
    reason: str


@transaction.atomic
def send_referral(*, actor: User, referral_id: int, override: ConsentOverride | None = None) -> Referral:
    """DRAFT → DIKIRIM behind the consent gate; starts the acknowledge and decide clocks."""
    referral = _locked(actor, referral_id)
    _check_transition(actor, referral, ReferralStatus.SENT)
    # The SOP in force when it is sent decides (a draft may outlive the version it was drafted under).
    route = route_for(referral.case, referral.service, timezone.localdate())
    if route is None:
        raise ReferralError(
            _("The joint SOP in force no longer allows this referral. Revoke it and choose another service.")
        )
    consent = None
    if route.consent_scope:
        consent = _active_consent(referral.case, route.consent_scope)
        if consent is None:
            if override is None:
                raise ReferralError(
                    _(
                        "The joint SOP requires recorded consent (%(scope)s) before this referral is sent. Record the "
                        "consent of the person (a parent or guardian for a child), or ask a supervisor to send it on a "
                        "lawful basis."
                    )
                    % {"scope": ConsentScope(route.consent_scope).label}
                )
            if not actor.has_capability(Capability.OVERRIDE_CONSENT):
                raise PermissionDenied(_("Only a supervisor may send a referral without consent."))
            if override.basis not in LawfulBasis.values or not override.reason.strip():
                raise InvalidData(
                    {"override_reason": [_("Choose the lawful basis and write why consent cannot be obtained.")]}
                )
            referral.override_basis, referral.override_reason, referral.override_by = (
                override.basis,
                override.reason.strip(),
                actor,
            )
            record_event(
                actor=actor,
                action="referral.consent_overridden",
                obj=referral,
                summary=referral.case.number,
                detail={"basis": override.basis, "reason": override.reason.strip()},
            )
    now = timezone.now()
    referral.sop_route = route
    referral.consent = consent
    # Only the sending agency's own data travels: never what it was itself shown (sinergi.sharing.rules).
    may_share = sender_may_share(referral.case)
    referral.shared_sections = [section for section in route.shared_sections if section in may_share]
    referral.sent_at = now
    referral.letter_number = letter_number(
        referral.from_agency, timezone.localtime(now).year, timezone.localtime(now).month
    )
    referral.verification_token = secrets.token_urlsafe(16)
    _move(actor, referral, ReferralStatus.SENT)
    _start(referral, SlaStep.ACKNOWLEDGE, now, route.ack_within, route.ack_unit, route.escalate_after)
    _start(referral, SlaStep.DECIDE, now, route.accept_within, route.accept_unit, route.escalate_after)
    _notify_agency(
        referral.to_agency,
        referral,
        NotificationKind.REFERRAL_NEW,
        _("New referral from %(agency)s: %(case)s")
        % {"agency": referral.from_agency.name, "case": referral.case.number},
        roles=(Role.PEKERJA_SOSIAL, Role.PETUGAS, Role.SUPERVISOR),
    )
    return referral


@transaction.atomic
def acknowledge_referral(*, actor: User, referral_id: int) -> Referral:
    referral = _locked(actor, referral_id)
    _check_transition(actor, referral, ReferralStatus.ACKNOWLEDGED)
    referral.acknowledged_at = timezone.now()
    _move(actor, referral, ReferralStatus.ACKNOWLEDGED)
    _meet(referral, SlaStep.ACKNOWLEDGE)
    return referral


@transaction.atomic
def accept_referral(*, actor: User, referral_id: int) -> Referral:
    referral = _locked(actor, referral_id)
    _check_transition(actor, referral, ReferralStatus.ACCEPTED)
    now = timezone.now()
    referral.acknowledged_at = referral.acknowledged_at or now
    referral.accepted_at = now
    referral.decided_by = actor
    referral.assigned_to = referral.assigned_to or actor
    _move(actor, referral, ReferralStatus.ACCEPTED)
    _meet(referral, SlaStep.ACKNOWLEDGE)
    _meet(referral, SlaStep.DECIDE)
    route = referral.sop_route
    if route is not None:
        _start(
            referral,
            SlaStep.FIRST_SERVICE,
            now,
            route.first_service_within,
            route.first_service_unit,
            route.escalate_after,
        )
        if route.complete_within:
            _start(referral, SlaStep.COMPLETE, now, route.complete_within, route.complete_unit, route.escalate_after)
    _notify_sender(
        referral,
        NotificationKind.REFERRAL_ACCEPTED,
        _("%(agency)s accepted the referral of %(case)s")
        % {"agency": referral.to_agency.name, "case": referral.case.number},
    )
    return referral


@transaction.atomic
def reject_referral(*, actor: User, referral_id: int, reason: str) -> Referral:
    referral = _locked(actor, referral_id)
    _check_transition(actor, referral, ReferralStatus.REJECTED, reason=reason)
    referral.status_reason = reason.strip()
    referral.decided_by = actor
    referral.closed_at = timezone.now()
    _move(actor, referral, ReferralStatus.REJECTED, note=reason)
    # A rejection is a decision: it answers the acknowledge and decide clocks (on time or late, as it came).
    _meet(referral, SlaStep.ACKNOWLEDGE)
    _meet(referral, SlaStep.DECIDE)
    _stop_all(referral)
    _notify_sender(
        referral,
        NotificationKind.REFERRAL_REJECTED,
        _("%(agency)s rejected the referral of %(case)s: %(reason)s")
        % {"agency": referral.to_agency.name, "case": referral.case.number, "reason": reason.strip()[:120]},
    )
    return referral


@transaction.atomic
def log_service(*, actor: User, referral_id: int, delivered_on: date, description: str) -> ServiceRecord:
    """Record a service delivered by the receiver; the first one moves DITERIMA → DALAM_LAYANAN."""
    referral = _locked(actor, referral_id)
    if referral.to_agency_id != actor.agency_id or not actor.has_capability(Capability.HANDLE_REFERRALS):
        raise PermissionDenied(_("Only the receiving agency records services on a referral."))
    errors: dict[str, list[str]] = {}
    if not description.strip():
        errors["description"] = [_("Write what was done.")]
    if delivered_on > timezone.localdate():
        errors["delivered_on"] = [_("The service date is in the future: check it.")]
    if referral.status not in (ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE):
        raise ReferralError(
            _("Services are recorded on an accepted referral; this one is %(status)s.")
            % {"status": _label(referral.status)}
        )
    if errors:
        raise InvalidData(errors)
    record = ServiceRecord.objects.create(
        referral=referral,
        agency_id=actor.agency_id,
        delivered_on=delivered_on,
        description=description.strip(),
        by=actor,
    )
    if referral.status == ReferralStatus.ACCEPTED:
        referral.first_service_at = timezone.now()
        _move(actor, referral, ReferralStatus.IN_SERVICE)
        _meet(referral, SlaStep.FIRST_SERVICE)
    record_event(actor=actor, action="referral.service_logged", obj=referral, summary=referral.case.number)
    return record


@transaction.atomic
def complete_referral(*, actor: User, referral_id: int, outcome: str, feedback: str) -> Referral:
    referral = _locked(actor, referral_id)
    _check_transition(actor, referral, ReferralStatus.COMPLETED, outcome=outcome, feedback=feedback)
    referral.outcome, referral.feedback = outcome.strip(), feedback.strip()
    referral.closed_at = timezone.now()
    _move(actor, referral, ReferralStatus.COMPLETED)
    _meet(referral, SlaStep.COMPLETE)
    _stop_all(referral)
    _notify_sender(
        referral,
        NotificationKind.REFERRAL_COMPLETED,
        _("%(agency)s completed the referral of %(case)s")
        % {"agency": referral.to_agency.name, "case": referral.case.number},
    )
    return referral


@transaction.atomic
def fail_referral(*, actor: User, referral_id: int, reason: str) -> Referral:
    referral = _locked(actor, referral_id)
    _check_transition(actor, referral, ReferralStatus.FAILED, reason=reason)
    referral.status_reason = reason.strip()
    referral.closed_at = timezone.now()
    _move(actor, referral, ReferralStatus.FAILED, note=reason)
    _stop_all(referral)
    _notify_sender(
        referral,
        NotificationKind.REFERRAL_FAILED,
        _("The referral of %(case)s to %(agency)s failed: %(reason)s")
        % {"agency": referral.to_agency.name, "case": referral.case.number, "reason": reason.strip()[:120]},
    )
    return referral


@transaction.atomic
def revoke_referral(*, actor: User, referral_id: int, reason: str) -> Referral:
    referral = _locked(actor, referral_id)
    _check_transition(actor, referral, ReferralStatus.REVOKED, reason=reason)
    was_sent = referral.status != ReferralStatus.DRAFT
    referral.status_reason = reason.strip()
    referral.closed_at = timezone.now()
    _move(actor, referral, ReferralStatus.REVOKED, note=reason)
    _stop_all(referral)
    if was_sent:
        _notify_agency(
            referral.to_agency,
            referral,
            NotificationKind.REFERRAL_REVOKED,
            _("%(agency)s revoked the referral of %(case)s")
            % {"agency": referral.from_agency.name, "case": referral.case.number},
            roles=(Role.PEKERJA_SOSIAL, Role.PETUGAS, Role.SUPERVISOR),
        )
    return referral


@transaction.atomic
def add_referral_assessment(*, actor: User, referral_id: int, data: AssessmentData) -> Assessment:
    """The receiver's asesmen, kept by the receiver (visible to the owner of the case too)."""
    referral = _locked(actor, referral_id)
    if referral.to_agency_id != actor.agency_id or not actor.has_capability(Capability.HANDLE_REFERRALS):
        raise PermissionDenied(_("Only the receiving agency assesses on a referral."))
    if referral.status not in (ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE):
        raise ReferralError(_("Accept the referral before assessing."))
    _check_assessment(data)
    assessment = Assessment.objects.create(
        case=referral.case,
        agency_id=actor.agency_id,
        referral=referral,
        summary=data.summary.strip(),
        needs=data.needs.strip(),
        risk=data.risk,
        needs_special_assistance=data.needs_special_assistance,
        by=actor,
    )
    record_event(actor=actor, action="referral.assessed", obj=referral, summary=referral.case.number)
    return assessment


# --- the machinery -------------------------------------------------------------------------------------------


def _locked(actor: User, referral_id: int) -> Referral:
    return get_referral_for_user(actor, referral_id, write=True)


def _check_transition(
    actor: User, referral: Referral, to_status: str, *, reason: str = "", outcome: str = "", feedback: str = ""
) -> None:
    rule = REFERRAL_TRANSITIONS.get((referral.status, to_status))
    if rule is None:
        last = referral.events.select_related("by").order_by("-at", "-id").first()
        who = f" ({last.by.display_name}, {timezone.localtime(last.at):%d-%m-%Y %H:%M})" if last and last.by else ""
        raise ReferralError(
            _("This referral is already %(status)s%(who)s, so it cannot become %(to)s.")
            % {"status": _label(referral.status), "who": who, "to": _label(to_status)}
        )
    agency_id = referral.from_agency_id if rule.side == Side.SENDER else referral.to_agency_id
    if actor.agency_id != agency_id or not actor.has_capability(rule.capability):
        raise PermissionDenied(
            _("Your role or agency may not move this referral from %(from)s to %(to)s.")
            % {"from": _label(referral.status), "to": _label(to_status)}
        )
    errors: dict[str, list[str]] = {}
    if rule.needs_reason and not reason.strip():
        errors["reason"] = [_("Write the reason: the other agency reads it.")]
    if rule.needs_outcome:
        if not outcome.strip():
            errors["outcome"] = [_("Write the outcome of the service.")]
        if not feedback.strip():
            errors["feedback"] = [_("Write feedback for the sending agency.")]
    if errors:
        raise InvalidData(errors)


def _move(actor: User, referral: Referral, to_status: str, note: str = "") -> None:
    previous = referral.status
    referral.status = to_status
    referral.save()
    ReferralEvent.objects.create(
        referral=referral, from_status=previous, to_status=to_status, by=actor, note=note.strip()
    )
    record_event(
        actor=actor,
        action="referral.status_changed",
        obj=referral,
        summary=referral.case.number,
        detail={"from": previous, "to": to_status},
    )


def _start(referral: Referral, step: str, start: datetime, amount: int, unit: str, escalate_after: int) -> None:
    Deadline.objects.update_or_create(
        referral=referral,
        step=step,
        defaults={
            "started_at": start,
            "due_at": due_at(start, amount, unit),
            "met_at": None,
            "cancelled_at": None,
            "escalation_level": 0,
            "escalated_at": None,
            "escalate_after_days": escalate_after,
        },
    )


def _meet(referral: Referral, step: str) -> None:
    Deadline.objects.filter(referral=referral, step=step, met_at__isnull=True, cancelled_at__isnull=True).update(
        met_at=timezone.now()
    )


def _stop_all(referral: Referral) -> None:
    Deadline.objects.filter(referral=referral, met_at__isnull=True, cancelled_at__isnull=True).update(
        cancelled_at=timezone.now()
    )


def referral_url(referral: Referral) -> str:
    return reverse("referrals:detail", args=[referral.pk])


def _notify_agency(agency: Agency, referral: Referral, kind: str, title: str, *, roles: tuple[Role, ...]) -> None:
    users = User.objects.filter(agency=agency, is_active=True, roles__role__in=roles).distinct()
    notify(recipients=users, kind=kind, title=title, url=referral_url(referral), dedupe_key=f"{kind}:{referral.pk}")


def _notify_sender(referral: Referral, kind: str, title: str) -> None:
    """The person who sent it, whoever handles the case, and the sending agency's supervisors."""
    users = set(User.objects.filter(agency_id=referral.from_agency_id, is_active=True, roles__role=Role.SUPERVISOR))
    users.add(referral.created_by)
    if referral.case.assigned_to is not None:
        users.add(referral.case.assigned_to)
    notify(recipients=users, kind=kind, title=title, url=referral_url(referral), dedupe_key=f"{kind}:{referral.pk}")


def open_referrals_of(case: Case) -> list[Referral]:
    return list(case.referrals.filter(status__in=OPEN_REFERRAL_STATUSES))
