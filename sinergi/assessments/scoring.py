"""Validating answers against the instrument's typed questions, domain scores, and recommendation rules.

Scores are "need" points 0-100 per domain (higher = more need): the average of its scored, answered questions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from sinergi.assessments.models import Domain, Question, QuestionKind, RecommendationRule

Answer = int | float | str


@dataclass
class Instrument:
    """A version's domains with their questions, loaded once."""

    domains: list[Domain]
    questions: dict[str, Question] = field(default_factory=dict)
    domain_of: dict[str, Domain] = field(default_factory=dict)

    @classmethod
    def load(cls, version_id: int) -> Instrument:
        domains = list(Domain.objects.filter(version_id=version_id).prefetch_related("questions"))
        instrument = cls(domains=domains)
        for domain in domains:
            for question in domain.questions.all():
                instrument.questions[question.code] = question
                instrument.domain_of[question.code] = domain
        return instrument

    @property
    def sensitive_codes(self) -> frozenset[str]:
        return frozenset(code for code, domain in self.domain_of.items() if domain.sensitive)

    @property
    def sensitive_domains(self) -> frozenset[str]:
        return frozenset(d.code for d in self.domains if d.sensitive)


def _number(text: str) -> Decimal | None:
    """Numbers as people type them: 1500000, 1.500.000 (Indonesian thousands), 2,5 (decimal comma)."""
    cleaned = text.strip().replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", cleaned):
        cleaned = cleaned.replace(".", "")
    cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _range_message(question: Question) -> str:
    return _("Enter a value between %(min)s and %(max)s.") % {
        "min": f"{question.min_value.normalize():f}" if question.min_value is not None else "…",
        "max": f"{question.max_value.normalize():f}" if question.max_value is not None else "…",
    }


def clean_answer(question: Question, raw: str) -> tuple[Answer | None, str | None]:
    """(value, None) or (None, message saying what to fix). An empty answer is (None, None) unless required."""
    text = (raw or "").strip()
    if not text:
        return None, (_("Answer this question.") if question.required else None)
    if question.kind in (QuestionKind.NUMBER, QuestionKind.SCALE):
        value = _number(text)
        if value is None:
            return None, _("Enter a number, e.g. 1500000.")
        if question.kind == QuestionKind.SCALE and value != value.to_integral_value():
            return None, _range_message(question)
        if (question.min_value is not None and value < question.min_value) or (
            question.max_value is not None and value > question.max_value
        ):
            return None, _range_message(question)
        return (int(value) if value == value.to_integral_value() else float(value)), None
    if question.kind in (QuestionKind.CHOICE, QuestionKind.YESNO):
        allowed = [str(option[0]) for option in question.choices]
        if text not in allowed:
            return None, _("Choose one of the options.")
        return text, None
    if question.kind == QuestionKind.DATE:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return None, _("Enter a date as YYYY-MM-DD.")
        if day.year < 1950:
            return None, _("The date is too early: check the year.")
        return day.isoformat(), None
    return text[:2000], None


def clean_answers(instrument: Instrument, raw: dict[str, str]) -> tuple[dict[str, Answer], dict[str, list[str]]]:
    answers: dict[str, Answer] = {}
    errors: dict[str, list[str]] = {}
    for code, question in instrument.questions.items():
        value, message = clean_answer(question, str(raw.get(code, "") or ""))
        if message:
            errors[code] = [message]
        elif value is not None:
            answers[code] = value
    return answers, errors


def question_points(question: Question, value: Answer) -> float | None:
    if not question.scored:
        return None
    if question.kind in (QuestionKind.CHOICE, QuestionKind.YESNO):
        for option in question.choices:
            if str(option[0]) == str(value) and len(option) > 2:
                return float(option[2])
        return None
    if question.kind in (QuestionKind.NUMBER, QuestionKind.SCALE) and isinstance(value, (int, float)):
        low = float(question.min_value) if question.min_value is not None else 0.0
        high = float(question.max_value) if question.max_value is not None else low + 1
        share = min(max((float(value) - low) / (high - low), 0.0), 1.0) if high > low else 0.0
        return 100 * (1 - share) if question.reverse else 100 * share
    return None


def domain_scores(instrument: Instrument, answers: dict[str, Answer]) -> dict[str, int]:
    scores: dict[str, int] = {}
    for domain in instrument.domains:
        points = [
            p
            for q in domain.questions.all()
            if q.code in answers and (p := question_points(q, answers[q.code])) is not None
        ]
        if points:
            scores[domain.code] = round(sum(points) / len(points))
    return scores


def _holds(op: str, actual: Any, expected: Any) -> bool:
    if op == "answered":
        return actual is not None
    if actual is None:
        return False
    if op == "eq":
        return str(actual) == str(expected)
    if op == "ne":
        return str(actual) != str(expected)
    if op == "in":
        return str(actual) in [str(v) for v in expected]
    try:
        left, right = float(actual), float(expected)
    except (TypeError, ValueError):
        return False
    return {"lt": left < right, "lte": left <= right, "gt": left > right, "gte": left >= right}.get(op, False)


@dataclass(frozen=True)
class Fired:
    rule: RecommendationRule
    evidence: dict[str, Any]
    uses_sensitive: bool


def evaluate_rules(
    instrument: Instrument, rules: list[RecommendationRule], answers: dict[str, Answer], scores: dict[str, int]
) -> list[Fired]:
    """The rules whose conditions all hold, with the answers and scores they read (the reason's evidence)."""
    sensitive_q, sensitive_d = instrument.sensitive_codes, instrument.sensitive_domains
    fired: list[Fired] = []
    for rule in rules:
        evidence: dict[str, Any] = {}
        uses_sensitive = False
        holds = bool(rule.conditions)
        for condition in rule.conditions:
            if "question" in condition:
                key, actual = condition["question"], answers.get(condition["question"])
                uses_sensitive |= key in sensitive_q
                evidence[key] = actual
            else:
                key, actual = f"score:{condition.get('domain')}", scores.get(str(condition.get("domain")))
                uses_sensitive |= condition.get("domain") in sensitive_d
                evidence[key] = actual
            if not _holds(str(condition.get("op")), actual, condition.get("value")):
                holds = False
                break
        if holds:
            fired.append(Fired(rule=rule, evidence=evidence, uses_sensitive=uses_sensitive))
    return fired
