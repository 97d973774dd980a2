"""The story's case for statement tests: a PMI from a Sigi village, her husband in the family links, referred to
Sentra Nipotowe (both agencies involved); the designated officials are sari (BP3MI) and yusuf (Sentra)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.cases.models import Case
from sinergi.regions.models import Region, RegionLevel
from sinergi.registry import services as registry_services
from sinergi.registry.models import Relationship
from sinergi.sop.models import SopDocument
from sinergi.statements.models import DesignatedOfficial
from sinergi.testing.referral_fixtures import open_case_for, person_for, sent_referral


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Refusal messages are matched in English (the UI's default language is Indonesian)."""
    with translation.override("en"):
        yield


@pytest.fixture
def village(regions: None) -> Region:
    found = Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith="72.10.").order_by("code").first()
    assert found is not None
    return found


@pytest.fixture
def officials(sari: User, yusuf: User) -> tuple[User, User]:
    DesignatedOfficial.objects.create(agency_id=sari.agency_id, user=sari)
    DesignatedOfficial.objects.create(agency_id=yusuf.agency_id, user=yusuf)
    return sari, yusuf


@pytest.fixture
def story_case(alice: User, carol: User, sop: SopDocument, village: Region) -> Case:
    person = person_for(alice, full_name="Wulandari Lamasitudju", region_code=village.code)
    registry_services.add_family_link(
        actor=alice, person_id=person.pk, relationship=Relationship.SPOUSE, name="Rahmat Hidayat"
    )
    case = open_case_for(alice, person=person)
    sent_referral(alice, case)
    return case
