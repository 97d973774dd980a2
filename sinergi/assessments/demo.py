"""Demo data: the shipped instrument and one completed assessment (BP3MI's of Soeharto), through the service.

Idempotent: the assessment's submission key is derived from the person, so a second run finds it.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.assessments import services
from sinergi.assessments.instrument import ensure_default_instrument
from sinergi.registry.models import Person

DEMO_NAMESPACE = uuid.UUID("6f1d7a52-4c1e-4f8e-9d1a-0a5e55e55e10")


def seed_demo(assessor: User) -> int:
    """The instrument, and an assessment of the demo's Soeharto recommending business mentoring. Returns how many
    assessments were added (0 on a second run)."""
    ensure_default_instrument()
    person = Person.objects.filter(full_name="Soeharto", registered_by_agency_id=assessor.agency_id).first()
    if person is None:
        return 0
    answers = {
        "monthly_income": "1200000",
        "debts": "3000000",
        "dependants": "2",
        "returned_on": (timezone.localdate() - timedelta(days=200)).isoformat(),
        "work_sector": "plantation",
        "years_abroad": "6",
        "migrate_again": "no",
        "education": "sd",
        "physical_health": "4",
        "psychosocial_distress": "2",
        "needs_treatment": "no",
        "family_support": "4",
        "at_home_region": "yes",
        "business_interest": "existing",
        "business_field": "warung kopi",
        "needs_license": "yes",
        "housing": "own",
        "has_ktp": "yes",
        "has_kk": "yes",
        "has_bpjs": "yes",
        "welfare_decile": "4",
    }
    _assessment, created = services.complete_assessment(
        actor=assessor,
        data=services.AssessmentInput(
            person_id=person.pk,
            submission_key=str(uuid.uuid5(DEMO_NAMESPACE, f"demo-{person.pk}")),
            answers=answers,
            consent_by="SENDIRI",
            consent_name=person.full_name,
        ),
    )
    return int(created)
