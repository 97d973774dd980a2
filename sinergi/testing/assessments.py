"""Builders for needs-assessment and assistance tests: answers that lead to known recommendations, and an
assessment completed through the service, as a worker would."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.assessments import services
from sinergi.assessments.models import Assessment

# A returned PMI who wants to start a business, decile 3, in distress: business capital, an entrepreneurship
# workshop, ATENSI A4 (from the sensitive domain) and A5/A6 are recommended.
BUSINESS_ANSWERS: dict[str, str] = {
    "monthly_income": "500.000",
    "debts": "8000000",
    "dependants": "3",
    "returned_on": "",  # set relative to today by answers()
    "work_sector": "domestic",
    "years_abroad": "4",
    "skills": "memasak, membuat kue",
    "migrate_again": "no",
    "education": "smp",
    "physical_health": "3",
    "psychosocial_distress": "4",
    "needs_treatment": "no",
    "health_notes": "Sulit tidur sejak kembali",
    "family_support": "4",
    "at_home_region": "yes",
    "business_interest": "planning",
    "business_field": "kue kering",
    "needs_license": "no",
    "housing": "family",
    "has_ktp": "yes",
    "has_kk": "yes",
    "has_passport": "yes",
    "has_bpjs": "no",
    "dtks_registered": "yes",
    "welfare_decile": "3",
}


def answers(**overrides: Any) -> dict[str, str]:
    values = dict(BUSINESS_ANSWERS)
    values["returned_on"] = (timezone.localdate() - timedelta(days=60)).isoformat()
    values.update({k: str(v) for k, v in overrides.items()})
    return values


def assess(actor: User, person_id: int, *, key: str | None = None, **overrides: Any) -> Assessment:
    assessment, _created = services.complete_assessment(
        actor=actor,
        data=services.AssessmentInput(
            person_id=person_id,
            submission_key=key or str(uuid.uuid4()),
            answers=answers(**overrides),
            consent_by="SENDIRI",
            consent_name="Siti Aminah",
        ),
    )
    return assessment
