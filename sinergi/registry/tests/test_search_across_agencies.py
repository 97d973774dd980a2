"""Finding 2 (issue 9): another agency's persons are found only by a full valid NIK or by name with a birth
year; no NIK prefix, birth date or region filter reaches them; results carry no id; probing is limited per user
and logged."""

from __future__ import annotations

from datetime import date

import pytest

from sinergi.accounts.tokens import create_token
from sinergi.audit.models import AuditEvent
from sinergi.registry.selectors import SearchQuery, search_persons
from sinergi.testing.factories import make_person

NIK = "7271055210900001"  # woman born 12-10-1990, Kota Palu


@pytest.fixture
def bp3mi_person(alice):
    return make_person(alice, full_name="Siti Aminah", nik=NIK, region_code="72.71.05")


def bearer(user) -> dict[str, str]:
    _, secret = create_token(actor=None, user=user, name="skrip", scopes=["persons:read"])
    return {"Authorization": f"Bearer {secret}"}


@pytest.mark.parametrize(
    "query",
    [
        SearchQuery(nik=NIK[:6]),
        SearchQuery(nik=NIK[:15]),
        SearchQuery(birth_date=date(1990, 10, 12)),
        SearchQuery(region_code="72.71"),
        SearchQuery(text="Siti Aminah"),  # a name without a birth year
        SearchQuery(text="Siti Aminah", region_code="72.71.05"),
        SearchQuery(nik="7271055210900009"),  # a full NIK that is not this person's
    ],
)
def test_it_does_not_reach_another_agency_by_prefix_date_or_region(bp3mi_person, dave, query):
    assert search_persons(dave, query) == []


def test_it_finds_another_agency_by_full_nik_or_name_with_birth_year_without_an_id(client, bp3mi_person, dave):
    for query in (SearchQuery(nik=NIK), SearchQuery(text="Siti Aminah", birth_year=1990)):
        hits = search_persons(dave, query)
        assert [(hit.full_name, hit.full_access, hit.own) for hit in hits] == [("Siti Aminah", False, False)]
    body = client.get(f"/api/v1/persons?nik={NIK}", headers=bearer(dave)).json()
    assert body[0]["id"] is None and body[0]["nik"] is None and body[0]["birth_date"] is None
    assert AuditEvent.objects.filter(actor=dave, action="registry.searched_across").count() == 3


def test_it_still_filters_the_own_registry_by_everything(bp3mi_person, alice):
    assert [hit.pk for hit in search_persons(alice, SearchQuery(nik=NIK[:6]))] == [bp3mi_person.pk]
    assert [hit.pk for hit in search_persons(alice, SearchQuery(region_code="72.71"))] == [bp3mi_person.pk]
    assert search_persons(alice, SearchQuery(nik=NIK))[0].own


def test_it_limits_cross_agency_searches_per_user_and_logs_the_refusal(settings, bp3mi_person, dave, carol):
    settings.SINERGI_CROSS_AGENCY_SEARCHES_PER_HOUR = 2
    for _ in range(2):
        assert search_persons(dave, SearchQuery(nik=NIK))
    assert search_persons(dave, SearchQuery(nik=NIK)) == []
    assert AuditEvent.objects.filter(actor=dave, action="registry.search_limited").count() == 1
    assert search_persons(carol, SearchQuery(nik=NIK))  # another user has their own allowance


def test_it_answers_422_for_an_impossible_birth_year(client, dave):
    response = client.get("/api/v1/persons?q=Siti&birth_year=-1", headers=bearer(dave))
    assert response.status_code == 422
    assert "birth_year" in response.json()["errors"]
