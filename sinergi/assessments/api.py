"""Needs-assessment API (/api/v1/assessments): the same selectors and services as the pages.

A person's assessments are visible to whoever may see the person (else 404). Sensitive domains (health,
psychosocial) come back with `hidden: true` and no answers unless `may_see_sensitive` allows (every such read
is in the access log). Submitting twice with the same `submission_key` returns the first assessment (200).
Reading needs the token scope `cases:read`, completing `cases:write`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
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
    consent_id: int | None = Field(description="The consent recorded on a case, when linked.")
    consent: str = Field(description="What the assessment was made under, readable (old free-text consents too).")
    lawful_basis: str
    domains: list[AssessmentDomainOut]
    recommendations: list[AssessmentRecommendationOut]
    hidden_recommendations: int = Field(description="Recommendations from sensitive answers you may not see.")


class AssessmentIn(Schema):
    submission_key: str = Field(description="A UUID the client makes once per form; resending it is harmless.")
    answers: dict[str, str] = Field(description="Question code → answer as typed (see GET /assessments/instrument).")
    consent_by: str = Field(
        "", description="SENDIRI, ORANG_TUA or WALI (a child needs a parent or guardian); with consent_name."
    )
    consent_name: str = ""
    case_id: int | None = None
    referral_id: int | None = None
    consent_id: int | None = Field(
        None, description="A consent to assessment recorded on one of the person's cases your agency owns."
    )
    consent_method: str = Field("TERTULIS", description="TERTULIS, LISAN or DIGITAL, when the consent is recorded.")
    lawful_basis: str = Field(
        "", description="Without consent (supervisor): KEPENTINGAN_VITAL, KEWAJIBAN_HUKUM or TUGAS_PUBLIK."
    )
    lawful_basis_note: str = ""


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
        consent_id=a.consent_id,
        consent=a.consent_summary,
        lawful_basis=a.lawful_basis,
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


# --- the instrument editor (agency administrator) ------------------------------------------------------------------
#
# The same services as the pages: a version in force or retired is never changed (409 says to make a new
# version); another agency's draft is 404; a role without EDIT_INSTRUMENT is 403; a field to fix is 422.

EDITOR_ERRORS: dict[int, Any] = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class InstrumentDraftIn(Schema):
    copy_from: int | None = Field(None, description="The version to copy; the version in force when empty.")


class InstrumentVersionPatchIn(Schema):
    title: str
    notes: str = ""


class InstrumentDomainIn(Schema):
    code: str = Field(description="Lowercase letters, digits and _, unique in the version.")
    name: str
    help_text: str = ""
    order: int = 100
    sensitive: bool = Field(False, description="Health or psychosocial: only involved social workers see answers.")


class InstrumentQuestionIn(Schema):
    domain_id: int
    code: str = Field(description="Lowercase letters, digits and _, unique in the version (rules name it).")
    kind: str = Field(description="number, choice, scale, date, text or yesno.")
    label: str
    help_text: str = ""
    required: bool = False
    min_value: float | None = None
    max_value: float | None = None
    choices: list[list[Any]] = Field(default_factory=list, description='For a choice: [["value", "label", 0-100]].')
    scored: bool = False
    reverse: bool = False
    order: int = 100


class InstrumentRuleIn(Schema):
    kind: str = Field(description="service, assistance or programme.")
    code: str
    label: str
    reason: str
    conditions: list[dict[str, Any]] = Field(
        description='Each {"question": code, "op": op, "value": v} or {"domain": code, ...}; op: '
        "eq, ne, lt, lte, gt, gte, in, answered."
    )
    order: int = 100


class InstrumentEditQuestionOut(Schema):
    id: int
    code: str
    kind: str
    label: str
    help_text: str
    required: bool
    min_value: float | None
    max_value: float | None
    choices: list[list[Any]]
    scored: bool
    reverse: bool
    order: int


class InstrumentEditDomainOut(Schema):
    id: int
    code: str
    name: str
    help_text: str
    sensitive: bool
    order: int
    questions: list[InstrumentEditQuestionOut]


class InstrumentRuleOut(Schema):
    id: int
    kind: str
    code: str
    label: str
    reason: str
    conditions: list[dict[str, Any]]
    order: int


class InstrumentVersionOut(Schema):
    id: int
    number: int
    title: str
    status: str = Field(description="DRAFT, BERLAKU (in force) or DICABUT (retired).")
    notes: str
    agency: str | None = Field(description="The agency that drafted it; none for the shipped default.")
    editable: bool = Field(description="True when it is your agency's draft.")
    domains: list[InstrumentEditDomainOut]
    rules: list[InstrumentRuleOut]


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def _version_out(request: AuthedRequest, version_id: int) -> InstrumentVersionOut:
    from sinergi.assessments.models import VersionStatus
    from sinergi.assessments.selectors import get_instrument_version_for_editor

    version = get_instrument_version_for_editor(request.user, version_id)
    return InstrumentVersionOut(
        id=version.pk,
        number=version.number,
        title=version.title,
        status=version.status,
        notes=version.notes,
        agency=version.agency.name if version.agency else None,
        editable=version.status == VersionStatus.DRAFT and version.agency_id == request.user.agency_id,
        domains=[
            InstrumentEditDomainOut(
                id=d.pk,
                code=d.code,
                name=d.name,
                help_text=d.help_text,
                sensitive=d.sensitive,
                order=d.order,
                questions=[
                    InstrumentEditQuestionOut(
                        id=q.pk,
                        code=q.code,
                        kind=q.kind,
                        label=q.label,
                        help_text=q.help_text,
                        required=q.required,
                        min_value=_float(q.min_value),
                        max_value=_float(q.max_value),
                        choices=q.choices,
                        scored=q.scored,
                        reverse=q.reverse,
                        order=q.order,
                    )
                    for q in d.questions.all()
                ],
            )
            for d in version.domains.prefetch_related("questions")
        ],
        rules=[
            InstrumentRuleOut(
                id=r.pk,
                kind=r.kind,
                code=r.code,
                label=r.label,
                reason=r.reason,
                conditions=r.conditions,
                order=r.order,
            )
            for r in version.rules.all()
        ],
    )


def _editor_refused(error: Exception) -> Status[ErrorOut]:
    if isinstance(error, InvalidData):
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))
    if isinstance(error, PermissionDenied):
        return Status(403, ErrorOut(detail=str(error)))
    return Status(409, ErrorOut(detail=str(error)))


def _require_editor(request: AuthedRequest) -> None:
    require_scope(request, "cases:write")
    if not request.user.has_capability(Capability.EDIT_INSTRUMENT):
        raise PermissionDenied(_("Only your agency's administrator edits the assessment instrument."))


EDITOR_REFUSALS = (InvalidData, PermissionDenied, services.InstrumentError)


def _decimal(value: float | None) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None


@router.post(
    "/instrument/versions",
    response={201: InstrumentVersionOut, **EDITOR_ERRORS},
    summary="Make a draft version of the instrument (a copy; admin)",
)
def instrument_draft(request: AuthedRequest, payload: InstrumentDraftIn) -> Any:
    _require_editor(request)
    try:
        draft = services.create_instrument_draft(actor=request.user, copy_from_id=payload.copy_from)
    except EDITOR_REFUSALS as error:
        return _editor_refused(error)
    return Status(201, _version_out(request, draft.pk))


@router.get(
    "/instrument/versions/{version_id}",
    response={200: InstrumentVersionOut, 403: ErrorOut, 404: ErrorOut},
    summary="One instrument version with its domains, questions and rules (admin)",
)
def instrument_version(request: AuthedRequest, version_id: int) -> Any:
    require_scope(request, "cases:read")
    if not request.user.has_capability(Capability.EDIT_INSTRUMENT):
        raise PermissionDenied(_("Only your agency's administrator edits the assessment instrument."))
    return Status(200, _version_out(request, version_id))


@router.patch(
    "/instrument/versions/{version_id}",
    response={200: InstrumentVersionOut, **EDITOR_ERRORS},
    summary="Change a draft's title and notes",
)
def instrument_version_update(request: AuthedRequest, version_id: int, payload: InstrumentVersionPatchIn) -> Any:
    _require_editor(request)
    try:
        services.update_instrument_draft(
            actor=request.user, version_id=version_id, title=payload.title, notes=payload.notes
        )
    except EDITOR_REFUSALS as error:
        return _editor_refused(error)
    return Status(200, _version_out(request, version_id))


@router.post(
    "/instrument/versions/{version_id}/domains",
    response={201: InstrumentVersionOut, **EDITOR_ERRORS},
    summary="Add a domain to a draft",
)
def instrument_domain_add(request: AuthedRequest, version_id: int, payload: InstrumentDomainIn) -> Any:
    _require_editor(request)
    try:
        services.save_domain(actor=request.user, version_id=version_id, data=services.DomainInput(**payload.dict()))
    except EDITOR_REFUSALS as error:
        return _editor_refused(error)
    return Status(201, _version_out(request, version_id))


def _question_input(payload: InstrumentQuestionIn) -> services.QuestionInput:
    values = payload.dict()
    values["min_value"], values["max_value"] = _decimal(payload.min_value), _decimal(payload.max_value)
    return services.QuestionInput(**values)


@router.post(
    "/instrument/versions/{version_id}/questions",
    response={201: InstrumentVersionOut, **EDITOR_ERRORS},
    summary="Add a typed question to a draft",
)
def instrument_question_add(request: AuthedRequest, version_id: int, payload: InstrumentQuestionIn) -> Any:
    _require_editor(request)
    try:
        services.save_question(actor=request.user, version_id=version_id, data=_question_input(payload))
    except EDITOR_REFUSALS as error:
        return _editor_refused(error)
    return Status(201, _version_out(request, version_id))


@router.put(
    "/instrument/versions/{version_id}/questions/{question_id}",
    response={200: InstrumentVersionOut, **EDITOR_ERRORS},
    summary="Change a draft's question",
)
def instrument_question_update(
    request: AuthedRequest, version_id: int, question_id: int, payload: InstrumentQuestionIn
) -> Any:
    _require_editor(request)
    try:
        services.save_question(
            actor=request.user, version_id=version_id, data=_question_input(payload), question_id=question_id
        )
    except EDITOR_REFUSALS as error:
        return _editor_refused(error)
    return Status(200, _version_out(request, version_id))


@router.delete(
    "/instrument/versions/{version_id}/questions/{question_id}",
    response={200: InstrumentVersionOut, **EDITOR_ERRORS},
    summary="Remove a question from a draft",
)
def instrument_question_remove(request: AuthedRequest, version_id: int, question_id: int) -> Any:
    _require_editor(request)
    try:
        services.remove_question(actor=request.user, version_id=version_id, question_id=question_id)
    except EDITOR_REFUSALS as error:
        return _editor_refused(error)
    return Status(200, _version_out(request, version_id))


@router.post(
    "/instrument/versions/{version_id}/rules",
    response={201: InstrumentVersionOut, **EDITOR_ERRORS},
    summary="Add a recommendation rule to a draft",
)
def instrument_rule_add(request: AuthedRequest, version_id: int, payload: InstrumentRuleIn) -> Any:
    _require_editor(request)
    try:
        services.save_rule(actor=request.user, version_id=version_id, data=services.RuleInput(**payload.dict()))
    except EDITOR_REFUSALS as error:
        return _editor_refused(error)
    return Status(201, _version_out(request, version_id))


@router.delete(
    "/instrument/versions/{version_id}/rules/{rule_id}",
    response={200: InstrumentVersionOut, **EDITOR_ERRORS},
    summary="Remove a recommendation rule from a draft",
)
def instrument_rule_remove(request: AuthedRequest, version_id: int, rule_id: int) -> Any:
    _require_editor(request)
    try:
        services.remove_rule(actor=request.user, version_id=version_id, rule_id=rule_id)
    except EDITOR_REFUSALS as error:
        return _editor_refused(error)
    return Status(200, _version_out(request, version_id))


@router.post(
    "/instrument/versions/{version_id}/publish",
    response={200: InstrumentVersionOut, **EDITOR_ERRORS},
    summary="Put a draft in force; the version in force before is retired (its assessments keep it)",
)
def instrument_publish(request: AuthedRequest, version_id: int) -> Any:
    _require_editor(request)
    try:
        services.publish_instrument_version(actor=request.user, version_id=version_id)
    except EDITOR_REFUSALS as error:
        return _editor_refused(error)
    return Status(200, _version_out(request, version_id))
