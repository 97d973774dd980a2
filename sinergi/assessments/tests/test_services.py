"""Completing an assessment: validation, scores, recommendations with reasons, consent, idempotent submit,
re-assessment deltas, and the shipped default instrument."""

from __future__ import annotations

import uuid

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.assessments import services
from sinergi.assessments.instrument import activate_version, copy_version, ensure_default_instrument
from sinergi.assessments.models import Assessment, AssessmentDraft, InstrumentVersion, VersionStatus
from sinergi.assessments.selectors import history_for_person, recommendations_for_person
from sinergi.audit.models import AuditEvent
from sinergi.referrals.models import Referral
from sinergi.registry.models import Person
from sinergi.registry.services import InvalidData
from sinergi.testing.assessments import answers, assess
from sinergi.testing.factories import make_person


def _input(person: Person, **overrides: object) -> services.AssessmentInput:
    return services.AssessmentInput(
        person_id=person.pk,
        submission_key=str(uuid.uuid4()),
        answers=answers(**overrides),
        consent_by="SENDIRI",
        consent_name="Siti Aminah",
    )


def test_it_ships_one_default_instrument_in_force(db: None) -> None:
    version = ensure_default_instrument()
    assert version.status == VersionStatus.ACTIVE
    assert ensure_default_instrument() == version
    codes = set(version.domains.values_list("code", flat=True))
    assert {
        "ekonomi",
        "keterampilan",
        "pendidikan",
        "kesehatan",
        "keluarga",
        "usaha",
        "perumahan",
        "dokumen",
        "dtks",
    } <= codes
    assert version.domains.get(code="kesehatan").sensitive


def test_it_recommends_business_capital_and_a_workshop_with_reasons(
    referral: Referral, carol: User, siti: Person
) -> None:
    assessment = assess(carol, siti.pk)
    recs = {(r.kind, r.code): r for r in assessment.recommendations.all()}
    assert ("assistance", "business_capital") in recs
    assert ("programme", "entrepreneurship_workshop") in recs
    assert ("service", "atensi-a4") in recs  # from the sensitive domain
    capital = recs[("assistance", "business_capital")]
    assert capital.evidence == {"business_interest": "planning", "welfare_decile": 3}
    assert capital.rule[1] == {"question": "welfare_decile", "op": "lte", "value": 4}
    assert "desil" in capital.reason
    assert recs[("service", "atensi-a4")].uses_sensitive
    # Sensitive answers are kept apart from the others.
    assert "psychosocial_distress" in assessment.sensitive_answers
    assert "psychosocial_distress" not in assessment.answers
    assert "kesehatan" in assessment.sensitive_scores and "kesehatan" not in assessment.scores
    assert assessment.answers["monthly_income"] == 500000  # "500.000" as typed in Indonesia
    # income 500.000 of 5 juta (reversed) 90, debts 8 of 50 juta 16, 3 of 20 dependants 15: average 40.
    assert assessment.scores["ekonomi"] == 40


def test_it_refuses_an_answer_outside_its_range_and_saves_nothing(
    referral: Referral, carol: User, siti: Person
) -> None:
    with pytest.raises(InvalidData) as refused:
        services.complete_assessment(
            actor=carol, data=_input(siti, welfare_decile="11", psychosocial_distress="9", education="phd")
        )
    errors = refused.value.errors
    assert errors["welfare_decile"] == ["Enter a value between 1 and 10."]
    assert "psychosocial_distress" in errors and "education" in errors
    assert not Assessment.objects.exists()


def test_it_needs_a_parents_consent_for_a_child(alice: User) -> None:
    child = make_person(alice, full_name="Nur Aini", flag_child=True)
    data = _input(child)
    with pytest.raises(InvalidData) as refused:
        services.complete_assessment(actor=alice, data=data)
    assert "consent_by" in refused.value.errors
    data.consent_by = "ORANG_TUA"
    data.consent_name = "Ibu Rahma"
    assessment, created = services.complete_assessment(actor=alice, data=data)
    assert created and assessment.consent_by == "ORANG_TUA"


def test_it_creates_one_assessment_for_a_double_submit(referral: Referral, carol: User, siti: Person) -> None:
    data = _input(siti)
    services.save_draft(actor=carol, person_id=siti.pk, submission_key=data.submission_key, values={"debts": "1"})
    first, created = services.complete_assessment(actor=carol, data=data)
    again, created_again = services.complete_assessment(actor=carol, data=data)
    assert created and not created_again
    assert first.pk == again.pk
    assert Assessment.objects.count() == 1
    assert not AssessmentDraft.objects.exists()
    with pytest.raises(services.AssessmentError):
        services.save_draft(actor=carol, person_id=siti.pk, submission_key=data.submission_key, values={})


def test_it_refuses_a_role_that_does_not_assess_and_a_person_not_visible(
    referral: Referral, bob: User, dave: User, siti: Person
) -> None:
    with pytest.raises(PermissionDenied):
        services.complete_assessment(actor=bob, data=_input(siti))
    with pytest.raises(Http404):
        services.complete_assessment(actor=dave, data=_input(siti))


def test_it_shows_the_change_per_domain_over_time(referral: Referral, carol: User, siti: Person) -> None:
    assess(carol, siti.pk)
    assess(carol, siti.pk, monthly_income="3000000", debts="0", business_interest="existing")
    latest, first = history_for_person(carol, siti)
    economic = next(d for d in latest.domains if d.code == "ekonomi")
    assert economic.delta is not None and economic.delta < 0  # less need than before
    assert next(d for d in first.domains if d.code == "ekonomi").delta is None
    codes = {r.code for r in recommendations_for_person(carol, siti)}
    assert "business_mentoring" in codes  # the latest assessment counts


def test_it_keeps_old_assessments_on_their_version(
    referral: Referral, carol: User, siti: Person, admin_user: User
) -> None:
    old = assess(carol, siti.pk)
    draft = copy_version(old.version)
    draft.rules.filter(code="business_capital").update(reason="Diubah")
    activate_version(draft)
    new = assess(carol, siti.pk)
    assert new.version == draft and old.version.pk != draft.pk
    assert InstrumentVersion.objects.get(pk=old.version_id).status == VersionStatus.RETIRED
    assert new.recommendations.get(code="business_capital").reason == "Diubah"
    assert old.recommendations.get(code="business_capital").reason != "Diubah"


def test_it_logs_no_answers_in_the_audit_event(referral: Referral, carol: User, siti: Person) -> None:
    assessment = assess(carol, siti.pk)
    event = AuditEvent.objects.get(action="assessment.completed", object_id=str(assessment.pk))
    assert "psychosocial_distress" not in str(event.detail) and "Sulit tidur" not in str(event.detail)
