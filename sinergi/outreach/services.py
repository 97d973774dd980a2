"""Every write to outreach: permission, validation, the audit event, in one transaction.

A follow-up becomes a case through the cases service (the worker confirms a prefilled intake) or an enrolment
through the programmes service (origin: outreach); the follow-up keeps the link, so the event lists what came
of it. Refusals use the project's vocabulary: InvalidData per field, OutreachError for the state,
PermissionDenied for the role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.audit.events import record_event
from sinergi.cases.models import Case
from sinergi.cases.services import CaseData, open_case
from sinergi.outreach.models import (
    AgeGroup,
    AttendeeCount,
    AttendeeSex,
    FollowUp,
    FollowUpKind,
    FollowUpStatus,
    NamedAttendee,
    OutreachEvent,
    TargetGroup,
)
from sinergi.outreach.selectors import get_event_for_user, get_follow_up_for_user
from sinergi.programmes.models import OriginKind, ProgrammeType
from sinergi.programmes.services import EnrolmentResult, enrol_person
from sinergi.programmes.workflow import is_worker
from sinergi.regions.models import Region
from sinergi.registry.services import InvalidData
from sinergi.sharing.selectors import own_person_for


class OutreachError(Exception):
    """A refused step; the message says why and what to do."""


def _require_worker(actor: User) -> None:
    if not is_worker(actor) or actor.agency_id is None:
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


@dataclass
class EventData:
    held_on: date
    place: str
    topic: str
    target_group: str
    counsellor_id: int
    region_code: str = ""
    materials: str = ""
    # (sex, age group) → how many came
    counts: dict[tuple[str, str], int] = field(default_factory=dict)


@transaction.atomic
def record_event_held(*, actor: User, data: EventData) -> OutreachEvent:
    """Record an outreach event of the actor's agency with its attendance counts."""
    _require_worker(actor)
    errors: dict[str, list[str]] = {}
    if data.held_on > timezone.localdate():
        _add(errors, "held_on", _("Record an event after it took place: the date is in the future."))
    if not data.place.strip():
        _add(errors, "place", _("Write where the event took place."))
    if not data.topic.strip():
        _add(errors, "topic", _("Write the topic."))
    if data.target_group not in TargetGroup.values:
        _add(errors, "target_group", _("Choose the target group."))
    if data.region_code and not Region.objects.filter(code=data.region_code).exists():
        _add(errors, "region_code", _("Choose the region from the list."))
    counsellor = User.objects.filter(pk=data.counsellor_id, agency_id=actor.agency_pk, is_active=True).first()
    if counsellor is None:
        _add(errors, "counsellor_id", _("The counsellor is staff of your agency."))
    for (sex, age), count in data.counts.items():
        if sex not in AttendeeSex.values or age not in AgeGroup.values or count < 0:
            _add(errors, "counts", _("Counts are whole numbers, 0 or more, per sex and age group."))
            break
    if errors:
        raise InvalidData(errors)
    assert counsellor is not None
    event = OutreachEvent.objects.create(
        agency_id=actor.agency_pk,
        held_on=data.held_on,
        region_id=data.region_code or None,
        place=data.place.strip(),
        topic=data.topic.strip(),
        target_group=data.target_group,
        counsellor=counsellor,
        materials=data.materials.strip(),
        created_by=actor,
    )
    AttendeeCount.objects.bulk_create(
        AttendeeCount(event=event, sex=sex, age_group=age, count=count)
        for (sex, age), count in data.counts.items()
        if count
    )
    record_event(
        actor=actor,
        action="outreach.event_recorded",
        obj=event,
        summary=event.topic,
        detail={"attendees": sum(data.counts.values())},
    )
    return event


@transaction.atomic
def add_named_attendee(*, actor: User, event_id: int, name: str, phone: str, agreed: bool) -> NamedAttendee:
    """A name is kept only when the person agreed to it (UU PDP)."""
    event = get_event_for_user(actor, event_id)
    _require_worker(actor)
    errors: dict[str, list[str]] = {}
    if not agreed:
        _add(errors, "agreed", _("Names are kept only for those who agree. Count the others by sex and age group."))
    if not name.strip():
        _add(errors, "name", _("Write the name."))
    if errors:
        raise InvalidData(errors)
    attendee = NamedAttendee.objects.create(
        event=event, name=name.strip(), phone=phone.strip(), agreed=True, recorded_by=actor
    )
    record_event(actor=actor, action="outreach.attendee_named", obj=event, summary=event.topic)
    return attendee


@dataclass
class FollowUpData:
    kind: str
    description: str
    person_id: int | None = None
    reporter_name: str = ""
    reporter_contact: str = ""
    programme_type: str = ""
    category_codes: list[str] = field(default_factory=list)


