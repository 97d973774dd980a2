"""Data-subject requests (UU 27/2022 PDP): every write, with its permission check, validation and audit event.

`receive_request` logs a request and starts its legal clock, `start_request` and `answer_request` move it
(``workflow.py``); granting applies it: a correction through ``registry.services.update_person``, a restriction
as a `Restriction` the sharing rule reads, an erasure through ``erasure.anonymise_person``. `export_subject_data`
is the access export.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.roles import Capability
from sinergi.audit.events import record_event
from sinergi.privacy import deadlines, erasure
from sinergi.privacy.models import (
    Channel,
    Outcome,
    Reminder,
    Requester,
    RequestKind,
    RequestStatus,
    Restriction,
    SubjectRequest,
)
from sinergi.privacy.selectors import active_restriction, get_request_for_user, may_receive
from sinergi.privacy.subject_access import collect
from sinergi.privacy.workflow import NEEDS_REASON, OUTCOMES, TRANSITIONS, may_answer
from sinergi.registry.selectors import get_person_for_user
from sinergi.registry.services import InvalidData

if TYPE_CHECKING:
    from sinergi.accounts.models import User
    from sinergi.registry.models import Person

FORMAT_VERSION = 1


def subject_person_for(actor: User, person_id: int) -> Person:
    """The agency's own person, for a supervisor or administrator; 404 otherwise (another agency's person, even
    one shared by a referral, is that agency's to export)."""
    if not actor.has_capability(Capability.ANSWER_SUBJECT_REQUESTS):
        raise Http404
    person = get_person_for_user(actor, person_id)
    if person.registered_by_agency_id != actor.agency_id:
        raise Http404
    return person


def export_subject_data(*, actor: User, person_id: int, file_format: str) -> dict[str, Any]:
    """Everything the actor's agency holds about the person, as one JSON-ready dict; the export is audited
    (who, when, which format) and the event appears in the person's own access log from the next export on."""
    person = subject_person_for(actor, person_id)
    data = collect(person)
    record_event(
        actor=actor,
        action="person.subject_access_exported",
        obj=person,
        summary=person.full_name,
        detail={"format": file_format, "records": sum(len(rows) for rows in data.values())},
    )
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "controller": str(actor.agency),
        "person_id": person.pk,
        "scope": "Everything this agency holds about the person; other agencies answer for their own records.",
        **data,
    }


# --- requests ------------------------------------------------------------------------------------------------

# What a correction request may change, and how its proposed value is read (registry validation checks it again).
CORRECTABLE_FIELDS: dict[str, str] = {
    "full_name": "text",
    "sex": "text",
    "birth_date": "date",
    "birth_place": "text",
    "nik": "text",
    "region_code": "text",
    "address_text": "text",
}


@dataclass(frozen=True)
class RequestData:
    kind: str
    channel: str
    identity_check: str
    requester: str = Requester.SELF
    requester_name: str = ""
    details: str = ""
    field: str = ""
    proposed_value: str = ""
    received_at: datetime | None = None  # now when empty (a letter may have arrived earlier)


def answerers_of(agency_id: int) -> Any:
    from sinergi.accounts.models import User
    from sinergi.accounts.roles import CAPABILITIES

    roles = CAPABILITIES[Capability.ANSWER_SUBJECT_REQUESTS]
    return User.objects.filter(agency_id=agency_id, is_active=True, roles__role__in=roles).distinct()


def request_url(request: SubjectRequest) -> str:
    return reverse("privacy:request_detail", args=[request.pk])


def own_person_for_request(actor: User, person_id: int) -> Person:
    """The agency's own (unmerged) person a request is about; 404 for anyone else's."""
    return _own_person(actor, person_id)


def _own_person(actor: User, person_id: int) -> Person:
    person = get_person_for_user(actor, person_id)
    if person.registered_by_agency_id != actor.agency_id or person.merged_into_id is not None:
        raise Http404
    return person


