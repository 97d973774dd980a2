"""Every read of needs assessments. Who sees a person's assessments is who sees the person
(`registry.selectors.get_person_for_user`); the sensitive domains (health, psychosocial) have one extra rule,
`may_see_sensitive`, and every read of those answers is written to the access log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.assessments.models import Assessment, InstrumentVersion, Recommendation, VersionStatus
from sinergi.assessments.scoring import Instrument
from sinergi.audit.events import record_event, record_events
from sinergi.registry.models import Person
from sinergi.registry.selectors import get_person_for_user


def may_see_sensitive(user: User, person_id: int, assessing_agency_id: int) -> bool:
    """Whether `user` may read the health and psychosocial answers of an assessment of this person: the sharing
    rule decides (``sharing.rules.may_see_sensitive_answers``)."""
    from sinergi.sharing.rules import may_see_sensitive_answers

    return may_see_sensitive_answers(user, person_id, assessing_agency_id)


def active_version() -> InstrumentVersion:
    from sinergi.assessments.instrument import ensure_default_instrument

    version = InstrumentVersion.objects.filter(status=VersionStatus.ACTIVE).first()
    return version or ensure_default_instrument()


def assessments_of(user: User, person: Person) -> list[Assessment]:
    """The person's completed assessments, newest first; `person` must come from get_person_for_user."""
    return list(
        Assessment.objects.filter(person=person)
        .select_related("agency", "by", "version")
        .prefetch_related("recommendations")
    )


def get_assessment_for_user(user: User, pk: int) -> Assessment:
    assessment = Assessment.objects.select_related("person", "agency", "by", "version").filter(pk=pk).first()
    if assessment is None or not user.is_authenticated or not user.has_capability(Capability.VIEW_CASES):
        raise Http404
    get_person_for_user(user, assessment.person_id)  # 404 when the person is not the user's to see
    return assessment


@dataclass
class AnswerRow:
    label: str
    value: str


@dataclass
class DomainRow:
    code: str
    name: str
    sensitive: bool
    hidden: bool
    score: int | None
    delta: int | None
    answers: list[AnswerRow] = field(default_factory=list)


@dataclass
class RecommendationRow:
    kind: str
    kind_label: str
    code: str
    label: str
    reason: str
    evidence: list[AnswerRow]


@dataclass
class AssessmentView:
    assessment: Assessment
    domains: list[DomainRow]
    recommendations: list[RecommendationRow]
    hidden_recommendations: int
    sensitive_visible: bool
    previous_at: datetime | None


def _display(instrument: Instrument, code: str, value: Any) -> str:
    question = instrument.questions.get(code)
    if value is None:
        return "—"
    if question is not None and question.choices:
        for option in question.choices:
            if str(option[0]) == str(value):
                return str(option[1])
    if isinstance(value, int) and abs(value) >= 1000:
        return f"{value:,}".replace(",", ".")
    return str(value)


def _evidence_label(instrument: Instrument, key: str) -> str:
    if key.startswith("score:"):
        code = key.removeprefix("score:")
        name = next((d.name for d in instrument.domains if d.code == code), code)
        from django.utils.translation import gettext as _

        return _("Score: %(domain)s") % {"domain": name}
    question = instrument.questions.get(key)
    return question.label if question else key


def _shows_sensitive(assessment: Assessment, allowed: bool) -> bool:
    return allowed and bool(assessment.sensitive_answers or assessment.sensitive_scores)


def _sensitive_read(assessment: Assessment) -> tuple[Assessment, str, dict[str, Any]]:
    return assessment, f"person {assessment.person_id}", {"person_id": assessment.person_id}


def view_assessment(
    user: User,
    assessment: Assessment,
    previous: Assessment | None = None,
    *,
    instrument: Instrument | None = None,
    allowed: bool | None = None,
    logged: bool = False,
) -> AssessmentView:
    """What `user` may read of a completed assessment, with the change per domain since `previous`.

    Reading sensitive answers writes an `assessment.sensitive_viewed` audit event (unless the caller `logged` the
    read already; `instrument` and `allowed` may come from a caller that shows many assessments).
    """
    instrument = instrument or Instrument.load(assessment.version_id)
    if allowed is None:
        allowed = may_see_sensitive(user, assessment.person_id, assessment.agency_id)
    if not logged and _shows_sensitive(assessment, allowed):
        record_events(actor=user, action="assessment.sensitive_viewed", items=[_sensitive_read(assessment)])
    prev_scores: dict[str, int] = {}
    if previous is not None:
        prev_scores = {**previous.scores, **(previous.sensitive_scores if allowed else {})}
    domains: list[DomainRow] = []
    for domain in instrument.domains:
        hidden = domain.sensitive and not allowed
        source = assessment.sensitive_answers if domain.sensitive else assessment.answers
        scores = assessment.sensitive_scores if domain.sensitive else assessment.scores
        score = None if hidden else scores.get(domain.code)
        before = prev_scores.get(domain.code)
        row = DomainRow(
            code=domain.code,
            name=domain.name,
            sensitive=domain.sensitive,
            hidden=hidden,
            score=score,
            delta=(score - before) if score is not None and before is not None else None,
        )
        if not hidden:
            row.answers = [
                AnswerRow(q.label, _display(instrument, q.code, source.get(q.code)))
                for q in domain.questions.all()
                if q.code in source
            ]
        domains.append(row)
    # A recommendation that a sensitive answer produced (ATENSI A4 after severe distress, health costs) would tell
    # the health state by itself: for a reader without access it is counted, not shown.
    recommendations = []
    hidden_recommendations = 0
    for rec in assessment.recommendations.all():
        if rec.uses_sensitive and not allowed:
            hidden_recommendations += 1
            continue
        recommendations.append(
            RecommendationRow(
                kind=rec.kind,
                kind_label=rec.get_kind_display(),
                code=rec.code,
                label=rec.label,
                reason=rec.reason,
                evidence=[
                    AnswerRow(_evidence_label(instrument, k), _display(instrument, k, v))
                    for k, v in rec.evidence.items()
                ],
            )
        )
    return AssessmentView(
        assessment=assessment,
        domains=domains,
        recommendations=recommendations,
        hidden_recommendations=hidden_recommendations,
        sensitive_visible=allowed,
        previous_at=previous.at if previous else None,
    )


