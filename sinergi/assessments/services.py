"""Every write of needs assessments: drafts as the worker types, and completing an assessment (validation,
domain scores, recommendations, consent, audit) in one transaction.

Completing is idempotent on the form's submission key: a second submit of the same form (a double click, the
offline queue resending after the connection came back) returns the assessment the first one made.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.assessments.models import (
    Assessment,
    AssessmentDraft,
    ConsentBy,
    Domain,
    InstrumentVersion,
    Question,
    QuestionKind,
    Recommendation,
    RecommendationKind,
    RecommendationRule,
    VersionStatus,
)
from sinergi.assessments.scoring import Instrument, clean_answers, domain_scores, evaluate_rules
from sinergi.assessments.selectors import active_version
from sinergi.audit.events import record_event
from sinergi.cases.models import Consent, ConsentGiver, ConsentMethod, ConsentScope
from sinergi.referrals.models import LawfulBasis
from sinergi.registry.models import Person
from sinergi.registry.selectors import get_person_for_user
from sinergi.registry.services import InvalidData

MAX_DRAFT_VALUES = 200
MAX_DRAFT_TEXT = 2000


class AssessmentError(Exception):
    """A refused assessment operation (a conflict); the message says why and what to do."""


def _require_assessor(actor: User) -> None:
    if not actor.is_authenticated or not (
        actor.has_capability(Capability.MANAGE_CASES) or actor.has_capability(Capability.HANDLE_REFERRALS)
    ):
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))


def parse_key(key: str | uuid.UUID) -> uuid.UUID:
    try:
        return key if isinstance(key, uuid.UUID) else uuid.UUID(str(key))
    except ValueError:
        raise InvalidData({"submission_key": [_("The form is damaged: reload the page.")]}) from None


@transaction.atomic
def save_draft(*, actor: User, person_id: int, submission_key: str, values: dict[str, str]) -> AssessmentDraft:
    """Keep what was typed so far (only its author reads it). Nothing is validated: a draft may be half-done."""
    _require_assessor(actor)
    person = get_person_for_user(actor, person_id)
    key = parse_key(submission_key)
    if Assessment.objects.filter(submission_key=key).exists():
        raise AssessmentError(_("This assessment was already submitted; its draft is closed."))
    clean = {str(k)[:60]: str(v)[:MAX_DRAFT_TEXT] for k, v in list(values.items())[:MAX_DRAFT_VALUES]}
    draft, created = AssessmentDraft.objects.select_for_update().get_or_create(
        submission_key=key, defaults={"person": person, "author": actor, "values": clean}
    )
    if not created:
        if draft.author_id != actor.pk or draft.person_id != person.pk:
            raise Http404
        draft.values = clean
        draft.updated_at = timezone.now()
        draft.save(update_fields=["values", "updated_at"])
    return draft


@dataclass
class AssessmentInput:
    person_id: int
    submission_key: str
    answers: dict[str, str]
    consent_by: str = ""
    consent_name: str = ""
    case_id: int | None = None
    referral_id: int | None = None
    consent_id: int | None = None
    consent_method: str = "TERTULIS"
    lawful_basis: str = ""
    lawful_basis_note: str = ""


def _context(actor: User, data: AssessmentInput, person_id: int) -> tuple[int | None, int | None]:
    """The case (own agency) or referral (received) the assessment is made under, checked against the person."""
    case_id = referral_id = None
    if data.case_id:
        from sinergi.cases.selectors import get_case_for_user

        case = get_case_for_user(actor, data.case_id)
        if case.person_id != person_id:
            raise InvalidData({"case_id": [_("This case is about another person.")]})
        case_id = case.pk
    if data.referral_id:
        from sinergi.referrals.selectors import get_referral_for_user

        referral = get_referral_for_user(actor, data.referral_id)
        if referral.case.person_id != person_id:
            raise InvalidData({"referral_id": [_("This referral is about another person.")]})
        referral_id = referral.pk
    return case_id, referral_id


def complete_assessment(*, actor: User, data: AssessmentInput) -> tuple[Assessment, bool]:
    """(assessment, created). Refuses with InvalidData naming each answer to fix; saves nothing then."""
    _require_assessor(actor)
    get_person_for_user(actor, data.person_id)  # 404 first: a key says nothing to someone who may not see the person
    key = parse_key(data.submission_key)
    existing = Assessment.objects.filter(submission_key=key).first()
    if existing is not None:
        return _same_submission(actor, data, existing), False
    try:
        with transaction.atomic():
            return _complete(actor, data, key), True
    except IntegrityError:
        # The same key committed by a concurrent request (both passed the check above): theirs stands.
        existing = Assessment.objects.filter(submission_key=key).first()
        if existing is None:
            raise
        return _same_submission(actor, data, existing), False


def _consent_by(consent: Consent) -> str:
    return {ConsentGiver.PARENT: ConsentBy.PARENT, ConsentGiver.GUARDIAN: ConsentBy.GUARDIAN}.get(
        ConsentGiver(consent.given_by), ConsentBy.SELF
    )


def _consent_for(
    actor: User, data: AssessmentInput, person: Person, case_id: int | None
) -> tuple[Consent | None, dict[str, list[str]]]:
    """The consent the assessment is made under, and what to fix when there is none.

    In order: a consent recorded on one of the person's cases the actor's agency owns (`consent_id`); the consent
    ticked in the form — recorded through the cases' consent service on the case the assessment is made under when
    the agency owns one, else kept on the assessment (a receiving agency cannot write into the sender's case); a
    lawful basis a supervisor records (UU PDP), as for sending a referral without consent. Nothing: refused.
    """
    from sinergi.cases.selectors import cases_visible_to
    from sinergi.cases.services import ConsentData, record_consent

    errors: dict[str, list[str]] = {}
    child = person.flag_child or person.is_minor
    if data.consent_id:
        consent = (
            Consent.objects.active()
            .filter(
                pk=data.consent_id,
                case__in=cases_visible_to(actor).filter(person=person),
                scope__in=(ConsentScope.ASSESSMENT, ConsentScope.REHABILITATION),
            )
            .select_related("case")
            .first()
        )
        if consent is None:
            errors["consent_id"] = [_("Choose a consent to assessment recorded on one of this person's cases.")]
        elif child and consent.given_by not in (ConsentGiver.PARENT, ConsentGiver.GUARDIAN):
            errors["consent_id"] = [_("The person is a child: a parent or guardian must consent.")]
        return consent, errors
    if data.consent_by or data.consent_name.strip():
        if data.consent_by not in ConsentBy.values:
            errors["consent_by"] = [_("Choose who gave consent to this assessment.")]
        elif child and data.consent_by == ConsentBy.SELF:
            errors["consent_by"] = [_("The person is a child: a parent or guardian must consent.")]
        if not data.consent_name.strip():
            errors["consent_name"] = [_("Write the name of the person who consented.")]
        if errors:
            return None, errors
        own_case = case_id is not None and cases_visible_to(actor).filter(pk=case_id, agency_id=actor.agency_pk)
        if own_case and own_case.exists():
            consent = record_consent(
                actor=actor,
                case_id=case_id,  # type: ignore[arg-type]
                data=ConsentData(
                    scope=ConsentScope.ASSESSMENT,
                    given_by=data.consent_by,
                    giver_name=data.consent_name,
                    method=data.consent_method if data.consent_method in ConsentMethod.values else "TERTULIS",
                ),
            )
            return consent, errors
        return None, errors
    if data.lawful_basis:
        if not actor.has_capability(Capability.OVERRIDE_CONSENT):
            errors["lawful_basis"] = [
                _("Only a supervisor may assess without consent on a lawful basis. Record the consent instead.")
            ]
        elif data.lawful_basis not in LawfulBasis.values or not data.lawful_basis_note.strip():
            errors["lawful_basis"] = [_("Choose the lawful basis and write why consent cannot be obtained.")]
        return None, errors
    errors["consent"] = [
        _(
            "Record the consent to this assessment (who gave it and their name) or, for a supervisor, the lawful "
            "basis: an assessment is not completed without one."
        )
    ]
    return None, errors


def _same_submission(actor: User, data: AssessmentInput, existing: Assessment) -> Assessment:
    if existing.by_id != actor.pk or existing.person_id != data.person_id:
        raise AssessmentError(_("This form was already used for another assessment. Reload the page."))
    return existing


def _complete(actor: User, data: AssessmentInput, key: uuid.UUID) -> Assessment:
    person = get_person_for_user(actor, data.person_id)
    if person.merged_into_id is not None:
        raise AssessmentError(_("This record was merged into another: assess the person on the surviving record."))
    version = active_version()
    instrument = Instrument.load(version.pk)
    answers, errors = clean_answers(instrument, data.answers)
    case_id, referral_id = _context(actor, data, person.pk)
    consent, consent_errors = _consent_for(actor, data, person, case_id)
    errors.update(consent_errors)
    if errors:
        raise InvalidData(errors)
    scores = domain_scores(instrument, answers)
    sensitive_q, sensitive_d = instrument.sensitive_codes, instrument.sensitive_domains
    assessment = Assessment.objects.create(
        person=person,
        agency_id=actor.agency_pk,
        case_id=case_id,
        referral_id=referral_id,
        version=version,
        answers={k: v for k, v in answers.items() if k not in sensitive_q},
        sensitive_answers={k: v for k, v in answers.items() if k in sensitive_q},
        scores={k: v for k, v in scores.items() if k not in sensitive_d},
        sensitive_scores={k: v for k, v in scores.items() if k in sensitive_d},
        consent=consent,
        consent_by=_consent_by(consent) if consent else data.consent_by if not data.lawful_basis else "",
        consent_name=consent.giver_name[:200] if consent else data.consent_name.strip()[:200],
        lawful_basis=data.lawful_basis if consent is None and not data.consent_by else "",
        lawful_basis_note=data.lawful_basis_note.strip() if consent is None and not data.consent_by else "",
        submission_key=key,
        by=actor,
    )
    rules = list(version.rules.all())
    Recommendation.objects.bulk_create(
        Recommendation(
            assessment=assessment,
            kind=fired.rule.kind,
            code=fired.rule.code,
            label=fired.rule.label,
            reason=fired.rule.reason,
            rule=fired.rule.conditions,
            evidence=fired.evidence,
            uses_sensitive=fired.uses_sensitive,
        )
        for fired in evaluate_rules(instrument, rules, answers, scores)
    )
    AssessmentDraft.objects.filter(submission_key=key).delete()
    # The audit detail names no answers: the log must not become a second copy of health data.
    record_event(
        actor=actor,
        action="assessment.completed",
        obj=assessment,
        summary=f"person {person.pk}, version {version.number}",
        detail={
            "person_id": person.pk,
            "version": version.number,
            "scores": assessment.scores,
            "consent_id": assessment.consent_id,
            "lawful_basis": assessment.lawful_basis,
        },
    )
    return assessment


# --- the instrument, edited by an agency administrator ------------------------------------------------------------
#
# Like the joint SOP: a version in force (or retired) is never changed in place. An administrator makes a draft
# (a copy of the version in force), edits its domains, questions and rules, and publishes it; the version in
# force before is retired and every assessment keeps the version it was made with. A draft belongs to the
# agency whose administrator made it: another agency's administrator gets "not found", like any record not theirs.

QUESTION_CODE = r"^[a-z][a-z0-9_]{0,39}$"
RULE_OPS = ("eq", "ne", "lt", "lte", "gt", "gte", "in", "answered")


class InstrumentError(Exception):
    """A refused instrument edit (the version is not a draft, or not ready to publish); the message says why."""


def _require_editor(actor: User) -> None:
    if not actor.is_authenticated or actor.agency_id is None or not actor.has_capability(Capability.EDIT_INSTRUMENT):
        raise PermissionDenied(_("Only your agency's administrator edits the assessment instrument."))


def _locked_draft(actor: User, version_id: int) -> InstrumentVersion:
    version = InstrumentVersion.objects.select_for_update().filter(pk=version_id).first()
    if version is None or (version.status == VersionStatus.DRAFT and version.agency_id != actor.agency_id):
        raise Http404
    if version.status != VersionStatus.DRAFT:
        raise InstrumentError(
            _("Version %(n)s is %(status)s and cannot be changed: make a new version, edit it and publish it.")
            % {"n": version.number, "status": VersionStatus(version.status).label}
        )
    return version


def _err(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


@transaction.atomic
def create_instrument_draft(*, actor: User, copy_from_id: int | None = None) -> InstrumentVersion:
    """A new draft: a copy of `copy_from_id` (a version in force or retired, or the agency's own draft), by
    default of the version in force."""
    from sinergi.assessments.instrument import copy_version

    _require_editor(actor)
    source = active_version() if copy_from_id is None else InstrumentVersion.objects.filter(pk=copy_from_id).first()
    if source is None or (source.status == VersionStatus.DRAFT and source.agency_id != actor.agency_id):
        raise Http404
    # Numbers are unique: serialise drafting so two administrators cannot take the same number.
    list(InstrumentVersion.objects.select_for_update().order_by("-number").values_list("pk", flat=True)[:1])
    draft = copy_version(source)
    draft.agency_id = actor.agency_pk
    draft.created_by = actor
    draft.save(update_fields=["agency", "created_by"])
    record_event(
        actor=actor,
        action="instrument.draft_created",
        obj=draft,
        summary=f"v{draft.number}",
        detail={"copied_from": source.number},
    )
    return draft


@transaction.atomic
def update_instrument_draft(*, actor: User, version_id: int, title: str, notes: str = "") -> InstrumentVersion:
    _require_editor(actor)
    version = _locked_draft(actor, version_id)
    if not title.strip():
        raise InvalidData({"title": [_("Write the title of the instrument.")]})
    version.title, version.notes = title.strip()[:200], notes.strip()
    version.save(update_fields=["title", "notes"])
    record_event(actor=actor, action="instrument.draft_updated", obj=version, summary=f"v{version.number}")
    return version


@dataclass
class DomainInput:
    code: str
    name: str
    help_text: str = ""
    order: int = 100
    sensitive: bool = False


@transaction.atomic
def save_domain(*, actor: User, version_id: int, data: DomainInput, domain_id: int | None = None) -> Domain:
    """Add a domain to a draft, or change one of its domains."""
    _require_editor(actor)
    version = _locked_draft(actor, version_id)
    domain = None
    if domain_id is not None:
        domain = Domain.objects.filter(version=version, pk=domain_id).first()
        if domain is None:
            raise Http404
    errors: dict[str, list[str]] = {}
    code = data.code.strip()
    if not re.fullmatch(QUESTION_CODE, code):
        _err(errors, "code", _("Use lowercase letters, digits and _ (start with a letter), e.g. ekonomi."))
    elif version.domains.filter(code=code).exclude(pk=domain.pk if domain else 0).exists():
        _err(errors, "code", _("This version already has a domain with this code."))
    if not data.name.strip():
        _err(errors, "name", _("Write the name of the domain."))
    if errors:
        raise InvalidData(errors)
    domain = domain or Domain(version=version)
    domain.code, domain.name, domain.help_text = code, data.name.strip()[:120], data.help_text.strip()
    domain.order, domain.sensitive = max(0, min(int(data.order), 32767)), bool(data.sensitive)
    domain.save()
    record_event(actor=actor, action="instrument.domain_saved", obj=version, summary=f"v{version.number} {code}")
    return domain


@dataclass
class QuestionInput:
    domain_id: int
    code: str
    kind: str
    label: str
    help_text: str = ""
    required: bool = False
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    choices: list[list[Any]] = field(default_factory=list)
    scored: bool = False
    reverse: bool = False
    order: int = 100


def _check_choices(raw: list[list[Any]], errors: dict[str, list[str]]) -> list[list[Any]]:
    clean: list[list[Any]] = []
    seen: set[str] = set()
    for row in raw:
        if not isinstance(row, (list, tuple)) or len(row) not in (2, 3):
            _err(errors, "choices", _("Each choice is: value, label, points 0-100."))
            return []
        value, label = str(row[0]).strip(), str(row[1]).strip()
        points: Any = row[2] if len(row) == 3 else 0
        try:
            points = int(points)
        except (TypeError, ValueError):
            points = -1
        if not value or not label or not 0 <= points <= 100:
            _err(errors, "choices", _("Each choice is: value, label, points 0-100."))
            return []
        if value in seen:
            _err(errors, "choices", _("The value %(value)s appears twice.") % {"value": value})
            return []
        seen.add(value)
        clean.append([value, label, points])
    return clean


@transaction.atomic
def save_question(*, actor: User, version_id: int, data: QuestionInput, question_id: int | None = None) -> Question:
    """Add a typed question to a draft's domain, or change one. Codes are unique in the version (rules name them)."""
    _require_editor(actor)
    version = _locked_draft(actor, version_id)
    question = None
    if question_id is not None:
        question = Question.objects.filter(domain__version=version, pk=question_id).first()
        if question is None:
            raise Http404
    errors: dict[str, list[str]] = {}
    domain = Domain.objects.filter(version=version, pk=data.domain_id).first()
    if domain is None:
        _err(errors, "domain_id", _("Choose the domain from the list."))
    code = data.code.strip()
    if not re.fullmatch(QUESTION_CODE, code):
        _err(errors, "code", _("Use lowercase letters, digits and _ (start with a letter), e.g. income."))
    elif (
        Question.objects.filter(domain__version=version, code=code).exclude(pk=question.pk if question else 0)
    ).exists():
        _err(errors, "code", _("This version already has a question with this code."))
    if data.kind not in QuestionKind.values:
        _err(errors, "kind", _("Choose the kind of answer."))
    if not data.label.strip():
        _err(errors, "label", _("Write the question."))
    for name in ("min_value", "max_value"):
        bound = getattr(data, name)
        if bound is not None and (not bound.is_finite() or abs(bound) >= Decimal(10) ** 12):
            _err(errors, name, _("Enter a number below 1.000.000.000.000."))
            setattr(data, name, None)
    if data.min_value is not None and data.max_value is not None and data.min_value > data.max_value:
        _err(errors, "max_value", _("The maximum is below the minimum."))
    if data.kind == QuestionKind.SCALE and (data.min_value is None or data.max_value is None):
        _err(errors, "max_value", _("A scale needs a minimum and a maximum, e.g. 1 and 5."))
    choices = _check_choices(data.choices, errors) if data.kind == QuestionKind.CHOICE else []
    if (data.kind == QuestionKind.CHOICE and not choices and "choices" not in errors) or (
        data.kind == QuestionKind.CHOICE and len(choices) < 2 and "choices" not in errors
    ):
        _err(errors, "choices", _("A choice question needs at least two choices."))
    if data.scored and data.kind not in (QuestionKind.NUMBER, QuestionKind.SCALE, QuestionKind.CHOICE):
        _err(errors, "scored", _("Only number, scale and choice answers count in the score."))
    if data.scored and data.kind == QuestionKind.NUMBER and (data.min_value is None or data.max_value is None):
        _err(errors, "scored", _("A scored number needs a minimum and a maximum."))
    if errors:
        raise InvalidData(errors)
    assert domain is not None
    question = question or Question()
    question.domain = domain
    question.code, question.kind, question.label = code, data.kind, data.label.strip()[:300]
    question.help_text, question.required = data.help_text.strip()[:400], bool(data.required)
    question.min_value, question.max_value, question.choices = data.min_value, data.max_value, choices
    question.scored, question.reverse = bool(data.scored), bool(data.reverse)
    question.order = max(0, min(int(data.order), 32767))
    question.save()
    record_event(actor=actor, action="instrument.question_saved", obj=version, summary=f"v{version.number} {code}")
    return question


@transaction.atomic
def remove_question(*, actor: User, version_id: int, question_id: int) -> None:
    _require_editor(actor)
    version = _locked_draft(actor, version_id)
    question = Question.objects.filter(domain__version=version, pk=question_id).first()
    if question is None:
        raise Http404
    code = question.code
    question.delete()
    record_event(actor=actor, action="instrument.question_removed", obj=version, summary=f"v{version.number} {code}")


@dataclass
class RuleInput:
    kind: str
    code: str
    label: str
    reason: str
    conditions: list[dict[str, Any]]
    order: int = 100


def _check_conditions(version: InstrumentVersion, conditions: list[dict[str, Any]]) -> list[str]:
    questions = set(Question.objects.filter(domain__version=version).values_list("code", flat=True))
    domains = set(version.domains.values_list("code", flat=True))
    problems: list[str] = []
    if not conditions:
        problems.append(_("A rule needs at least one condition."))
    for condition in conditions:
        if not isinstance(condition, dict) or condition.get("op") not in RULE_OPS:
            problems.append(_("Each condition names a question or a domain, an operator and a value."))
            continue
        if "question" in condition and condition["question"] not in questions:
            problems.append(_("There is no question %(code)s in this version.") % {"code": condition["question"]})
        elif "domain" in condition and condition["domain"] not in domains:
            problems.append(_("There is no domain %(code)s in this version.") % {"code": condition["domain"]})
        elif "question" not in condition and "domain" not in condition:
            problems.append(_("Each condition names a question or a domain, an operator and a value."))
    return problems


@transaction.atomic
def save_rule(*, actor: User, version_id: int, data: RuleInput, rule_id: int | None = None) -> RecommendationRule:
    """Add a recommendation rule to a draft, or change one; its conditions must name the version's codes."""
    _require_editor(actor)
    version = _locked_draft(actor, version_id)
    rule = None
    if rule_id is not None:
        rule = RecommendationRule.objects.filter(version=version, pk=rule_id).first()
        if rule is None:
            raise Http404
    errors: dict[str, list[str]] = {}
    if data.kind not in RecommendationKind.values:
        _err(errors, "kind", _("Choose what kind of thing is recommended."))
    if not data.code.strip():
        _err(errors, "code", _("Write the code of what is recommended, e.g. atensi-a5 or modal-usaha."))
    if not data.label.strip():
        _err(errors, "label", _("Write what is recommended."))
    if not data.reason.strip():
        _err(errors, "reason", _("Write the reason shown with the recommendation."))
    for problem in _check_conditions(version, data.conditions):
        _err(errors, "conditions", problem)
    if errors:
        raise InvalidData(errors)
    rule = rule or RecommendationRule(version=version)
    rule.kind, rule.code, rule.label = data.kind, data.code.strip()[:40], data.label.strip()[:200]
    rule.reason, rule.conditions = data.reason.strip()[:300], data.conditions
    rule.order = max(0, min(int(data.order), 32767))
    rule.save()
    record_event(actor=actor, action="instrument.rule_saved", obj=version, summary=f"v{version.number} {rule.code}")
    return rule


@transaction.atomic
def remove_rule(*, actor: User, version_id: int, rule_id: int) -> None:
    _require_editor(actor)
    version = _locked_draft(actor, version_id)
    rule = RecommendationRule.objects.filter(version=version, pk=rule_id).first()
    if rule is None:
        raise Http404
    code = rule.code
    rule.delete()
    record_event(actor=actor, action="instrument.rule_removed", obj=version, summary=f"v{version.number} {code}")


@transaction.atomic
def publish_instrument_version(*, actor: User, version_id: int) -> InstrumentVersion:
    """The draft comes into force; the version in force before is retired (its assessments keep it)."""
    from sinergi.assessments.instrument import activate_version

    _require_editor(actor)
    version = _locked_draft(actor, version_id)
    if not Question.objects.filter(domain__version=version).exists():
        raise InstrumentError(_("The version has no questions: add at least one before publishing it."))
    problems = [p for rule in version.rules.all() for p in _check_conditions(version, rule.conditions)]
    if problems:
        raise InstrumentError(
            _("Some recommendation rules name questions or domains that are gone: %(problems)s")
            % {"problems": " ".join(problems)}
        )
    # Lock the version in force too, so two administrators publishing at once retire it once.
    previous = list(InstrumentVersion.objects.select_for_update().filter(status=VersionStatus.ACTIVE))
    activate_version(version)
    record_event(
        actor=actor,
        action="instrument.published",
        obj=version,
        summary=f"v{version.number}",
        detail={"retired": [v.number for v in previous]},
    )
    return version