def _check(data: RequestData, now: datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if data.kind not in RequestKind.values:
        errors["kind"] = [_("Choose what is asked: access, correction, restriction or erasure.")]
    if data.channel not in Channel.values:
        errors["channel"] = [_("Choose how the request arrived: in person, letter, phone/WhatsApp or email.")]
    if data.requester not in Requester.values:
        errors["requester"] = [_("Choose who asked: the person, a parent or guardian, or a proxy.")]
    elif data.requester != Requester.SELF and not data.requester_name.strip():
        errors["requester_name"] = [_("Write the name of the parent, guardian or proxy who asked.")]
    if not data.identity_check.strip():
        errors["identity_check"] = [
            _("Write how the asker's identity (and a guardian's or proxy's authority) was checked.")
        ]
    if data.received_at is not None and data.received_at > now:
        errors["received_at"] = [_("The request cannot have been received in the future.")]
    if data.kind == RequestKind.CORRECTION:
        if data.field not in CORRECTABLE_FIELDS:
            errors["field"] = [_("Choose the field to correct.")]
        if not data.proposed_value.strip():
            errors["proposed_value"] = [_("Write the correct value the person gave.")]
    for name in ("identity_check", "requester_name", "proposed_value"):
        if len(getattr(data, name)) > 300:
            errors.setdefault(name, []).append(_("Shorten this to 300 characters at most."))
    return errors


@transaction.atomic
def receive_request(*, actor: User, person_id: int, data: RequestData) -> SubjectRequest:
    """Log a request about one of the agency's own persons and start its legal clock; those who answer are
    notified once."""
    if not may_receive(actor):
        raise PermissionDenied(_("Your role does not allow recording data-subject requests."))
    person = _own_person(actor, person_id)
    now = timezone.now()
    errors = _check(data, now)
    if person.is_minor and data.requester == Requester.SELF:
        # UU PDP Pasal 25: a child's data is handled with the parent or guardian.
        errors.setdefault("requester", []).append(
            _("This person is a child: the request is made by a parent or guardian. Choose who asked.")
        )
    if errors:
        raise InvalidData(errors)
    received_at = data.received_at or now
    correction = data.kind == RequestKind.CORRECTION
    request = SubjectRequest.objects.create(
        person=person,
        agency_id=actor.agency_pk,
        kind=data.kind,
        received_at=received_at,
        channel=data.channel,
        requester=data.requester,
        requester_name=data.requester_name.strip() if data.requester != Requester.SELF else "",
        identity_check=data.identity_check.strip(),
        details=data.details.strip(),
        field=data.field if correction else "",
        proposed_value=data.proposed_value.strip() if correction else "",
        due_at=deadlines.due_at(data.kind, received_at),
        basis=deadlines.PERIODS[data.kind].basis,
        received_by=actor,
    )
    record_event(
        actor=actor,
        action="subject_request.received",
        obj=request,
        summary=f"{request.get_kind_display()} #{request.pk}",
        detail={
            "person": person.pk,
            "kind": request.kind,
            "channel": request.channel,
            "due": request.due_at.isoformat(),
        },
    )
    _notify(request, "received")
    return request


def _locked(actor: User, request_id: int) -> SubjectRequest:
    request = get_request_for_user(actor, request_id, write=True)
    if not may_answer(actor, request):
        raise PermissionDenied(_("Only the head or the administrator of the agency answers data-subject requests."))
    return request


def _move(request: SubjectRequest, to: str) -> None:
    if to not in TRANSITIONS[request.status]:
        raise InvalidData({"status": [_("This request was already answered.")]})


@transaction.atomic
def start_request(*, actor: User, request_id: int) -> SubjectRequest:
    request = _locked(actor, request_id)
    _move(request, RequestStatus.IN_PROGRESS)
    request.status = RequestStatus.IN_PROGRESS
    request.save(update_fields=["status"])
    record_event(actor=actor, action="subject_request.started", obj=request, summary=str(request))
    return request


@transaction.atomic
def answer_request(*, actor: User, request_id: int, outcome: str, answer: str = "", reason: str = "") -> SubjectRequest:
    """Answer the request in writing. Granting applies it (see the module doc); a partial grant or a refusal needs
    a written reason. Everything happens in one transaction: if applying fails, nothing is answered."""
    request = _locked(actor, request_id)
    _move(request, RequestStatus.ANSWERED)
    if outcome not in OUTCOMES[request.kind]:
        choices = ", ".join(str(Outcome(value).label) for value in OUTCOMES[request.kind])
        raise InvalidData({"outcome": [_("Choose the outcome: %(choices)s.") % {"choices": choices}]})
    reason = reason.strip()
    if outcome in NEEDS_REASON and not reason:
        raise InvalidData({"reason": [_("Write the reason: the person is told in writing why (UU PDP).")]})
    change: dict[str, Any] = {}
    if outcome in (Outcome.GRANTED, Outcome.PARTLY):
        change = _apply(actor, request, outcome, answer.strip() or reason)
    request.status = RequestStatus.ANSWERED
    request.outcome = outcome
    request.answer = answer.strip()
    request.reason = reason
    request.change = change
    request.answered_at = timezone.now()
    request.answered_by = actor
    request.save()
    record_event(
        actor=actor,
        action="subject_request.answered",
        obj=request,
        summary=f"{request} · {request.get_outcome_display()}",
        detail={
            "person": request.person_id,
            "kind": request.kind,
            "outcome": outcome,
            "late": request.answered_at > request.due_at,
            "change": change if request.kind != RequestKind.CORRECTION else {"field": change.get("field")},
        },
    )
    return request


def _apply(actor: User, request: SubjectRequest, outcome: str, note: str) -> dict[str, Any]:
    if request.kind == RequestKind.CORRECTION:
        return _apply_correction(actor, request)
    if request.kind == RequestKind.RESTRICTION:
        return _restrict(actor, request, note)
    if request.kind == RequestKind.ERASURE:
        return _erase(actor, request)
    return {}


def _parsed(field: str, value: str) -> Any:
    value = value.strip()
    if CORRECTABLE_FIELDS[field] == "date":
        for pattern in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
            try:
                return datetime.strptime(value, pattern).date()  # noqa: DTZ007 (a calendar date, no time)
            except ValueError:
                continue
        raise InvalidData({"proposed_value": [_("Write the date as DD-MM-YYYY, e.g. 17-08-1990.")]})
    return value


def _shown(value: Any) -> str:
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return "" if value is None else str(value)


def _apply_correction(actor: User, request: SubjectRequest) -> dict[str, Any]:
    from sinergi.registry.services import merged, person_data_of, update_person

    if not actor.has_capability(Capability.EDIT_PERSONS):
        raise PermissionDenied(_("Your role cannot change person records: ask the head of the agency to answer."))
    person = request.person
    before = person_data_of(person)
    new_value = _parsed(request.field, request.proposed_value)
    try:
        update_person(
            actor=actor,
            person_id=person.pk,
            data=merged(before, **{request.field: new_value}),
            expected_version=person.version,
        )
    except InvalidData as error:
        # The registry's message names the field; the answerer fixes the proposed value (or refuses).
        messages = [message for values in error.errors.values() for message in values]
        raise InvalidData({"proposed_value": messages}) from error
    return {
        "field": request.field,
        "before": _shown(getattr(before, request.field)),
        "after": _shown(new_value),
    }


def _restrict(actor: User, request: SubjectRequest, note: str) -> dict[str, Any]:
    existing = active_restriction(request.person_id)
    if existing is not None:
        return {"restriction": existing.pk, "already": True}
    restriction = Restriction.objects.create(
        person_id=request.person_id,
        request=request,
        reason=note or request.details or str(request),
        created_by=actor,
    )
    record_event(
        actor=actor,
        action="person.restricted",
        obj=request.person,
        summary=f"#{request.person_id}",
        detail={"request": request.pk, "restriction": restriction.pk},
    )
    return {"restriction": restriction.pk}


def _erase(actor: User, request: SubjectRequest) -> dict[str, Any]:
    from sinergi.changes.feed import record_person_change
    from sinergi.changes.models import ChangeOp

    try:
        counts = erasure.anonymise_person(request.person_id)
    except erasure.ErasureNotAllowed as error:
        raise InvalidData(
            {
                "outcome": [
                    _(
                        "The law requires keeping some records, so the person cannot be erased now. "
                        "Refuse with the reason:"
                    )
                    + "\n"
                    + error.plan.refusal_text()
                ]
            }
        ) from error
    person = request.person
    person.refresh_from_db()
    record_person_change(person, ChangeOp.UPDATED)
    record_event(
        actor=actor,
        action="person.anonymised",
        obj=person,
        summary=f"#{person.pk}",
        detail={"request": request.pk, "counts": counts},
    )
    return {"anonymised": counts}


@transaction.atomic
def lift_restriction(*, actor: User, person_id: int, reason: str) -> Restriction:
    if not actor.has_capability(Capability.ANSWER_SUBJECT_REQUESTS):
        raise PermissionDenied(_("Only the head or the administrator of the agency lifts a restriction."))
    person = _own_person(actor, person_id)
    if not reason.strip():
        raise InvalidData({"reason": [_("Write why the restriction is lifted (e.g. the person asked for it).")]})
    restriction = Restriction.objects.select_for_update().filter(person=person, lifted_at__isnull=True).first()
    if restriction is None:
        raise InvalidData({"__all__": [_("This person's processing is not restricted.")]})
    restriction.lifted_at = timezone.now()
    restriction.lifted_by = actor
    restriction.lift_reason = reason.strip()
    restriction.save()
    record_event(
        actor=actor,
        action="person.restriction_lifted",
        obj=person,
        summary=f"#{person.pk}",
        detail={"restriction": restriction.pk},
    )
    return restriction


def erasure_plan_for(*, actor: User, person_id: int) -> erasure.ErasurePlan:
    """The dry run, for those who answer requests (nothing is written, nothing audited)."""
    return erasure.plan_erasure(subject_person_for(actor, person_id))


# --- the clock's notifications ---------------------------------------------------------------------------------

_TITLES = {
    "received": "Permohonan subjek data baru: %(kind)s, batas %(due)s",
    "day_left": "Sisa 24 jam: permohonan subjek data %(kind)s, batas %(due)s",
    "overdue": "Terlambat: permohonan subjek data %(kind)s, batas %(due)s",
}


def _notify(request: SubjectRequest, step: str) -> None:
    from sinergi.notifications.models import NotificationKind
    from sinergi.notifications.services import notify

    kind = NotificationKind.TASK if step == "received" else NotificationKind.OVERDUE
    title = _TITLES[step] % {
        "kind": request.get_kind_display(),
        "due": timezone.localtime(request.due_at).strftime("%d-%m-%Y %H:%M"),
    }
    notify(
        recipients=answerers_of(request.agency_id),
        kind=kind,
        title=title,
        url=request_url(request),
        dedupe_key=f"subject-request:{request.pk}:{step}",
    )


def _claim(request: SubjectRequest, from_level: int, to_level: int) -> bool:
    """The conditional UPDATE that makes each reminder happen once, however many checks run at the same time."""
    claimed = SubjectRequest.objects.filter(
        pk=request.pk, reminder=from_level, status__in=(RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)
    ).update(reminder=to_level)
    return bool(claimed)


@dataclass
class ClockReport:
    day_left: int = 0
    overdue: int = 0


def check_request_deadlines(now: datetime | None = None) -> ClockReport:
    """Notify those who answer when 24 hours are left and when a request is overdue, each exactly once.
    Run by `sinergi subject_requests check` (cron or --every) like the referral SLA check."""
    moment = now or timezone.now()
    report = ClockReport()
    near = SubjectRequest.objects.filter(
        status__in=(RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS),
        reminder__lt=Reminder.OVERDUE,
        due_at__lte=moment + deadlines.REMIND_BEFORE,
    )
    for request in near:
        with transaction.atomic():
            if request.due_at <= moment:
                if _claim(request, request.reminder, Reminder.OVERDUE):
                    _notify(request, "overdue")
                    record_event(
                        actor=None,
                        action="subject_request.overdue",
                        obj=request,
                        summary=str(request),
                        detail={"due": request.due_at.isoformat()},
                    )
                    report.overdue += 1
            elif request.reminder == Reminder.RECEIVED and _claim(request, Reminder.RECEIVED, Reminder.DAY_LEFT):
                _notify(request, "day_left")
                report.day_left += 1
    return report


@task()
def check_request_deadlines_task() -> dict[str, int]:
    """The same check as a Django task, for deployments that enqueue it from their scheduler."""
    report = check_request_deadlines()
    return {"day_left": report.day_left, "overdue": report.overdue}
