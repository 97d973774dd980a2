"""Name search reads trigram indexes on PostgreSQL (migrations registry 0003 and 0006); SQLite has none and keeps
the token index (NameToken), so the same search works on both."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

TRIGRAM_INDEXES = {"person_name_trgm_scoped": "registry_person", "personalias_name_key_trgm": "registry_personalias"}


def test_it_has_trigram_indexes_on_postgresql_only() -> None:
    with connection.cursor() as cursor:
        found = {
            name
            for name, table in TRIGRAM_INDEXES.items()
            if name in connection.introspection.get_constraints(cursor, table)
        }
    if connection.vendor == "postgresql":
        assert found == set(TRIGRAM_INDEXES)
    else:
        assert found == set()


def test_it_finds_a_misspelt_name_through_the_index_of_the_database_in_use(alice) -> None:
    from datetime import date

    from sinergi.registry.selectors import SearchQuery, search_persons
    from sinergi.testing.factories import make_person

    wanted = make_person(alice, full_name="Djoko Tjahjono", sex="L", birth_date=date(1980, 5, 1))
    make_person(alice, full_name="Andi Pratama", sex="L", birth_date=date(1980, 5, 1))
    hits = search_persons(alice, SearchQuery(text="Joko Cahyono", birth_year=1980))
    assert [hit.pk for hit in hits] == [wanted.pk]
