"""Every write to programmes: permission, validation, the transition table, the audit event, in one transaction.

Refusals: `InvalidData` (field by field, what to fix), `ProgrammeError` (the state does not allow it; the message
says why and what to do), `PermissionDenied` (the role or agency may not), 404 from the selectors.
Repeated requests are harmless: a tick recorded again, a check-in scanned twice, a cohort closed twice change
nothing.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from dateutil.rrule import rrule, rrulestr  # type: ignore[import-untyped]
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import Agency, User
from sinergi.audit.events import record_event
from sinergi.cases.uploads import check_upload, extension
from sinergi.notifications.models import NotificationKind
from sinergi.notifications.services import notify
from sinergi.programmes import eligibility
from sinergi.programmes.models import (
    ACTIVE_ENROLMENT_STATUSES,
    FOLLOW_UP_MONTHS,
    Attendance,
    Business,
    BusinessCheck,
    Certificate,
    CheckKind,
    Cohort,
    CohortSession,
    CurriculumItem,
    Enrolment,
    EnrolmentStatus,
    MentoringVisit,
    OriginKind,
    Programme,
    ProgrammeType,
)
from sinergi.programmes.selectors import (
    add_months,
    follow_up_tasks,
    get_business_for_user,
    get_cohort_for_user,
    get_enrolment_for_user,
    get_programme_for_user,
    get_session_for_user,
    programmes_visible_to,
)
from sinergi.programmes.workflow import (
    ENROLMENT_TRANSITIONS,
    Action,
    is_worker,
    may,
    may_enrol,
    may_manage_programme,
    may_record_attendance,
)
from sinergi.regions.models import Region
from sinergi.registry.services import InvalidData
from sinergi.sharing.selectors import own_person_for

MAX_COHORTS_AT_ONCE = 12
CHECKIN_SALT = "sinergi.programmes.checkin"
LICENCES = ("NIB", "HALAL", "PIRT", "BPOM", "HKI")
PHOTO_EXTENSIONS = (".jpg", ".jpeg", ".png")


class ProgrammeError(Exception):
    """A refused step (the state does not allow it); the message says why and what to do."""


def _refuse_role() -> PermissionDenied:
    return PermissionDenied(_("Your role or agency may not do this in this programme. Ask the owner agency."))


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


# --- the catalogue --------------------------------------------------------------------------------------------


@dataclass
class CurriculumLine:
    topic: str
    hours: Decimal = Decimal(6)
    day_offset: int = 0


@dataclass
class ProgrammeData:
    name: str
    programme_type: str
    description: str = ""
    returned_within_years: int | None = 5
    family_members: bool = True
    capacity: int = 20
    completion_percent: int = 80
    recurrence: str = ""
    first_start: date | None = None
    partner_agency_ids: list[int] = field(default_factory=list)
    curriculum: list[CurriculumLine] = field(default_factory=list)


def _rule(rule: str, start: date) -> rrule:
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    parsed = rrulestr(text, dtstart=datetime.combine(start, time()))
    if not isinstance(parsed, rrule):
        raise ValueError("one RRULE only")
    return parsed


def parse_recurrence(rule: str, start: date) -> list[date]:
    """The first start dates of an RRULE from `start` (at most MAX_COHORTS_AT_ONCE); ValueError when invalid."""
    return [
        occurrence.date()
        for occurrence in _rule(rule, start).xafter(
            datetime.combine(start, time()), count=MAX_COHORTS_AT_ONCE, inc=True
        )
    ]


def next_starts(rule: str, first_start: date, after: date | None, count: int) -> list[date]:
    """The rule's next `count` dates after `after` (from `first_start` when there is no cohort yet)."""
    begin = datetime.combine(after or first_start, time())
    return [occurrence.date() for occurrence in _rule(rule, first_start).xafter(begin, count=count, inc=after is None)]


