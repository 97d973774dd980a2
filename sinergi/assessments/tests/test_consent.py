"""The consent an assessment is made under: a consent recorded on one of the person's cases (or recorded through
the cases' consent service when the worker ticks it on the form under the agency's own case), the ticked consent
kept on the assessment when the agency has no case of the person (a received referral), or a supervisor's lawful
basis. Without any: refused, nothing saved. Old free-text consents stay readable (the data migration)."""

from __future__ import annotations

import importlib
import uuid
from typing import Any

import pytest
from django.apps import apps

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.assessments import services
from sinergi.assessments.models import Assessment
from sinergi.audit.models import AuditEvent
from sinergi.cases.models import Case, Consent, ConsentScope
from sinergi.cases.services import ConsentData, record_consent, withdraw_consent
from sinergi.registry.models import Person
from sinergi.registry.services import InvalidData
from sinergi.testing.assessments import answers
from sinergi.testing.factories import UserFactory
from sinergi.testing.referral_fixtures import open_case_for


@pytest.fixture
def case(alice: User, siti: Person) -> Case:
    return open_case_for(alice, person=siti)


@pytest.fixture
def kepala(bp3mi: Agency) -> User:
    return UserFactory(username="kepala", agency=bp3mi, roles=[Role.SUPERVISOR])


def _input(person: Person, **values: Any) -> services.AssessmentInput:
    return services.AssessmentInput(person_id=person.pk, submission_key=str(uuid.uuid4()), answers=answers(), **values)


def test_it_refuses_to_complete_without_consent_or_lawful_basis(alice: User, siti: Person, case: Case) -> None:
    with pytest.raises(InvalidData) as refused:
        services.complete_assessment(actor=alice, data=_input(siti, case_id=case.pk))
    assert "consent" in refused.value.errors
    assert not Assessment.objects.exists() and not Consent.objects.exists()


def test_a_ticked_consent_under_the_agencys_case_is_recorded_on_the_case(alice: User, siti: Person, case: Case) -> None:
    assessment, _ = services.complete_assessment(
        actor=alice, data=_input(siti, case_id=case.pk, consent_by="SENDIRI", consent_name="Siti Aminah")
    )
    consent = Consent.objects.get()
    assert consent.case_id == case.pk and consent.scope == ConsentScope.ASSESSMENT
    assert consent.giver_name == "Siti Aminah" and consent.recorded_by_id == alice.pk
    assert assessment.consent_id == consent.pk and assessment.consent_by == "SENDIRI"
    assert AuditEvent.objects.filter(action="case.consent_recorded").exists()


def test_a_refused_assessment_records_no_consent(alice: User, siti: Person, case: Case) -> None:
    data = _input(siti, case_id=case.pk, consent_by="SENDIRI", consent_name="Siti Aminah")
    data.answers["welfare_decile"] = "12"
    with pytest.raises(InvalidData):
        services.complete_assessment(actor=alice, data=data)
    assert not Consent.objects.exists() and not Assessment.objects.exists()


def test_it_links_a_consent_recorded_on_the_case_and_refuses_a_withdrawn_one(
    alice: User, siti: Person, case: Case
) -> None:
    consent = record_consent(
        actor=alice,
        case_id=case.pk,
        data=ConsentData(scope=ConsentScope.ASSESSMENT, given_by="SENDIRI", giver_name="Siti Aminah", method="LISAN"),
    )
    assessment, _ = services.complete_assessment(actor=alice, data=_input(siti, consent_id=consent.pk))
    assert assessment.consent_id == consent.pk and assessment.consent_name == "Siti Aminah"
    assert "Siti Aminah" in assessment.consent_summary
    withdraw_consent(actor=alice, case_id=case.pk, consent_id=consent.pk)
    with pytest.raises(InvalidData) as refused:
        services.complete_assessment(actor=alice, data=_input(siti, consent_id=consent.pk))
    assert "consent_id" in refused.value.errors


def test_another_agency_cannot_use_a_consent_recorded_on_the_owners_case(
    alice: User, carol: User, siti: Person, referral: Any
) -> None:
    consent = record_consent(
        actor=alice,
        case_id=referral.case_id,
        data=ConsentData(scope=ConsentScope.ASSESSMENT, given_by="SENDIRI", giver_name="Siti", method="TERTULIS"),
    )
    with pytest.raises(InvalidData) as refused:
        services.complete_assessment(actor=carol, data=_input(siti, consent_id=consent.pk))
    assert "consent_id" in refused.value.errors


def test_a_receiver_without_its_own_case_keeps_the_ticked_consent_on_the_assessment(
    carol: User, siti: Person, referral: Any
) -> None:
    assessment, _ = services.complete_assessment(
        actor=carol,
        data=_input(siti, referral_id=referral.pk, consent_by="SENDIRI", consent_name="Siti Aminah"),
    )
    assert assessment.consent_id is None and assessment.consent_name == "Siti Aminah"
    assert not Consent.objects.filter(scope=ConsentScope.ASSESSMENT).exists()  # nothing in the sender's case


def test_only_a_supervisor_records_a_lawful_basis_instead_of_consent(
    alice: User, kepala: User, siti: Person, case: Case
) -> None:
    basis = {"lawful_basis": "KEPENTINGAN_VITAL", "lawful_basis_note": "Tidak sadar, perlu rujukan segera"}
    with pytest.raises(InvalidData) as refused:
        services.complete_assessment(actor=alice, data=_input(siti, **basis))
    assert "lawful_basis" in refused.value.errors
    with pytest.raises(InvalidData):
        services.complete_assessment(actor=kepala, data=_input(siti, lawful_basis="KEPENTINGAN_VITAL"))
    assessment, _ = services.complete_assessment(actor=kepala, data=_input(siti, **basis))
    assert assessment.lawful_basis == "KEPENTINGAN_VITAL" and assessment.consent_id is None
    assert "lawful basis" in assessment.consent_summary


def test_the_data_migration_keeps_old_free_text_consents_readable(carol: User, siti: Person, referral: Any) -> None:
    assessment, _ = services.complete_assessment(
        actor=carol, data=_input(siti, consent_by="ORANG_TUA", consent_name="Ibu Rahma")
    )
    migration = importlib.import_module("sinergi.assessments.migrations.0002_consent_link_and_instrument_owner")
    migration.keep_consent_text(apps, None)
    assessment.refresh_from_db()
    assert assessment.consent_text == "Orang tua: Ibu Rahma"
