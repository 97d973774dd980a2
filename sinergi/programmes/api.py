"""Programmes API (/api/v1/programmes): programmes, cohorts, enrolments, attendance, mentoring follow-ups and
outcomes, on the same services and selectors as the pages.

Visible to the owner agency and its partner agencies; anyone else gets 404. Reading needs the token scope
`cases:read`, writing `cases:write`. Refusals: 409 when the state does not allow the step (with the reason),
403 when your role or agency may not, 422 per field.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.programmes import outcomes, services
from sinergi.programmes.eligibility import EligibilityRule
from sinergi.programmes.models import (
    Attendance,
    BusinessCheck,
    Cohort,
    Enrolment,
    OriginKind,
    Programme,
    ProgrammeType,
)
from sinergi.programmes.selectors import (
    cohorts_visible_to,
    enrolments_visible_to,
    get_business_for_user,
    get_cohort_for_user,
    get_enrolment_for_user,
    get_programme_for_user,
    mentor_tasks,
    programmes_visible_to,
)
from sinergi.registry.api import ErrorOut
from sinergi.registry.services import InvalidData
from sinergi.sharing.pseudonyms import listed_name

router = Router(tags=["programmes"])


# --- schemas -------------------------------------------------------------------------------------------------


class ProgrammeCurriculumOut(Schema):
    position: int
    day: int = Field(description="Day of the cohort, 1 = its first day.")
    topic: str
    hours: float


class ProgrammeOut(Schema):
    id: int
    name: str
    programme_type: str = Field(description=", ".join(ProgrammeType.values))
    agency_id: int
    agency: str
    partner_agency_ids: list[int]
    description: str
    eligibility: dict[str, Any] = Field(description='e.g. {"returned_within_years": 5, "family_members": true}')
    eligibility_text: str
    capacity: int
    completion_percent: int
    recurrence: str = Field(description="iCalendar RRULE of the cohorts' start dates, e.g. FREQ=MONTHLY;INTERVAL=3.")
    first_start: date | None
    curriculum: list[ProgrammeCurriculumOut]


class ProgrammeCurriculumIn(Schema):
    day: int = Field(1, ge=1, le=366)
    topic: str
    hours: Decimal = Decimal(6)


class ProgrammeIn(Schema):
    name: str
    programme_type: str = Field(description=", ".join(ProgrammeType.values))
    description: str = ""
    returned_within_years: int | None = Field(5, ge=0, le=100)
    family_members: bool = True
    capacity: int = Field(20, ge=1, le=10_000)
    completion_percent: int = Field(80, ge=0, le=100)
    recurrence: str = ""
    first_start: date | None = None
    partner_agency_ids: list[int] = []
    curriculum: list[ProgrammeCurriculumIn]


class ProgrammeSessionOut(Schema):
    id: int
    position: int
    date: date
    topic: str
    hours: float


class ProgrammeCohortOut(Schema):
    id: int
    programme_id: int
    sequence: int
    starts_on: date
    ends_on: date
    region_code: str | None
    place: str
    capacity: int
    facilitator_ids: list[int]
    closed_at: datetime | None
    sessions: list[ProgrammeSessionOut]


class ProgrammeCohortPlanIn(Schema):
    count: int = Field(1, ge=1, le=52)
    starts_on: date | None = Field(None, description="One cohort on this date instead of the recurrence's next dates.")
    region_code: str = ""
    place: str = ""
    capacity: int | None = Field(None, ge=1, le=10_000)
    facilitator_ids: list[int] = []


class ProgrammeEnrolmentOut(Schema):
    id: int
    cohort_id: int
    person_id: int
    full_name: str
    status: str = Field(description="TERDAFTAR, DAFTAR_TUNGGU (waitlist), MUNDUR, LULUS, TIDAK_LULUS")
    origin_kind: str = Field(description=", ".join(OriginKind.values))
    origin_ref: str
    eligibility_note: str
    enrolled_at: datetime
    certificate_number: str | None


class ProgrammeEnrolIn(Schema):
    person_id: int
    origin_kind: str = OriginKind.MANUAL
    origin_ref: str = ""


class ProgrammeRecommendationIn(Schema):
    person_id: int
    programme_type: str = Field(description=", ".join(ProgrammeType.values))
    assessment_ref: str
    cohort_id: int | None = Field(None, description="The soonest open cohort of the type when empty.")


class ProgrammeEnrolResultOut(Schema):
    enrolment: ProgrammeEnrolmentOut
    waitlisted: bool
    message: str


class ProgrammeAttendanceIn(Schema):
    enrolment_id: int
    present: bool = True


class ProgrammeCheckInIn(Schema):
    code: str = Field(description="The signed code of the participant card's QR.")


class ProgrammeAttendanceOut(Schema):
    enrolment_id: int
    session_id: int
    present: bool
    via_qr: bool
    recorded_at: datetime


class ProgrammeCheckIn(Schema):
    kind: str = Field(description="BASELINE, M3, M6, M12")
    recorded_on: date
    monthly_revenue: Decimal
    household_income: Decimal
    employees: int = 0
    operating: bool = True
    note: str = ""


class ProgrammeCheckOut(ProgrammeCheckIn):
    id: int
    business_id: int


class ProgrammeBusinessIn(Schema):
    name: str
    sector: str
    mentor_id: int = Field(description="The staff member who mentors the business (of the programme's agencies).")
    started_on: date | None = None
    capital: Decimal | None = Field(None, description="Starting capital in rupiah.")
    licences: list[str] = Field(default_factory=list, description="NIB, HALAL, PIRT")
    employees: int = 0
    sales_channel: str = ""


class ProgrammeBusinessOut(ProgrammeBusinessIn):
    id: int
    enrolment_id: int


class ProgrammeVisitIn(Schema):
    visited_on: date
    notes: str = Field(description="What the mentor saw and agreed. A photo is added on the business page.")


class ProgrammeVisitOut(ProgrammeVisitIn):
    id: int
    business_id: int


class ProgrammeTaskOut(Schema):
    business_id: int
    business: str
    person: str
    kind: str
    due_on: date
    late: bool


class ProgrammeFigureOut(Schema):
    n: int = Field(description="The people the figure rests on.")
    value: float | None = Field(description="Null: too few to say (n under the minimum).")


class ProgrammeOutcomeOut(Schema):
    label: str
    cohort_id: int | None
    enrolled: int
    completed: int
    completion_rate: ProgrammeFigureOut
    operating_6_months: ProgrammeFigureOut
    operating_12_months: ProgrammeFigureOut
    median_income_change: ProgrammeFigureOut


class ProgrammeOutcomesOut(Schema):
    min_count: int
    total: ProgrammeOutcomeOut
    cohorts: list[ProgrammeOutcomeOut]


# --- helpers -------------------------------------------------------------------------------------------------


def _programme_out(programme: Programme) -> ProgrammeOut:
    return ProgrammeOut(
        id=programme.pk,
        name=programme.name,
        programme_type=programme.programme_type,
        agency_id=programme.agency_id,
        agency=programme.agency.name,
        partner_agency_ids=sorted(a.pk for a in programme.partner_agencies.all()),
        description=programme.description,
        eligibility=programme.eligibility,
        eligibility_text=EligibilityRule.from_data(programme.eligibility).describe(),
        capacity=programme.capacity,
        completion_percent=programme.completion_percent,
        recurrence=programme.recurrence,
        first_start=programme.first_start,
        curriculum=[
            ProgrammeCurriculumOut(position=i.position, day=i.day_offset + 1, topic=i.topic, hours=float(i.hours))
            for i in programme.curriculum.all()
        ],
    )


def _cohort_out(cohort: Cohort) -> ProgrammeCohortOut:
    return ProgrammeCohortOut(
        id=cohort.pk,
        programme_id=cohort.programme_id,
        sequence=cohort.sequence,
        starts_on=cohort.starts_on,
        ends_on=cohort.ends_on,
        region_code=cohort.region_id,
        place=cohort.place,
        capacity=cohort.capacity,
        facilitator_ids=sorted(u.pk for u in cohort.facilitators.all()),
        closed_at=cohort.closed_at,
        sessions=[
            ProgrammeSessionOut(id=s.pk, position=s.position, date=s.date, topic=s.topic, hours=float(s.hours))
            for s in cohort.sessions.all()
        ],
    )


def _enrolment_out(enrolment: Enrolment) -> ProgrammeEnrolmentOut:
    certificate = getattr(enrolment, "certificate", None)
    return ProgrammeEnrolmentOut(
        id=enrolment.pk,
        cohort_id=enrolment.cohort_id,
        person_id=enrolment.person_id,
        full_name=listed_name(enrolment.person),
        status=enrolment.status,
        origin_kind=enrolment.origin_kind,
        origin_ref=enrolment.origin_ref,
        eligibility_note=enrolment.eligibility_note,
        enrolled_at=enrolment.enrolled_at,
        certificate_number=certificate.number if certificate is not None else None,
    )


def _attendance_out(row: Attendance) -> ProgrammeAttendanceOut:
    return ProgrammeAttendanceOut(
        enrolment_id=row.enrolment_id,
        session_id=row.session_id,
        present=row.present,
        via_qr=row.via_qr,
        recorded_at=row.recorded_at,
    )


def _check_out(row: BusinessCheck) -> ProgrammeCheckOut:
    return ProgrammeCheckOut(
        id=row.pk,
        business_id=row.business_id,
        kind=row.kind,
        recorded_on=row.recorded_on,
        monthly_revenue=row.monthly_revenue,
        household_income=row.household_income,
        employees=row.employees,
        operating=row.operating,
        note=row.note,
    )


def _figure(figure: outcomes.Figure) -> ProgrammeFigureOut:
    return ProgrammeFigureOut(n=figure.n, value=figure.value)


def _outcome_out(outcome: outcomes.Outcome, cohort_id: int | None) -> ProgrammeOutcomeOut:
    return ProgrammeOutcomeOut(
        label=outcome.label,
        cohort_id=cohort_id,
        enrolled=outcome.enrolled,
        completed=outcome.completed,
        completion_rate=_figure(outcome.completion_rate),
        operating_6_months=_figure(outcome.operating_6),
        operating_12_months=_figure(outcome.operating_12),
        median_income_change=_figure(outcome.income_change),
    )


def _refusal(error: Exception) -> Status[ErrorOut]:
    if isinstance(error, InvalidData):
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))
    return Status(409, ErrorOut(detail=str(error)))


_WRITE = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# --- programmes ----------------------------------------------------------------------------------------------


@router.get("", response={200: list[ProgrammeOut]}, summary="Programmes your agency owns or is a partner of")
def list_programmes(request: AuthedRequest) -> Any:
    require_scope(request, "cases:read")
    found = (
        programmes_visible_to(request.user).select_related("agency").prefetch_related("partner_agencies", "curriculum")
    )
    return Status(200, [_programme_out(p) for p in found.order_by("name", "id")])


@router.post("", response={201: ProgrammeOut, **_WRITE}, summary="Create a programme of your agency")
def create_programme(request: AuthedRequest, payload: ProgrammeIn) -> Any:
    require_scope(request, "cases:write")
    data = services.ProgrammeData(
        name=payload.name,
        programme_type=payload.programme_type,
        description=payload.description,
        returned_within_years=payload.returned_within_years,
        family_members=payload.family_members,
        capacity=payload.capacity,
        completion_percent=payload.completion_percent,
        recurrence=payload.recurrence,
        first_start=payload.first_start,
        partner_agency_ids=payload.partner_agency_ids,
        curriculum=[
            services.CurriculumLine(topic=c.topic, hours=c.hours, day_offset=c.day - 1) for c in payload.curriculum
        ],
    )
    try:
        programme = services.create_programme(actor=request.user, data=data)
    except InvalidData as error:
        return _refusal(error)
    return Status(201, _programme_out(get_programme_for_user(request.user, programme.pk)))


@router.get("/tasks", response={200: list[ProgrammeTaskOut]}, summary="Your due and late mentoring follow-ups")
def my_tasks(request: AuthedRequest) -> Any:
    require_scope(request, "cases:read")
    from django.utils import timezone

    return Status(
        200,
        [
            ProgrammeTaskOut(
                business_id=t.business.pk,
                business=t.business.name,
                person=t.business.enrolment.person.full_name,
                kind=t.kind,
                due_on=t.due_on,
                late=t.late,
            )
            for t in mentor_tasks(request.user, today=timezone.localdate())
        ],
    )


@router.get("/{programme_id}", response={200: ProgrammeOut, 404: ErrorOut}, summary="One programme")
def programme_detail(request: AuthedRequest, programme_id: int) -> Any:
    require_scope(request, "cases:read")
    return Status(200, _programme_out(get_programme_for_user(request.user, programme_id)))


@router.get(
    "/{programme_id}/outcomes",
    response={200: ProgrammeOutcomesOut, 404: ErrorOut},
    summary="Outcomes per programme and cohort",
)
def programme_outcomes(request: AuthedRequest, programme_id: int) -> Any:
    require_scope(request, "cases:read")
    result = outcomes.programme_outcomes(get_programme_for_user(request.user, programme_id))
    return Status(
        200,
        ProgrammeOutcomesOut(
            min_count=outcomes.MIN_COUNT,
            total=_outcome_out(result.total, None),
            cohorts=[_outcome_out(o, c.pk) for c, o in result.cohorts],
        ),
    )


@router.get(
    "/{programme_id}/outcomes/export",
    response={200: None, 404: ErrorOut, 422: ErrorOut},
    summary="Outcomes as XLSX or PDF (?format=xlsx|pdf)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file.",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}} for t in services.EXPORT_TYPES.values()
                },
            }
        }
    },
)
def export_outcomes(request: AuthedRequest, programme_id: int, format: str = "xlsx") -> Any:
    require_scope(request, "cases:read")
    programme = get_programme_for_user(request.user, programme_id)
    try:
        content, content_type = services.export_outcomes(actor=request.user, programme=programme, file_format=format)
    except InvalidData as error:
        return _refusal(error)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="hasil-program-{programme.pk}.{format}"'
    return response


@router.get(
    "/{programme_id}/cohorts",
    response={200: list[ProgrammeCohortOut], 404: ErrorOut},
    summary="The programme's cohorts",
)
def list_cohorts(request: AuthedRequest, programme_id: int) -> Any:
    require_scope(request, "cases:read")
    programme = get_programme_for_user(request.user, programme_id)
    found = cohorts_visible_to(request.user).filter(programme=programme).prefetch_related("facilitators", "sessions")
    return Status(200, [_cohort_out(c) for c in found.order_by("starts_on", "id")])


@router.post(
    "/{programme_id}/cohorts",
    response={201: list[ProgrammeCohortOut], **_WRITE},
    summary="Plan the next cohorts on the programme's recurrence (or one on a date)",
)
def plan_cohorts(request: AuthedRequest, programme_id: int, payload: ProgrammeCohortPlanIn) -> Any:
    require_scope(request, "cases:write")
    plan = services.CohortPlan(
        count=payload.count,
        region_code=payload.region_code,
        place=payload.place,
        capacity=payload.capacity,
        facilitator_ids=payload.facilitator_ids,
        starts_on=payload.starts_on,
    )
    try:
        cohorts = services.schedule_cohorts(actor=request.user, programme_id=programme_id, plan=plan)
    except (InvalidData, services.ProgrammeError) as error:
        return _refusal(error)
    return Status(201, [_cohort_out(c) for c in cohorts])


# --- cohorts and enrolments ------------------------------------------------------------------------------------


@router.get(
    "/cohorts/{cohort_id}", response={200: ProgrammeCohortOut, 404: ErrorOut}, summary="One cohort with its sessions"
)
def cohort_detail(request: AuthedRequest, cohort_id: int) -> Any:
    require_scope(request, "cases:read")
    return Status(200, _cohort_out(get_cohort_for_user(request.user, cohort_id)))


@router.get(
    "/cohorts/{cohort_id}/enrolments",
    response={200: list[ProgrammeEnrolmentOut], 404: ErrorOut},
    summary="The cohort's enrolments",
)
def list_enrolments(request: AuthedRequest, cohort_id: int) -> Any:
    require_scope(request, "cases:read")
    cohort = get_cohort_for_user(request.user, cohort_id)
    found = enrolments_visible_to(request.user).filter(cohort=cohort).select_related("person", "certificate")
    return Status(200, [_enrolment_out(e) for e in found.order_by("enrolled_at", "id")])


def _enrolled(result: services.EnrolmentResult) -> Status[ProgrammeEnrolResultOut]:
    return Status(
        201,
        ProgrammeEnrolResultOut(
            enrolment=_enrolment_out(result.enrolment), waitlisted=result.waitlisted, message=result.message()
        ),
    )


@router.post(
    "/cohorts/{cohort_id}/enrolments",
    response={201: ProgrammeEnrolResultOut, **_WRITE},
    summary="Enrol a person (past capacity: on the waitlist)",
    description="409 with the reason when the person is not eligible or already in the cohort.",
)
def enrol(request: AuthedRequest, cohort_id: int, payload: ProgrammeEnrolIn) -> Any:
    require_scope(request, "cases:write")
    try:
        result = services.enrol_person(
            actor=request.user,
            cohort_id=cohort_id,
            person_id=payload.person_id,
            origin_kind=payload.origin_kind,
            origin_ref=payload.origin_ref,
        )
    except (InvalidData, services.ProgrammeError) as error:
        return _refusal(error)
    return _enrolled(result)


@router.post(
    "/enrolments/from-recommendation",
    response={201: ProgrammeEnrolResultOut, **_WRITE},
    summary="Enrol from an assessment's recommended programme type",
)
def enrol_from_recommendation(request: AuthedRequest, payload: ProgrammeRecommendationIn) -> Any:
    require_scope(request, "cases:write")
    try:
        result = services.enrol_from_recommendation(
            actor=request.user,
            person_id=payload.person_id,
            programme_type=payload.programme_type,
            assessment_ref=payload.assessment_ref,
            cohort_id=payload.cohort_id,
        )
    except (InvalidData, services.ProgrammeError) as error:
        return _refusal(error)
    return _enrolled(result)


@router.post(
    "/enrolments/{enrolment_id}/withdraw",
    response={200: ProgrammeEnrolmentOut, **_WRITE},
    summary="Withdraw; the first on the waitlist is promoted",
)
def withdraw(request: AuthedRequest, enrolment_id: int) -> Any:
    require_scope(request, "cases:write")
    try:
        services.withdraw_enrolment(actor=request.user, enrolment_id=enrolment_id)
    except services.ProgrammeError as error:
        return _refusal(error)
    return Status(200, _enrolment_out(get_enrolment_for_user(request.user, enrolment_id)))


@router.post(
    "/cohorts/{cohort_id}/close",
    response={200: list[ProgrammeEnrolmentOut], **_WRITE},
    summary="Decide completion; certificates for those who completed",
)
def close_cohort(request: AuthedRequest, cohort_id: int) -> Any:
    require_scope(request, "cases:write")
    try:
        completed = services.close_cohort(actor=request.user, cohort_id=cohort_id)
    except services.ProgrammeError as error:
        return _refusal(error)
    return Status(200, [_enrolment_out(get_enrolment_for_user(request.user, e.pk)) for e in completed])


# --- attendance ------------------------------------------------------------------------------------------------


@router.put(
    "/sessions/{session_id}/attendance",
    response={200: ProgrammeAttendanceOut, **_WRITE},
    summary="One tick (idempotent: the same tick twice is one)",
    description="409 for a session that has not happened yet or a participant not enrolled in its cohort.",
)
def tick(request: AuthedRequest, session_id: int, payload: ProgrammeAttendanceIn) -> Any:
    require_scope(request, "cases:write")
    try:
        row = services.record_attendance(
            actor=request.user, session_id=session_id, enrolment_id=payload.enrolment_id, present=payload.present
        )
    except services.ProgrammeError as error:
        return _refusal(error)
    return Status(200, _attendance_out(row))


@router.post(
    "/sessions/{session_id}/check-in",
    response={200: ProgrammeAttendanceOut, **_WRITE},
    summary="Check in with the participant card's signed code",
    description="409 for a forged code or a card of another cohort.",
)
def check_in(request: AuthedRequest, session_id: int, payload: ProgrammeCheckInIn) -> Any:
    require_scope(request, "cases:write")
    try:
        row = services.check_in(actor=request.user, session_id=session_id, code=payload.code)
    except services.ProgrammeError as error:
        return _refusal(error)
    return Status(200, _attendance_out(row))


# --- mentoring -------------------------------------------------------------------------------------------------


@router.get(
    "/businesses/{business_id}/checks",
    response={200: list[ProgrammeCheckOut], 404: ErrorOut},
    summary="Baseline and follow-ups",
)
def list_checks(request: AuthedRequest, business_id: int) -> Any:
    require_scope(request, "cases:read")
    business = get_business_for_user(request.user, business_id)
    return Status(200, [_check_out(c) for c in business.checks.all()])


@router.post(
    "/businesses/{business_id}/checks",
    response={201: ProgrammeCheckOut, **_WRITE},
    summary="Record the baseline or a 3/6/12-month follow-up",
    description="422 for negative amounts or a date before the baseline; 409 before the baseline exists or twice.",
)
def record_check(request: AuthedRequest, business_id: int, payload: ProgrammeCheckIn) -> Any:
    require_scope(request, "cases:write")
    data = services.CheckData(**payload.dict())
    try:
        row = services.record_check(actor=request.user, business_id=business_id, data=data)
    except (InvalidData, services.ProgrammeError) as error:
        return _refusal(error)
    return Status(201, _check_out(row))


def _business_out(business: Any) -> ProgrammeBusinessOut:
    return ProgrammeBusinessOut(
        id=business.pk,
        enrolment_id=business.enrolment_id,
        name=business.name,
        sector=business.sector,
        mentor_id=business.mentor_id,
        started_on=business.started_on,
        capital=business.capital,
        licences=list(business.licences),
        employees=business.employees,
        sales_channel=business.sales_channel,
    )


@router.post(
    "/enrolments/{enrolment_id}/business",
    response={201: ProgrammeBusinessOut, **_WRITE},
    summary="Start mentoring a graduate's business",
    description="422 naming each field to fix; 409 when the business already has a mentor.",
)
def start_mentoring(request: AuthedRequest, enrolment_id: int, payload: ProgrammeBusinessIn) -> Any:
    require_scope(request, "cases:write")
    try:
        business = services.start_mentoring(
            actor=request.user, enrolment_id=enrolment_id, data=services.BusinessData(**payload.dict())
        )
    except (InvalidData, services.ProgrammeError) as error:
        return _refusal(error)
    return Status(201, _business_out(business))


@router.post(
    "/businesses/{business_id}/visits",
    response={201: ProgrammeVisitOut, **_WRITE},
    summary="Record a mentoring visit",
    description="422 without notes or with a date in the future.",
)
def record_visit(request: AuthedRequest, business_id: int, payload: ProgrammeVisitIn) -> Any:
    require_scope(request, "cases:write")
    try:
        visit = services.record_visit(
            actor=request.user, business_id=business_id, visited_on=payload.visited_on, notes=payload.notes
        )
    except (InvalidData, services.ProgrammeError) as error:
        return _refusal(error)
    return Status(
        201, ProgrammeVisitOut(id=visit.pk, business_id=business_id, visited_on=visit.visited_on, notes=visit.notes)
    )