def _check_programme(data: ProgrammeData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        _add(errors, "name", _("Write the programme's name."))
    if data.programme_type not in ProgrammeType.values:
        _add(
            errors,
            "programme_type",
            _("Choose the programme type: one of %(v)s.") % {"v": ", ".join(ProgrammeType.values)},
        )
    if not 1 <= data.capacity <= 500:
        _add(errors, "capacity", _("The capacity is a number of places from 1 to 500."))
    if not 1 <= data.completion_percent <= 100:
        _add(errors, "completion_percent", _("Completion needs 1 to 100 percent of the sessions."))
    if data.returned_within_years is not None and not 1 <= data.returned_within_years <= 30:
        _add(
            errors,
            "returned_within_years",
            _("Write the number of years since return, from 1 to 30, or leave it empty."),
        )
    if data.recurrence.strip():
        try:
            parse_recurrence(data.recurrence, data.first_start or timezone.localdate())
        except (ValueError, TypeError):
            _add(
                errors,
                "recurrence",
                _("This is not an iCalendar RRULE: write e.g. FREQ=MONTHLY;INTERVAL=3 (every quarter)."),
            )
        if data.first_start is None:
            _add(errors, "first_start", _("Give the first cohort's start date for the recurrence."))
    if not data.curriculum:
        _add(errors, "curriculum", _("Add at least one session to the curriculum: a topic and its hours."))
    for line in data.curriculum:
        if not line.topic.strip() or not Decimal(0) < line.hours <= Decimal(24) or not 0 <= line.day_offset <= 365:
            _add(errors, "curriculum", _("Each session needs a topic, 0.5 to 24 hours and a day from 1 to 366."))
            break
    return errors


@transaction.atomic
def create_programme(*, actor: User, data: ProgrammeData) -> Programme:
    """A programme of the actor's agency, with its eligibility rule and curriculum."""
    if not is_worker(actor) or actor.agency_id is None:
        raise _refuse_role()
    errors = _check_programme(data)
    partners = list(Agency.objects.filter(pk__in=data.partner_agency_ids, is_active=True).exclude(pk=actor.agency_id))
    if len(partners) != len(set(data.partner_agency_ids) - {actor.agency_id}):
        _add(errors, "partner_agency_ids", _("Choose partner agencies from the list."))
    if errors:
        raise InvalidData(errors)
    rule = eligibility.EligibilityRule(data.returned_within_years, data.family_members)
    programme = Programme.objects.create(
        agency_id=actor.agency_id,
        name=data.name.strip(),
        programme_type=data.programme_type,
        description=data.description.strip(),
        eligibility=rule.as_data(),
        capacity=data.capacity,
        completion_percent=data.completion_percent,
        recurrence=data.recurrence.strip(),
        first_start=data.first_start,
        created_by=actor,
    )
    programme.partner_agencies.set(partners)
    CurriculumItem.objects.bulk_create(
        CurriculumItem(
            programme=programme, position=i, topic=line.topic.strip(), hours=line.hours, day_offset=line.day_offset
        )
        for i, line in enumerate(data.curriculum, 1)
    )
    record_event(actor=actor, action="programme.created", obj=programme, summary=programme.name)
    return programme


# --- cohorts --------------------------------------------------------------------------------------------------


@dataclass
class CohortPlan:
    count: int = 1
    region_code: str = ""
    place: str = ""
    capacity: int | None = None  # the programme's by default
    facilitator_ids: list[int] = field(default_factory=list)
    starts_on: date | None = None  # one cohort on this date instead of the recurrence's next dates


def _check_plan(actor: User, programme: Programme, plan: CohortPlan) -> tuple[dict[str, list[str]], list[User]]:
    errors: dict[str, list[str]] = {}
    if not 1 <= plan.count <= MAX_COHORTS_AT_ONCE:
        _add(errors, "count", _("Plan 1 to %(max)d cohorts at a time.") % {"max": MAX_COHORTS_AT_ONCE})
    if plan.region_code and not Region.objects.filter(code=plan.region_code).exists():
        _add(errors, "region_code", _("Choose the venue's region from the list."))
    if plan.capacity is not None and not 1 <= plan.capacity <= 500:
        _add(errors, "capacity", _("The capacity is a number of places from 1 to 500."))
    if plan.starts_on is None and not programme.recurrence:
        _add(errors, "starts_on", _("This programme has no recurrence: give the cohort's start date."))
    agencies = {programme.agency_id, *programme.partner_agencies.values_list("pk", flat=True)}
    facilitators = list(User.objects.filter(pk__in=plan.facilitator_ids, is_active=True, agency_id__in=agencies))
    if len(facilitators) != len(set(plan.facilitator_ids)):
        _add(errors, "facilitator_ids", _("Facilitators are staff of the owner or a partner agency."))
    return errors, facilitators


@transaction.atomic
def schedule_cohorts(*, actor: User, programme_id: int, plan: CohortPlan) -> list[Cohort]:
    """The programme's next cohorts: on the recurrence's next dates after the last cohort (or on `starts_on`),
    each with one session per curriculum item."""
    programme = get_programme_for_user(actor, programme_id)
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    if not may_manage_programme(actor, programme):
        raise _refuse_role()
    errors, facilitators = _check_plan(actor, programme, plan)
    if errors:
        raise InvalidData(errors)
    last = programme.cohorts.order_by("-sequence").first()
    if plan.starts_on is not None:
        starts = [plan.starts_on]
    else:
        assert programme.first_start is not None
        starts = next_starts(programme.recurrence, programme.first_start, last.starts_on if last else None, plan.count)
        if not starts:
            raise ProgrammeError(_("The recurrence has no further dates: plan a cohort on a date of your choice."))
    items = list(programme.curriculum.all())
    span = max((item.day_offset for item in items), default=0)
    sequence = last.sequence if last is not None else 0
    cohorts = []
    for start in starts:
        sequence += 1
        cohort = Cohort.objects.create(
            programme=programme,
            sequence=sequence,
            starts_on=start,
            ends_on=start + timedelta(days=span),
            region_id=plan.region_code or None,
            place=plan.place.strip(),
            capacity=plan.capacity or programme.capacity,
        )
        cohort.facilitators.set(facilitators)
        CohortSession.objects.bulk_create(
            CohortSession(
                cohort=cohort,
                position=item.position,
                date=start + timedelta(days=item.day_offset),
                topic=item.topic,
                hours=item.hours,
            )
            for item in items
        )
        cohorts.append(cohort)
    record_event(
        actor=actor,
        action="programme.cohorts_scheduled",
        obj=programme,
        summary=programme.name,
        detail={"cohorts": [c.pk for c in cohorts], "starts": [c.starts_on.isoformat() for c in cohorts]},
    )
    return cohorts


# --- enrolment ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentResult:
    enrolment: Enrolment
    waitlisted: bool

    def message(self) -> str:
        name = self.enrolment.person.full_name
        if self.waitlisted:
            return _(
                "The cohort is full: %(name)s is on the waitlist (place %(n)d). They get a place when one frees up."
            ) % {
                "name": name,
                "n": waitlist_position(self.enrolment),
            }
        return _("%(name)s is enrolled.") % {"name": name}


def waitlist_position(enrolment: Enrolment) -> int:
    return (
        Enrolment.objects.filter(
            cohort_id=enrolment.cohort_id, status=EnrolmentStatus.WAITLISTED, enrolled_at__lte=enrolment.enrolled_at
        )
        .exclude(enrolled_at=enrolment.enrolled_at, id__gt=enrolment.pk)
        .count()
    )


def _enrolled_count(cohort: Cohort) -> int:
    return cohort.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()


@transaction.atomic
def enrol_person(
    *, actor: User, cohort_id: int, person_id: int, origin_kind: str = OriginKind.MANUAL, origin_ref: str = ""
) -> EnrolmentResult:
    """Enrol a person the actor may see in a cohort; past capacity the person goes on the waitlist.

    Refused: a person already in the cohort (ProgrammeError naming their status), a person the rule does not
    admit (ProgrammeError with the reason, judged on the cohort's first day), a cohort whose completion is decided.
    """
    cohort = get_cohort_for_user(actor, cohort_id, write=True)
    if not may_enrol(actor, cohort.programme):
        raise _refuse_role()
    if origin_kind not in OriginKind.values:
        raise InvalidData({"origin_kind": [_("The origin is one of %(v)s.") % {"v": ", ".join(OriginKind.values)}]})
    # An enrolment is the agency's own record, seen by every agency of the programme: own persons only.
    person = own_person_for(actor, person_id)
    existing = cohort.enrolments.filter(person=person, status__in=ACTIVE_ENROLMENT_STATUSES).first()
    if existing is not None:
        raise ProgrammeError(
            _("%(name)s is already in this cohort (%(status)s) since %(date)s: nobody is enrolled twice.")
            % {
                "name": person.full_name,
                "status": EnrolmentStatus(existing.status).label,
                "date": timezone.localtime(existing.enrolled_at).strftime("%d-%m-%Y"),
            }
        )
    # Enrolment stays open until completion is decided, so paper lists of a past cohort can still be entered.
    if cohort.closed_at is not None:
        raise ProgrammeError(_("Completion of this cohort is decided: enrol the person in a coming cohort."))
    rule = eligibility.EligibilityRule.from_data(cohort.programme.eligibility)
    verdict = eligibility.check(rule, person, on=cohort.starts_on)
    if not verdict.eligible:
        raise ProgrammeError(
            _("%(name)s is not eligible: %(reason)s") % {"name": person.full_name, "reason": verdict.reason}
        )
    waitlisted = _enrolled_count(cohort) >= cohort.capacity
    try:
        with transaction.atomic():
            enrolment = Enrolment.objects.create(
                cohort=cohort,
                person=person,
                status=EnrolmentStatus.WAITLISTED if waitlisted else EnrolmentStatus.ENROLLED,
                origin_kind=origin_kind,
                origin_ref=origin_ref.strip()[:100],
                eligibility_note=verdict.reason[:300],
                enrolled_by=actor,
            )
    except IntegrityError:
        raise ProgrammeError(
            _("%(name)s is already in this cohort: nobody is enrolled twice.") % {"name": person.full_name}
        ) from None
    record_event(
        actor=actor,
        action="programme.enrolled",
        obj=enrolment,
        summary=f"{cohort} · {person.full_name}",
        detail={"status": enrolment.status, "origin": origin_kind, "ref": enrolment.origin_ref},
    )
    return EnrolmentResult(enrolment, waitlisted)


def open_cohorts_for(actor: User, programme_type: str) -> list[Cohort]:
    """Cohorts of this type the actor may enrol in that have not ended, the soonest first."""
    today = timezone.localdate()
    cohorts = (
        Cohort.objects.filter(
            programme__in=programmes_visible_to(actor).values("pk"),
            programme__programme_type=programme_type,
            closed_at__isnull=True,
            ends_on__gte=today,
        )
        .select_related("programme")
        .order_by("starts_on", "id")
    )
    return [cohort for cohort in cohorts if may_enrol(actor, cohort.programme)]


@transaction.atomic
def enrol_from_recommendation(
    *, actor: User, person_id: int, programme_type: str, assessment_ref: str, cohort_id: int | None = None
) -> EnrolmentResult:
    """One action per programme an assessment recommends: enrol in `cohort_id`, or in the soonest open cohort of
    the recommended type. The assessment reference is kept as the enrolment's origin."""
    if programme_type not in ProgrammeType.values:
        raise InvalidData({"programme_type": [_("Unknown programme type %(code)s.") % {"code": programme_type}]})
    if cohort_id is None:
        cohorts = open_cohorts_for(actor, programme_type)
        if not cohorts:
            raise ProgrammeError(
                _("No coming cohort of %(type)s that you may enrol in: plan one first.")
                % {"type": ProgrammeType(programme_type).label}
            )
        cohort_id = cohorts[0].pk
    cohort = get_cohort_for_user(actor, cohort_id)
    if cohort.programme.programme_type != programme_type:
        raise ProgrammeError(_("This cohort's programme is not of the recommended type."))
    return enrol_person(
        actor=actor,
        cohort_id=cohort_id,
        person_id=person_id,
        origin_kind=OriginKind.ASSESSMENT,
        origin_ref=assessment_ref,
    )


def _promote_next(cohort: Cohort) -> Enrolment | None:
    """A freed place goes to the first on the waitlist; the worker who enrolled them is told."""
    if _enrolled_count(cohort) >= cohort.capacity:
        return None
    rule = ENROLMENT_TRANSITIONS[Action.PROMOTE]
    nxt = (
        cohort.enrolments.select_for_update()
        .filter(status__in=rule.from_statuses)
        .select_related("person", "enrolled_by")
        .order_by("enrolled_at", "id")
        .first()
    )
    if nxt is None:
        return None
    assert rule.to_status is not None
    nxt.status, nxt.status_changed_at = rule.to_status, timezone.now()
    nxt.save(update_fields=["status", "status_changed_at"])
    record_event(actor=None, action="programme.promoted", obj=nxt, summary=f"{cohort} · {nxt.person.full_name}")
    notify(
        recipients=[nxt.enrolled_by],
        kind=NotificationKind.TASK,
        title=_("%(name)s has a place in %(cohort)s (was on the waitlist).")
        % {"name": nxt.person.full_name, "cohort": str(cohort)},
        url=reverse("programmes:cohort", args=[cohort.pk]),
        dedupe_key=f"programme-promoted:{nxt.pk}",
    )
    return nxt


@transaction.atomic
def withdraw_enrolment(*, actor: User, enrolment_id: int, reason: str = "") -> Enrolment:
    """The person leaves the cohort; their place goes to the first on the waitlist."""
    enrolment = get_enrolment_for_user(actor, enrolment_id, write=True)
    if enrolment.status == EnrolmentStatus.WITHDRAWN:
        return enrolment
    if not may(actor, enrolment, Action.WITHDRAW):
        if enrolment.status not in ENROLMENT_TRANSITIONS[Action.WITHDRAW].from_statuses:
            raise ProgrammeError(
                _("This enrolment is %(status)s: it can no longer be withdrawn.")
                % {"status": EnrolmentStatus(enrolment.status).label}
            )
        raise _refuse_role()
    cohort = Cohort.objects.select_for_update().get(pk=enrolment.cohort_id)
    enrolment.status, enrolment.status_changed_at = EnrolmentStatus.WITHDRAWN, timezone.now()
    enrolment.withdrawal_reason = reason.strip()
    enrolment.save(update_fields=["status", "status_changed_at", "withdrawal_reason"])
    record_event(
        actor=actor, action="programme.withdrawn", obj=enrolment, summary=str(cohort), detail={"reason": reason}
    )
    _promote_next(cohort)
    return enrolment


# --- attendance -----------------------------------------------------------------------------------------------


def _attendance_guard(actor: User, session: CohortSession) -> None:
    if not may_record_attendance(actor, session.cohort):
        raise _refuse_role()
    if session.date > timezone.localdate():
        raise ProgrammeError(
            _("Session %(n)d is on %(date)s: attendance is recorded on the day, not before.")
            % {"n": session.position, "date": session.date.strftime("%d-%m-%Y")}
        )


def _tick(actor: User, session: CohortSession, enrolment: Enrolment, present: bool, *, via_qr: bool) -> Attendance:
    """Insert or update one row; a concurrent insert of the same row is retried as an update (nothing lost)."""
    for _attempt in range(2):
        row = Attendance.objects.select_for_update().filter(enrolment=enrolment, session=session).first()
        if row is not None:
            if row.present != present:
                row.present, row.recorded_by, row.recorded_at = present, actor, timezone.now()
                row.via_qr = via_qr
                row.save(update_fields=["present", "recorded_by", "recorded_at", "via_qr"])
            return row
        try:
            with transaction.atomic():
                return Attendance.objects.create(
                    enrolment=enrolment, session=session, present=present, recorded_by=actor, via_qr=via_qr
                )
        except IntegrityError:
            continue  # the other facilitator inserted it a moment ago: update theirs
    raise ProgrammeError(_("The tick could not be saved: try again."))


@transaction.atomic
def record_attendance(*, actor: User, session_id: int, enrolment_id: int, present: bool) -> Attendance:
    """One participant's tick at one session (idempotent: the same tick twice changes nothing). Each tick is its
    own row, so two facilitators ticking the same list at once never overwrite each other's other ticks."""
    session = get_session_for_user(actor, session_id)
    _attendance_guard(actor, session)
    enrolment = get_enrolment_for_user(actor, enrolment_id)
    if enrolment.cohort_id != session.cohort_id:
        raise ProgrammeError(_("This participant is not in this session's cohort."))
    if enrolment.status != EnrolmentStatus.ENROLLED:
        raise ProgrammeError(
            _("%(name)s is %(status)s: only enrolled participants are ticked.")
            % {"name": enrolment.person.full_name, "status": EnrolmentStatus(enrolment.status).label}
        )
    row = _tick(actor, session, enrolment, present, via_qr=False)
    record_event(
        actor=actor,
        action="programme.attendance",
        obj=row,
        summary=f"{session.cohort} · {session.position}",
        detail={"enrolment": enrolment.pk, "session": session.pk, "present": present},
    )
    return row


def checkin_code(enrolment: Enrolment) -> str:
    """The signed code on a participant's printed card: it names the enrolment and its cohort."""
    return signing.dumps({"e": enrolment.pk, "c": enrolment.cohort_id}, salt=CHECKIN_SALT, compress=True)


@transaction.atomic
def check_in(*, actor: User, session_id: int, code: str) -> Attendance:
    """Record presence from a scanned card. A forged or altered code, or a card of another cohort, is refused."""
    session = get_session_for_user(actor, session_id)
    _attendance_guard(actor, session)
    try:
        payload = signing.loads(code.strip(), salt=CHECKIN_SALT)
        enrolment_id, cohort_id = int(payload["e"]), int(payload["c"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise ProgrammeError(
            _("This code is not a Sinergi participant card (forged or damaged): tick by hand.")
        ) from None
    if cohort_id != session.cohort_id:
        raise ProgrammeError(_("This card belongs to another cohort: it does not count for this session."))
    enrolment = Enrolment.objects.select_related("person").filter(pk=enrolment_id, cohort_id=cohort_id).first()
    if enrolment is None or enrolment.status != EnrolmentStatus.ENROLLED:
        raise ProgrammeError(_("This card's participant is not enrolled in the cohort any more."))
    row = _tick(actor, session, enrolment, True, via_qr=True)
    record_event(
        actor=actor,
        action="programme.checked_in",
        obj=row,
        summary=f"{session.cohort} · {session.position}",
        detail={"enrolment": enrolment.pk, "session": session.pk},
    )
    return row


# --- completion and certificates ------------------------------------------------------------------------------


def attended_share(enrolment: Enrolment, total_sessions: int) -> float:
    attended = Attendance.objects.filter(enrolment=enrolment, present=True).count()
    return attended / total_sessions if total_sessions else 0.0


def completes(programme: Programme, attended: int, total: int) -> bool:
    """The completion rule: at least `completion_percent` % of the sessions attended."""
    return total > 0 and attended * 100 >= programme.completion_percent * total


@transaction.atomic
def close_cohort(*, actor: User, cohort_id: int) -> list[Enrolment]:
    """After the last session: the completion rule decides each enrolled participant's result; those who
    complete receive a certificate. Closing again changes nothing."""
    cohort = get_cohort_for_user(actor, cohort_id, write=True)
    if not may_manage_programme(actor, cohort.programme) and not may_record_attendance(actor, cohort):
        raise _refuse_role()
    if cohort.closed_at is not None:
        return list(cohort.enrolments.filter(status=EnrolmentStatus.COMPLETED))
    last = cohort.sessions.order_by("-date").first()
    if last is not None and last.date > timezone.localdate():
        raise ProgrammeError(
            _("The last session is on %(date)s: decide completion after it.") % {"date": last.date.strftime("%d-%m-%Y")}
        )
    total = cohort.sessions.count()
    now = timezone.now()
    completed = []
    for enrolment in cohort.enrolments.select_for_update().filter(status=EnrolmentStatus.ENROLLED):
        attended = Attendance.objects.filter(enrolment=enrolment, present=True).count()
        done = completes(cohort.programme, attended, total)
        enrolment.status = EnrolmentStatus.COMPLETED if done else EnrolmentStatus.NOT_COMPLETED
        enrolment.status_changed_at = now
        enrolment.save(update_fields=["status", "status_changed_at"])
        if done:
            Certificate.objects.create(
                enrolment=enrolment,
                number=f"SRT/{cohort.programme.agency.code.upper()}/{cohort.programme_id}-{cohort.sequence}/{enrolment.pk}",
                verification_token=secrets.token_urlsafe(16),
            )
            completed.append(enrolment)
    cohort.closed_at = now
    cohort.save(update_fields=["closed_at"])
    record_event(
        actor=actor,
        action="programme.cohort_closed",
        obj=cohort,
        summary=str(cohort),
        detail={"completed": [e.pk for e in completed], "sessions": total},
    )
    return completed


# --- business mentoring ---------------------------------------------------------------------------------------


@dataclass
class BusinessData:
    name: str
    sector: str
    mentor_id: int
    started_on: date | None = None
    capital: Decimal | None = None
    licences: list[str] = field(default_factory=list)
    employees: int = 0
    sales_channel: str = ""


@transaction.atomic
def start_mentoring(*, actor: User, enrolment_id: int, data: BusinessData) -> Business:
    """Assign a mentor to the participant's business and record its profile."""
    enrolment = get_enrolment_for_user(actor, enrolment_id, write=True)
    programme = enrolment.cohort.programme
    if not may_enrol(actor, programme):
        raise _refuse_role()
    errors: dict[str, list[str]] = {}
    if not data.name.strip():
        _add(errors, "name", _("Write the business's name."))
    if not data.sector.strip():
        _add(errors, "sector", _("Write the business's sector, e.g. food, crafts, farming."))
    if data.capital is not None and data.capital < 0:
        _add(errors, "capital", _("Capital cannot be negative."))
    if data.started_on and data.started_on > timezone.localdate():
        _add(errors, "started_on", _("The business cannot start in the future."))
    unknown = sorted(set(data.licences) - set(LICENCES))
    if unknown:
        _add(errors, "licences", _("Licences are among %(v)s.") % {"v": ", ".join(LICENCES)})
    agencies = {programme.agency_id, *programme.partner_agencies.values_list("pk", flat=True)}
    mentor = User.objects.filter(pk=data.mentor_id, is_active=True, agency_id__in=agencies).first()
    if mentor is None:
        _add(errors, "mentor_id", _("The mentor is staff of the owner or a partner agency."))
    if errors:
        raise InvalidData(errors)
    if Business.objects.filter(enrolment=enrolment).exists():
        raise ProgrammeError(_("This participant's business already has a mentor."))
    assert mentor is not None
    business = Business.objects.create(
        enrolment=enrolment,
        mentor=mentor,
        name=data.name.strip(),
        sector=data.sector.strip(),
        started_on=data.started_on,
        capital=data.capital,
        licences=sorted(set(data.licences)),
        employees=data.employees,
        sales_channel=data.sales_channel.strip(),
    )
    record_event(
        actor=actor, action="mentoring.started", obj=business, summary=business.name, detail={"mentor": mentor.pk}
    )
    return business


@dataclass
class CheckData:
    kind: str
    recorded_on: date
    monthly_revenue: Decimal
    household_income: Decimal
    employees: int = 0
    operating: bool = True
    note: str = ""


def _may_mentor(actor: User, business: Business) -> bool:
    return actor.pk == business.mentor_id or may_enrol(actor, business.enrolment.cohort.programme)


@transaction.atomic
def record_check(*, actor: User, business_id: int, data: CheckData) -> BusinessCheck:
    """The baseline or a 3/6/12-month follow-up. Refused: negative amounts, a date in the future or before the
    baseline, a follow-up before the baseline exists, the same follow-up twice."""
    business = get_business_for_user(actor, business_id)
    business = Business.objects.select_for_update().select_related("enrolment__cohort__programme").get(pk=business.pk)
    if not _may_mentor(actor, business):
        raise _refuse_role()
    errors: dict[str, list[str]] = {}
    if data.kind not in CheckKind.values:
        _add(errors, "kind", _("Choose baseline or the 3-, 6- or 12-month follow-up."))
    if data.monthly_revenue < 0:
        _add(errors, "monthly_revenue", _("Revenue cannot be negative: write 0 when there was none."))
    if data.household_income < 0:
        _add(errors, "household_income", _("Household income cannot be negative: write 0 when there was none."))
    if data.recorded_on > timezone.localdate():
        _add(errors, "recorded_on", _("The date cannot be in the future."))
    baseline = business.checks.filter(kind=CheckKind.BASELINE).first()
    if data.kind != CheckKind.BASELINE and data.kind in CheckKind.values:
        if baseline is None:
            raise ProgrammeError(_("Record the baseline first: follow-ups are compared with it."))
        if data.recorded_on < baseline.recorded_on:
            _add(
                errors,
                "recorded_on",
                _("A follow-up cannot be dated before the baseline (%(date)s).")
                % {"date": baseline.recorded_on.strftime("%d-%m-%Y")},
            )
    if errors:
        raise InvalidData(errors)
    existing = business.checks.filter(kind=data.kind).first()
    if existing is not None:
        raise ProgrammeError(
            _("The %(kind)s is already recorded (%(date)s).")
            % {"kind": CheckKind(data.kind).label, "date": existing.recorded_on.strftime("%d-%m-%Y")}
        )
    row = BusinessCheck.objects.create(
        business=business,
        kind=data.kind,
        recorded_on=data.recorded_on,
        monthly_revenue=data.monthly_revenue,
        household_income=data.household_income,
        employees=data.employees,
        operating=data.operating,
        note=data.note.strip(),
        recorded_by=actor,
    )
    record_event(
        actor=actor,
        action="mentoring.check_recorded",
        obj=row,
        summary=f"{business.name} · {data.kind}",
        detail={"business": business.pk, "kind": data.kind, "operating": data.operating},
    )
    return row


@transaction.atomic
def record_visit(
    *,
    actor: User,
    business_id: int,
    visited_on: date,
    notes: str,
    photo: UploadedFile | None = None,  # type: ignore[type-arg]
) -> MentoringVisit:
    business = get_business_for_user(actor, business_id)
    if not _may_mentor(actor, business):
        raise _refuse_role()
    errors: dict[str, list[str]] = {}
    if not notes.strip():
        _add(errors, "notes", _("Write what you saw and agreed on the visit."))
    if visited_on > timezone.localdate():
        _add(errors, "visited_on", _("The date cannot be in the future."))
    if photo is not None:
        # The case attachments' checks (size, content matching the extension), limited to photos.
        problem = check_upload(photo)
        if problem is None and extension(photo.name or "") not in PHOTO_EXTENSIONS:
            problem = _("The photo is a JPEG or PNG image.")
        if problem:
            _add(errors, "photo", problem)
    if errors:
        raise InvalidData(errors)
    visit = MentoringVisit(business=business, visited_on=visited_on, notes=notes.strip(), recorded_by=actor)
    if photo is not None:
        visit.photo.save(f"{business.pk}-{secrets.token_hex(6)}{extension(photo.name or '')}", photo, save=False)
    visit.save()
    record_event(actor=actor, action="mentoring.visit_recorded", obj=visit, summary=business.name)
    return visit


def notify_due_follow_ups(*, today: date | None = None) -> int:
    """Put due and late follow-ups into each mentor's inbox, once per follow-up and state (a daily command)."""
    today = today or timezone.localdate()
    sent = 0
    for task in follow_up_tasks(Business.objects.all(), today=today):
        business = task.business
        state = "late" if task.late else "due"
        if task.late:
            title = _("Late: %(kind)s of %(name)s was due on %(date)s.")
        else:
            title = _("Due: %(kind)s of %(name)s on %(date)s.")
        with transaction.atomic():
            sent += len(
                notify(
                    recipients=[business.mentor],
                    kind=NotificationKind.OVERDUE if task.late else NotificationKind.TASK,
                    title=title
                    % {
                        "kind": CheckKind(task.kind).label,
                        "name": business.name,
                        "date": task.due_on.strftime("%d-%m-%Y"),
                    },
                    url=reverse("programmes:business", args=[business.pk]),
                    dedupe_key=f"mentoring:{business.pk}:{task.kind}:{state}",
                )
            )
    return sent


def follow_up_due_dates(baseline_on: date) -> dict[str, date]:
    return {kind: add_months(baseline_on, months) for kind, months in FOLLOW_UP_MONTHS.items()}


EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def export_outcomes(*, actor: User, programme: Programme, file_format: str) -> tuple[bytes, str]:
    """The outcomes of a programme the actor sees (from the selectors) as XLSX or PDF; audited."""
    from sinergi.programmes import documents, outcomes

    if file_format not in EXPORT_TYPES:
        raise InvalidData({"format": [_("Choose the file format: xlsx or pdf.")]})
    result = outcomes.programme_outcomes(programme)
    build = documents.outcomes_xlsx if file_format == "xlsx" else documents.outcomes_pdf
    content = build(result, min_count=outcomes.MIN_COUNT)
    record_event(actor=actor, action="programme.outcomes_exported", obj=programme, summary=file_format)
    return content, EXPORT_TYPES[file_format]