def visible_recommendations(user: User, assessment: Assessment) -> list[Recommendation]:
    """The assessment's recommendations `user` may see (no audit event: nothing sensitive is shown)."""
    recs = list(assessment.recommendations.all())
    if any(r.uses_sensitive for r in recs) and may_see_sensitive(user, assessment.person_id, assessment.agency_id):
        return recs
    return [r for r in recs if not r.uses_sensitive]


def history_for_person(user: User, person: Person) -> list[AssessmentView]:
    """Every assessment of the person, newest first, each with its change since the one before it."""
    rows = assessments_of(user, person)
    # Once per instrument version and per assessing agency, and one statement for the access log: the page makes
    # as many queries for ten assessments as for one.
    instruments = {version: Instrument.load(version) for version in {a.version_id for a in rows}}
    allowed = {agency: may_see_sensitive(user, person.pk, agency) for agency in {a.agency_id for a in rows}}
    record_events(
        actor=user,
        action="assessment.sensitive_viewed",
        items=[_sensitive_read(a) for a in rows if _shows_sensitive(a, allowed[a.agency_id])],
    )
    return [
        view_assessment(
            user,
            a,
            rows[i + 1] if i + 1 < len(rows) else None,
            instrument=instruments[a.version_id],
            allowed=allowed[a.agency_id],
            logged=True,
        )
        for i, a in enumerate(rows)
    ]


@dataclass(frozen=True)
class PersonRecommendation:
    """What the latest assessment recommends: the contract the programmes module consumes."""

    kind: str
    code: str
    label: str
    reason: str
    rule: list[dict[str, Any]]
    evidence: dict[str, Any]
    assessment_id: int
    assessed_at: datetime
    agency_name: str


def recommendations_for_person(user: User, person: Person | int) -> list[PersonRecommendation]:
    """The recommendations of the person's latest completed assessment (404 when the person is not visible).

    Recommendations produced by sensitive answers are left out unless `may_see_sensitive` allows them (and the
    read is logged): their code alone would tell the health state.
    """
    person_id = person if isinstance(person, int) else person.pk
    get_person_for_user(user, person_id)
    latest = Assessment.objects.filter(person_id=person_id).select_related("agency").order_by("-at", "-id").first()
    if latest is None:
        return []
    recs: list[Recommendation] = list(latest.recommendations.all())
    allowed = any(r.uses_sensitive for r in recs) and may_see_sensitive(user, person_id, latest.agency_id)
    if allowed:
        record_event(actor=user, action="assessment.sensitive_viewed", obj=latest, summary=f"person {person_id}")
    return [
        PersonRecommendation(
            kind=r.kind,
            code=r.code,
            label=r.label,
            reason=r.reason,
            rule=r.rule,
            evidence=r.evidence,
            assessment_id=latest.pk,
            assessed_at=latest.at,
            agency_name=latest.agency.name,
        )
        for r in recs
        if allowed or not r.uses_sensitive
    ]


# --- the instrument editor ---------------------------------------------------------------------------------------


def instrument_versions_for_editor(user: User) -> list[InstrumentVersion]:
    """Every version in force or retired, and the drafts of the user's own agency (another agency's draft is
    its administrators' work in progress)."""
    return list(
        InstrumentVersion.objects.filter(~Q(status=VersionStatus.DRAFT) | Q(agency_id=user.agency_id))
        .select_related("agency", "created_by")
        .annotate(question_count=Count("domains__questions", distinct=True))
        .order_by("-number")
    )


def get_instrument_version_for_editor(user: User, pk: int) -> InstrumentVersion:
    version = (
        InstrumentVersion.objects.filter(pk=pk)
        .filter(~Q(status=VersionStatus.DRAFT) | Q(agency_id=user.agency_id))
        .select_related("agency", "created_by")
        .first()
    )
    if version is None:
        raise Http404
    return version


def consents_for_assessment(user: User, person: Person) -> list[Any]:
    """Consents to assessment (or to rehabilitation) recorded on the person's cases the user's agency owns and not
    withdrawn: the assessment form offers them to link."""
    from sinergi.cases.models import Consent, ConsentScope
    from sinergi.cases.selectors import cases_visible_to

    return list(
        Consent.objects.active()
        .filter(
            case__in=cases_visible_to(user).filter(person=person, agency_id=user.agency_pk),
            scope__in=(ConsentScope.ASSESSMENT, ConsentScope.REHABILITATION),
        )
        .select_related("case")
    )
