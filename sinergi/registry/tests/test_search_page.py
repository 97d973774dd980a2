"""/orang/: the agency's own persons newest first (keyset pages), and the registry search."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.registry.tests.conftest import SITI_NIK, SOEHARTO_NIK
from sinergi.registry.views import PAGE_SIZE
from sinergi.testing.factories import make_person

SEARCH = "/orang/"


def listed_ids(response) -> list[int]:
    return [person.pk for person in response.context["page"]]


def test_it_lists_the_agencys_own_persons_newest_first_in_keyset_pages(client, alice, dave):
    mine = [
        make_person(alice, full_name=f"Orang {n:02d}", birth_date=date(1970 + n, 1, 1)) for n in range(PAGE_SIZE + 5)
    ]
    make_person(dave, full_name="Budi Dinsos", sex="L")
    client.force_login(alice)

    first = client.get(SEARCH)
    assert first.status_code == 200
    newest_first = [person.pk for person in reversed(mine)]
    assert listed_ids(first) == newest_first[:PAGE_SIZE]
    assert first.context["hits"] is None
    next_before = first.context["next_before"]
    assert next_before == newest_first[PAGE_SIZE - 1]
    assert f"?before={next_before}" in first.content.decode()
    assert "Budi Dinsos" not in first.content.decode()

    second = client.get(SEARCH, {"before": next_before})
    assert listed_ids(second) == newest_first[PAGE_SIZE:]
    assert second.context["next_before"] is None


def test_it_lists_the_first_page_with_a_fixed_number_of_queries(client, alice):
    client.force_login(alice)
    make_person(alice, full_name="Orang Pertama", region_code="72.71.05")
    with CaptureQueriesContext(connection) as one:
        assert len(listed_ids(client.get(SEARCH))) == 1
    for n in range(PAGE_SIZE + 2):
        make_person(alice, full_name=f"Orang {n:02d}", region_code="72.02.01", birth_date=date(1970 + n, 1, 1))
    with CaptureQueriesContext(connection) as full:
        assert len(listed_ids(client.get(SEARCH))) == PAGE_SIZE
    assert len(full.captured_queries) == len(one.captured_queries)


def test_it_searches_by_name_with_a_bounded_number_of_queries(client, alice, soeharto, django_assert_max_num_queries):
    for n in range(20):
        make_person(alice, full_name="Suharto", sex="L", birth_date=date(1960 + n, 1, 1), region_code="72.71.05")
    client.force_login(alice)
    # Session, user, roles, the page's context processors, and the search's fixed set (see test_search.py).
    with django_assert_max_num_queries(11):
        response = client.get(SEARCH, {"q": "Soeharto"})
    assert response.status_code == 200
    assert len(response.context["hits"]) == 21
    assert soeharto.pk in {hit.pk for hit in response.context["hits"]}
    assert f'href="/orang/{soeharto.pk}/"' in response.content.decode()


def test_it_shows_own_hits_with_nik_and_other_agencies_hits_without(client, alice, dave, soeharto):
    client.force_login(alice)
    own = client.get(SEARCH, {"q": "Suharto"}).content.decode()
    assert "Soeharto" in own
    assert SOEHARTO_NIK in own

    client.force_login(dave)
    assert client.get(SEARCH, {"q": "Suharto"}).context["hits"] == []  # another agency's: name alone finds nothing
    response = client.get(SEARCH, {"q": "Suharto", "birth_year": 1984})
    [hit] = response.context["hits"]
    assert hit.person is None
    other = response.content.decode()
    assert "Soeharto" in other
    assert "1984" in other
    assert "Kabupaten Poso" in other
    assert SOEHARTO_NIK not in other
    assert f'href="/orang/{soeharto.pk}/"' not in other  # no link to a record dave may not open


def test_it_searches_by_nik_typed_in_the_search_box(client, alice, siti):
    client.force_login(alice)
    response = client.get(SEARCH, {"q": SITI_NIK})
    assert [hit.pk for hit in response.context["hits"]] == [siti.pk]


def test_it_filters_by_birth_year_and_region_from_the_form(client, alice):
    palu = make_person(alice, full_name="Siti Aminah", region_code="72.71.05", birth_date=date(1990, 1, 1))
    make_person(alice, full_name="Siti Aminah", region_code="72.02.01", birth_date=date(1990, 2, 2))
    make_person(alice, full_name="Siti Aminah", region_code="72.71.05", birth_date=date(1970, 1, 1))
    client.force_login(alice)
    response = client.get(SEARCH, {"q": "Siti Aminah", "birth_year": "1990", "province": "72", "regency": "72.71"})
    assert [hit.pk for hit in response.context["hits"]] == [palu.pk]


def test_it_offers_to_register_when_nobody_is_found(client, alice):
    client.force_login(alice)
    response = client.get(SEARCH, {"q": "Yohanes Lumba"})
    assert response.context["hits"] == []
    assert "/orang/baru/?q=Yohanes%20Lumba" in response.content.decode()


def test_it_renders_only_the_results_for_htmx(client, alice, soeharto):
    client.force_login(alice)
    response = client.get(SEARCH, {"q": "Suharto"}, headers={"HX-Request": "true", "HX-Target": "search-results"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="search-results"')
    assert "Soeharto" in body
    assert "<html" not in body


@pytest.mark.parametrize("persona", ["bob", "carol", "dave"])
def test_it_lets_every_role_with_view_access_search(persona, request, client, soeharto):
    client.force_login(request.getfixturevalue(persona))
    # Name with birth year: how another agency's person can be found at all (sinergi/sharing).
    response = client.get(SEARCH, {"q": "Suharto", "birth_year": 1984})
    assert response.status_code == 200
    assert [hit.pk for hit in response.context["hits"]] == [soeharto.pk]


def test_it_offers_registering_a_new_person_after_a_search_that_finds_someone(client, alice):
    make_person(alice, full_name="Siti Aminah")
    client.force_login(alice)
    page = client.get(SEARCH, {"q": "Siti Aminah"}).content.decode()
    assert len(client.get(SEARCH, {"q": "Siti Aminah"}).context["hits"]) == 1
    assert '/orang/baru/?q=Siti%20Aminah"' in page
    assert 'href="/orang/nik/"' in page  # the NIK check is reachable from the registry


def test_it_offers_no_registration_to_a_read_only_role(client, alice, bob):
    make_person(alice, full_name="Siti Aminah")
    client.force_login(bob)
    assert "/orang/baru/" not in client.get(SEARCH, {"q": "Siti"}).content.decode()


@pytest.mark.parametrize("typed", ["7271055210900001999", "7271051213900001", "7.27105E+15"])
def test_it_says_what_is_wrong_with_a_nik_typed_in_search(client, alice, typed):
    client.force_login(alice)
    response = client.get(SEARCH, {"q": typed})
    assert response.context["nik_problems"], typed
    assert "/orang/nik/?nik=" in response.content.decode()


def test_it_accepts_a_nik_prefix_and_a_valid_nik_without_complaint(client, alice):
    client.force_login(alice)
    for typed in ("727105", SITI_NIK):
        assert client.get(SEARCH, {"q": typed}).context["nik_problems"] == []


def test_it_asks_for_more_than_a_common_first_name(client, alice):
    make_person(alice, full_name="Siti Aminah", sex="P", birth_date=date(1990, 10, 12))
    client.force_login(alice)
    common = client.get(SEARCH, {"q": "Siti"})
    assert [hit.full_name for hit in common.context["hits"]] == ["Siti Aminah"]
    assert "Banyak orang bernama “Siti”" in common.content.decode()
    precise = client.get(SEARCH, {"q": "Siti Aminah"})
    assert [hit.full_name for hit in precise.context["hits"]] == ["Siti Aminah"]
    assert "Banyak orang bernama" not in precise.content.decode()
