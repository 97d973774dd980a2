"""Name search reads each part of what the user may see its own way (registry.selectors.search_persons): the
agency's own persons and, with a birth year, everyone born that year from the GIN index of migration registry
0006, which holds the agency and the birth year beside the name's trigrams; the undated persons in a read of their
own; the persons a referral shares from the referrals. Whatever the path, the answer is the sharing rule's."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.referrals.models import ReferralStatus
from sinergi.registry.selectors import SearchQuery, search_persons
from sinergi.testing.referral_fixtures import open_case_for, person_for, referral_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sop")]


def _shared_with(receiver, sender, **values):
    person = person_for(sender, **values)
    referral_in(ReferralStatus.SENT, sender=sender, receiver=receiver, case=open_case_for(sender, person=person))
    return person


def test_a_receiver_finds_what_a_referral_shares_by_a_misspelt_name_with_or_without_a_birth_year(alice, carol):
    shared = _shared_with(carol, alice, full_name="Djoko Tjahjono", sex="L", birth_date=date(1980, 5, 1))
    shared_undated = _shared_with(carol, alice, full_name="Joko Cahyono", sex="L", birth_date=None)
    not_shared = person_for(alice, full_name="Joko Cahyono", sex="L", birth_date=date(1980, 7, 7))
    own = person_for(carol, full_name="Djoko Tjahjono", sex="L", birth_date=date(1975, 1, 1))
    own_undated = person_for(carol, full_name="Joko Cahyono", sex="L", birth_date=None)
    born_elsewhere = person_for(carol, full_name="Joko Cahyono", sex="L", birth_date=date(1990, 1, 1))

    # No birth year: the receiver's own persons and what referrals share with it, nothing else.
    hits = search_persons(carol, SearchQuery(text="Joko Cahyno"))
    assert {hit.pk for hit in hits} == {shared.pk, shared_undated.pk, own.pk, own_undated.pk, born_elsewhere.pk}
    assert all(hit.full_access for hit in hits)

    # With 1980: the dated ones born then, the undated ones the user may open, and another agency's unshared
    # namesake born then as a name, birth year and regency only.
    hits = search_persons(carol, SearchQuery(text="Joko Cahyno", birth_year=1980))
    assert {hit.pk for hit in hits if hit.full_access} == {shared.pk, shared_undated.pk, own_undated.pk}
    assert [(hit.full_name, hit.birth_year) for hit in hits if not hit.full_access] == [("Joko Cahyono", 1980)]
    assert not_shared.pk not in {hit.pk for hit in hits if hit.full_access}

    # An exact birth date keeps only those born that day: an undated record is not one of them.
    hits = search_persons(carol, SearchQuery(text="Joko Cahyno", birth_date=date(1980, 5, 1)))
    assert {hit.pk for hit in hits if hit.full_access} == {shared.pk}


def test_a_closed_referral_no_longer_lets_the_receiver_find_the_person_by_name(alice, carol):
    person = person_for(alice, full_name="Djoko Tjahjono", sex="L", birth_date=date(1980, 5, 1))
    referral_in(ReferralStatus.COMPLETED, sender=alice, receiver=carol, case=open_case_for(alice, person=person))
    assert search_persons(carol, SearchQuery(text="Joko Cahyno")) == []
    [hit] = search_persons(carol, SearchQuery(text="Joko Cahyno", birth_year=1980))
    assert not hit.full_access


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(line for (line,) in cursor.fetchall())


def _only_the_name_index_left() -> None:
    """A handful of rows: PostgreSQL would read the table whole, or the agency's btree, and the plan would say
    nothing about the GIN index. Inside the test's transaction (rolled back after it) the table's other indexes
    are dropped and sequential scans are off, so the plan shows what this index's scan can serve."""
    with connection.cursor() as cursor:
        others = [
            name
            for name, details in connection.introspection.get_constraints(cursor, "registry_person").items()
            if details["index"] and not details["primary_key"] and name != "person_name_trgm_scoped"
        ]
        for name in others:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL enable_seqscan = off")


def _person_reads(user, query: SearchQuery) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        search_persons(user, query)
    return [
        entry["sql"] for entry in captured.captured_queries if entry["sql"].startswith('SELECT "registry_person"."id"')
    ]


def test_the_index_serves_the_agency_and_the_birth_year_with_the_name_on_postgresql(alice):
    person_for(alice, full_name="Djoko Tjahjono", sex="L", birth_date=date(1980, 5, 1))
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "registry_person")
    if connection.vendor != "postgresql":
        assert "person_name_trgm_scoped" not in indexes  # SQLite searches its token index
        return
    assert "person_name_trgm_scoped" in indexes
    _only_the_name_index_left()

    # The agency's own persons: the agency is in the index condition (it is not when sent as an integer, the
    # column being bigint), so only the agency's namesakes are fetched from the table.
    [own, _shared] = _person_reads(alice, SearchQuery(text="Joko Cahyno"))
    plan = _plan(own)
    assert "person_name_trgm_scoped" in plan, plan
    assert "Index Cond: ((registered_by_agency_id = " in plan

    # With a birth year: the year is in the index condition, for the dated and for the undated read.
    dated, undated = _person_reads(alice, SearchQuery(text="Joko Cahyno", birth_year=1980))
    for sql, year in ((dated, "1980"), (undated, "0")):
        plan = _plan(sql)
        assert "person_name_trgm_scoped" in plan, plan
        assert f"Index Cond: ((COALESCE((EXTRACT(year FROM birth_date))::integer, 0) = {year})" in plan


def test_a_common_first_name_alone_is_read_in_one_scan_of_the_index_on_postgresql(alice):
    found = [
        person_for(alice, full_name=name, sex="P", birth_date=date(1990, 1, 1)) for name in ("Siti", "Siti Aminah")
    ]
    for name in ("Sitie Aminah", "Nur Siti", "Asiti"):  # another word, or "siti" inside one
        person_for(alice, full_name=name, sex="P", birth_date=date(1990, 1, 1))
    assert {hit.pk for hit in search_persons(alice, SearchQuery(text="Siti"))} == {person.pk for person in found}
    if connection.vendor != "postgresql":
        return
    _only_the_name_index_left()
    [own, _shared] = _person_reads(alice, SearchQuery(text="Siti"))
    plan = _plan(own)
    # One pattern for "the name is Siti or begins with Siti and a space": an OR of the two read the index twice.
    assert plan.count("Bitmap Index Scan on person_name_trgm_scoped") == 1, plan
    assert "~ '^siti( |$)'" in plan, plan
