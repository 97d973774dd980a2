"""Every write of needs assessments: drafts as the worker types, and completing an assessment (validation,
domain scores, recommendations, consent, audit) in one transaction.

Completing is idempotent on the form's submission key: a second submit of the same form (a double click, the
offline queue resending after the connection came back) returns the assessment the first one made.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.assessments.models import Assessment, AssessmentDraft, ConsentBy, Recommendation
from sinergi.assessments.scoring import Instrument, clean_answers, domain_scores, evaluate_rules
from sinergi.assessments.selectors import active_version
from sinergi.audit.events import record_event
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
    consent_by: str
    consent_name: str
    case_id: int | None = None
    referral_id: int | None = None


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
    if data.consent_by not in ConsentBy.values:
        errors["consent_by"] = [_("Choose who gave consent to this assessment.")]
    elif person.flag_child and data.consent_by == ConsentBy.SELF:
        errors["consent_by"] = [_("The person is a child: a parent or guardian must consent.")]
    if not data.consent_name.strip():
        errors["consent_name"] = [_("Write the name of the person who consented.")]
    if errors:
        raise InvalidData(errors)
    case_id, referral_id = _context(actor, data, person.pk)
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
        consent_by=data.consent_by,
        consent_name=data.consent_name.strip()[:200],
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
        detail={"person_id": person.pk, "version": version.number, "scores": assessment.scores},
    )
    return assessment
