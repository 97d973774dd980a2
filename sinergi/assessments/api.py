"""Needs-assessment API (/api/v1/assessments): the same selectors and services as the pages.

A person's assessments are visible to whoever may see the person (else 404). Sensitive domains (health,
psychosocial) come back with `hidden: true` and no answers unless `may_see_sensitive` allows (every such read
is in the access log). Submitting twice with the same `submission_key` returns the first assessment (200).
Reading needs the token scope `cases:read`, completing `cases:write`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.assessments import services
from sinergi.assessments.models import Assessment
from sinergi.assessments.scoring import Instrument
from sinergi.assessments.selectors import (
    AssessmentView,
    active_version,
    get_assessment_for_user,
    history_for_person,
    recommendations_for_person,
    view_assessment,
)
from sinergi.registry.api import ErrorOut
from sinergi.registry.selectors import get_person_for_user
from sinergi.registry.services import InvalidData

router = Router(tags=["needs assessments"])


class AssessmentAnswerOut(Schema):
    label: str
    value: str


class AssessmentDomainOut(Schema):
    code: str
    name: str
    sensitive: bool
    hidden: bool = Field(description="True when your role or agency may not see this sensitive domain.")
    score: int | None = Field(description="0-100, higher = more need; null when hidden or not answered.")
    change: int | None = Field(description="Score change since the person's previous assessment.")
    answers: list[AssessmentAnswerOut]


class AssessmentRecommendationOut(Schema):
    kind: str = Field(description="service (ATENSI atensi-a1..a7), assistance (type code) or programme (type code).")
    code: str
    label: str
    reason: str
    evidence: list[AssessmentAnswerOut] = Field(description="The answers and scores the rule read.")


class AssessmentOut(Schema):
    id: int
    person_id: int
    agency: str
    by: str
    at: datetime
    version: int
    consent_by: str
    consent_name: str
    domains: list[AssessmentDomainOut]
    recommendations: list[AssessmentRecommendationOut]
    hidden_recommendations: int = Field(description="Recommendations from sensitive answers you may not see.")


class AssessmentIn(Schema):
    submission_key: str = Field(description="A UUID the client makes once per form; resending it is harmless.")
    answers: dict[str, str] = Field(description="Question code → answer as typed (see GET /assessments/instrument).")
    consent_by: str = Field(description="SENDIRI, ORANG_TUA or WALI (a child needs a parent or guardian).")
    consent_name: str
    case_id: int | None = None
    referral_id: int | None = None


class InstrumentQuestionOut(Schema):
    code: str
    kind: str
    label: str
    help_text: str
    required: bool
    min_value: float | None
    max_value: float | None
    choices: list[list[Any]]


class InstrumentDomainOut(Schema):
    code: str
    name: str
    sensitive: bool
    questions: list[InstrumentQuestionOut]


class InstrumentOut(Schema):
    number: int
    title: str
    domains: list[InstrumentDomainOut]


class PersonRecommendationOut(Schema):
    kind: str
    code: str
    label: str
    reason: str
    rule: list[dict[str, Any]]
    evidence: dict[str, Any]
    assessment_id: int
    assessed_at: datetime
    agency_name: str


def _out(view: AssessmentView) -> AssessmentOut:
    a: Assessment = view.assessment
    return AssessmentOut(
        id=a.pk,
        person_id=a.person_id,
        agency=a.agency.name,
        by=a.by.display_name,
        at=a.at,
        version=a.version.number,
        consent_by=a.consent_by,
        consent_name=a.consent_name,
        domains=[
            AssessmentDomainOut(
                code=d.code,
                name=d.name,
                sensitive=d.sensitive,
                hidden=d.hidden,
                score=d.score,
                change=d.delta,
                answers=[AssessmentAnswerOut(label=x.label, value=x.value) for x in d.answers],
            )
            for d in view.domains
        ],
        recommendations=[
            AssessmentRecommendationOut(
                kind=r.kind,
                code=r.code,
                label=r.label,
                reason=r.reason,
                evidence=[AssessmentAnswerOut(label=x.label, value=x.value) for x in r.evidence],
            )
            for r in view.recommendations
        ],
        hidden_recommendations=view.hidden_recommendations,
    )


@router.get("/instrument", response={200: InstrumentOut}, summary="The instrument version in force")
def instrument(request: AuthedRequest) -> Any:
    require_scope(request, "cases:read")
    version = active_version()
    loaded = Instrument.load(version.pk)
    return Status(
        200,
        InstrumentOut(
            number=version.number,
            title=version.title,
            domains=[
                InstrumentDomainOut(
                    code=d.code,
                    name=d.name,
                    sensitive=d.sensitive,
                    questions=[
                        InstrumentQuestionOut(
                            code=q.code,
                            kind=q.kind,
                            label=q.label,
                            help_text=q.help_text,
                            required=q.required,
                            min_value=float(q.min_value) if q.min_value is not None else None,
                            max_value=float(q.max_value) if q.max_value is not None else None,
                            choices=q.choices,
                        )
                        for q in d.questions.all()
                    ],
                )
                for d in loaded.domains
            ],
        ),
    )


@router.get(
    "/persons/{person_id}",
    response={200: list[AssessmentOut], 404: ErrorOut},
    summary="A person's assessments, newest first, with the change per domain",
)
def person_assessments(request: AuthedRequest, person_id: int) -> Any:
    require_scope(request, "cases:read")
    person = get_person_for_user(request.user, person_id)
    return Status(200, [_out(v) for v in history_for_person(request.user, person)])


@router.get(
    "/persons/{person_id}/recommendations",
    response={200: list[PersonRecommendationOut], 404: ErrorOut},
    summary="What the person's latest assessment recommends (services, assistance, programmes)",
)
def person_recommendations(request: AuthedRequest, person_id: int) -> Any:
    require_scope(request, "cases:read")
    return Status(
        200,
        [PersonRecommendationOut(**r.__dict__) for r in recommendations_for_person(request.user, person_id)],
    )


@router.post(
    "/persons/{person_id}",
    response={200: AssessmentOut, 201: AssessmentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Complete an assessment (idempotent on submission_key)",
)
def complete(request: AuthedRequest, person_id: int, payload: AssessmentIn) -> Any:
    require_scope(request, "cases:write")
    try:
        assessment, created = services.complete_assessment(
            actor=request.user,
            data=services.AssessmentInput(person_id=person_id, **payload.dict()),
        )
    except InvalidData as error:
        return Status(422, ErrorOut(detail=_("Some answers need fixing."), errors=error.errors))
    except services.AssessmentError as refusal:
        return Status(409, ErrorOut(detail=str(refusal)))
    return Status(201 if created else 200, _out(view_assessment(request.user, assessment)))


@router.get("/{assessment_id}", response={200: AssessmentOut, 404: ErrorOut}, summary="One assessment")
def one(request: AuthedRequest, assessment_id: int) -> Any:
    require_scope(request, "cases:read")
    return Status(200, _out(view_assessment(request.user, get_assessment_for_user(request.user, assessment_id))))