@transaction.atomic
def raise_follow_up(*, actor: User, event_id: int, data: FollowUpData) -> FollowUp:
    event = get_event_for_user(actor, event_id)
    _require_worker(actor)
    errors: dict[str, list[str]] = {}
    if data.kind not in FollowUpKind.values:
        _add(errors, "kind", _("Choose what the follow-up is for: a case or a programme."))
    if not data.description.strip():
        _add(errors, "description", _("Write what was raised."))
    if data.kind == FollowUpKind.ENROLMENT and data.programme_type not in ProgrammeType.values:
        _add(errors, "programme_type", _("Choose the programme the person wants."))
    if errors:
        raise InvalidData(errors)
    person = own_person_for(actor, data.person_id) if data.person_id else None
    follow_up = FollowUp.objects.create(
        event=event,
        kind=data.kind,
        person=person,
        reporter_name=data.reporter_name.strip(),
        reporter_contact=data.reporter_contact.strip(),
        description=data.description.strip(),
        programme_type=data.programme_type if data.kind == FollowUpKind.ENROLMENT else "",
        category_codes=list(data.category_codes),
        created_by=actor,
    )
    record_event(
        actor=actor, action="outreach.follow_up_raised", obj=follow_up, summary=event.topic, detail={"kind": data.kind}
    )
    return follow_up


@transaction.atomic
def set_follow_up_person(*, actor: User, follow_up_id: int, person_id: int) -> FollowUp:
    """Name the registered person the follow-up is about (after searching or registering them)."""
    follow_up = get_follow_up_for_user(actor, follow_up_id, write=True)
    _require_worker(actor)
    if follow_up.status == FollowUpStatus.DONE:
        raise OutreachError(_("This follow-up is done: its person can no longer change."))
    follow_up.person = own_person_for(actor, person_id)
    follow_up.save(update_fields=["person"])
    record_event(actor=actor, action="outreach.follow_up_person", obj=follow_up, summary=str(follow_up.person_id))
    return follow_up


def _open(follow_up: FollowUp) -> None:
    if follow_up.status == FollowUpStatus.DONE:
        led_to = (
            follow_up.case.number if follow_up.case else str(follow_up.enrolment.cohort) if follow_up.enrolment else ""
        )
        raise OutreachError(_("This follow-up is done already (%(what)s).") % {"what": led_to})
    if follow_up.person_id is None:
        raise OutreachError(_("Choose or register the person this follow-up is about first."))


def case_intake_initial(follow_up: FollowUp) -> dict[str, object]:
    """What the intake form starts from: the person, the reporter (family, usually) and what they said."""
    initial: dict[str, object] = {
        "person": follow_up.person_id,
        "channel": "LAINNYA",
        "complainant_type": "KELUARGA" if follow_up.reporter_name else "PMI",
        "complainant_name": follow_up.reporter_name,
        "complainant_contact": follow_up.reporter_contact,
        "categories": list(follow_up.category_codes),
        "phase": "SELAMA",
        "narrative": _("Raised at the outreach event “%(topic)s” on %(date)s, %(place)s: %(text)s")
        % {
            "topic": follow_up.event.topic,
            "date": follow_up.event.held_on.strftime("%d-%m-%Y"),
            "place": follow_up.event.place,
            "text": follow_up.description,
        },
    }
    return initial


@transaction.atomic
def open_case_from_follow_up(*, actor: User, follow_up_id: int, data: CaseData) -> Case:
    """The worker confirmed the prefilled intake: open the case (cases service) and link it to the follow-up."""
    follow_up = get_follow_up_for_user(actor, follow_up_id, write=True)
    _open(follow_up)
    if data.person_id != follow_up.person_id:
        raise OutreachError(_("The case must be about the follow-up's person."))
    case = open_case(actor=actor, data=data)
    follow_up.case, follow_up.status, follow_up.resolved_at = case, FollowUpStatus.DONE, timezone.now()
    follow_up.save(update_fields=["case", "status", "resolved_at"])
    record_event(actor=actor, action="outreach.follow_up_case", obj=follow_up, summary=case.number)
    return case


@transaction.atomic
def enrol_from_follow_up(*, actor: User, follow_up_id: int, cohort_id: int) -> EnrolmentResult:
    """One action: enrol the follow-up's person (programmes service, origin outreach) and link the enrolment."""
    follow_up = get_follow_up_for_user(actor, follow_up_id, write=True)
    _open(follow_up)
    assert follow_up.person_id is not None
    result = enrol_person(
        actor=actor,
        cohort_id=cohort_id,
        person_id=follow_up.person_id,
        origin_kind=OriginKind.OUTREACH,
        origin_ref=f"penyuluhan-{follow_up.event_id}/tindak-lanjut-{follow_up.pk}",
    )
    follow_up.enrolment, follow_up.status, follow_up.resolved_at = result.enrolment, FollowUpStatus.DONE, timezone.now()
    follow_up.save(update_fields=["enrolment", "status", "resolved_at"])
    record_event(actor=actor, action="outreach.follow_up_enrolled", obj=follow_up, summary=str(result.enrolment.cohort))
    return result
