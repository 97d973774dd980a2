"""Cases for report tests, made through the services: BP3MI's cases in Sigi and Poso, one referred to Sentra."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.cases.models import Case
from sinergi.sop.models import SopDocument
from sinergi.testing.referral_fixtures import open_case_for, person_for, sent_referral


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def report_cases(alice: User, sop: SopDocument) -> list[Case]:
    now = timezone.now()
    cases = []
    for index in range(7):
        person = person_for(alice, full_name=f"Pekerja Sigi {index}", region_code="72.10.01")
        cases.append(open_case_for(alice, person=person, received_at=now - timedelta(days=3 + index)))
    for index in range(2):
        person = person_for(alice, full_name=f"Pekerja Poso {index}", region_code="72.02.01")
        cases.append(
            open_case_for(alice, person=person, received_at=now - timedelta(days=5), categories=("ingin-dipulangkan",))
        )
    sent_referral(alice, cases[0])
    return cases
