"""search_persons: spelling variants, aliases, filters, NIK, limited hits for other agencies, query count."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.models import User
from sinergi.registry.selectors import SearchQuery, search_persons
from sinergi.registry.tests.conftest import SITI_NIK
from sinergi.testing.factories import make_person


def names(hits) -> list[str]:
    return [hit.full_name for hit in hits]


def test_it_finds_old_spelling_with_new_spelling(alice, soeharto):
    hits = search_persons(alice, SearchQuery(text="Suharto"))
    assert [hit.pk for hit in hits] == [soeharto.pk]
    assert hits[0].full_access
    assert hits[0].person == soeharto


@pytest.mark.parametrize(
    ("registered", "searched"),
    [
        ("Soeharto", "Suharto"),
        ("Suharto", "Soeharto"),
        ("Moch. Rizky Pratama", "Muhammad Rizky Pratama"),
        ("Muhammad Arif", "Moch. Arif"),
        ("Djoko Santoso", "Joko Santoso"),
        ("Rizky Ramadhan", "Rizki Ramadhan"),
        ("Tjahjono", "Cahyono"),
        ("H. Abdul Rahman, S.Pd.", "Abdul Rahman"),
    ],
)
def test_it_finds_spelling_variants(alice, registered, searched):
    person = make_person(alice, full_name=registered, sex="L", birth_date=date(1985, 1, 1))
    make_person(alice, full_name="Yohanes Lumba", sex="L", birth_date=date(1985, 1, 1))  # must not be found
    hits = search_persons(alice, SearchQuery(text=searched))
    assert [hit.pk for hit in hits] == [person.pk]


def test_it_ranks_the_closer_name_first(alice):
    make_person(alice, full_name="Siti Aminah Lamba", sex="P", birth_date=date(1990, 1, 1))
    exact = make_person(alice, full_name="Siti Aminah", sex="P", birth_date=date(1991, 1, 1))
    hits = search_persons(alice, SearchQuery(text="Siti Aminah"))
    assert hits[0].pk == exact.pk
    assert hits[0].score >= hits[-1].score
    assert names(hits) == ["Siti Aminah", "Siti Aminah Lamba"]


def test_it_finds_a_person_by_an_alias(alice):
    person = make_person(alice, full_name="Hermawan Saputra", sex="L", aliases=["Wawan"], birth_date=date(1980, 5, 5))
    [hit] = search_persons(alice, SearchQuery(text="Wawan"))
    assert hit.pk == person.pk


def test_it_filters_by_birth_year_keeping_records_without_a_birth_date(alice):
    born_1990 = make_person(alice, full_name="Siti Aminah", birth_date=date(1990, 10, 12))
    make_person(alice, full_name="Siti Aminah", birth_date=date(1975, 1, 1))
    unknown = make_person(alice, full_name="Siti Aminah", birth_date=None)
    hits = search_persons(alice, SearchQuery(text="Siti Aminah", birth_year=1990))
    assert {hit.pk for hit in hits} == {born_1990.pk, unknown.pk}


def test_it_filters_by_exact_birth_date(alice):
    born = make_person(alice, full_name="Siti Aminah", birth_date=date(1990, 10, 12))
    make_person(alice, full_name="Siti Aminah", birth_date=date(1990, 10, 13))
    hits = search_persons(alice, SearchQuery(text="Siti Aminah", birth_date=date(1990, 10, 12)))
    assert [hit.pk for hit in hits] == [born.pk]


def test_it_filters_by_region_and_everything_below_it(alice):
    in_ulujadi = make_person(alice, full_name="Siti Aminah", region_code="72.71.05.1001")
    in_palu = make_person(alice, full_name="Siti Aminah", region_code="72.71")
    in_poso = make_person(alice, full_name="Siti Aminah", region_code="72.02.01")
    assert {hit.pk for hit in search_persons(alice, SearchQuery(text="Siti Aminah", region_code="72.71"))} == {
        in_ulujadi.pk,
        in_palu.pk,
    }
    assert [hit.pk for hit in search_persons(alice, SearchQuery(region_code="72.02"))] == [in_poso.pk]
    # "72.7" is not a prefix of the code 72.71 in the region tree.
    assert search_persons(alice, SearchQuery(region_code="72.7")) == []


def test_it_finds_a_nik_exactly_and_by_prefix(alice, siti, soeharto):
    [hit] = search_persons(alice, SearchQuery(nik=SITI_NIK))
    assert (hit.pk, hit.nik_match) == (siti.pk, True)
    assert [hit.pk for hit in search_persons(alice, SearchQuery(nik="727105"))] == [siti.pk]
    assert {hit.pk for hit in search_persons(alice, SearchQuery(nik="72"))} == {siti.pk, soeharto.pk}
    # A 16-digit NIK is matched exactly, never as a prefix.
    assert search_persons(alice, SearchQuery(nik=SITI_NIK[:-1] + "9")) == []


def test_it_reads_a_nik_typed_into_the_name_box(alice, siti):
    [hit] = search_persons(alice, SearchQuery(text="7271 0552 1090 0001"))
    assert (hit.pk, hit.nik_match) == (siti.pk, True)


def test_it_shows_other_agencies_only_name_birth_year_and_regency(dave, soeharto):
    # Another agency's person is found by name only together with the birth year (issue 9, finding 2).
    assert search_persons(dave, SearchQuery(text="Suharto")) == []
    [hit] = search_persons(dave, SearchQuery(text="Suharto", birth_year=1984))
    assert hit.person is None
    assert not hit.full_access
    assert (hit.full_name, hit.birth_year, hit.regency_name) == ("Soeharto", 1984, "Kabupaten Poso")


def test_it_finds_another_agencys_record_by_nik_with_limited_fields(carol, siti):
    [hit] = search_persons(carol, SearchQuery(nik=SITI_NIK))
    assert (hit.pk, hit.nik_match, hit.person) == (siti.pk, True, None)
    assert (hit.full_name, hit.birth_year, hit.regency_name) == ("Siti Aminah", 1990, "Kota Palu")


def test_it_gives_each_searcher_full_access_to_their_own_agencys_records_only(alice, bob, dave, siti):
    dinsos_siti = make_person(dave, full_name="Siti Aminah", sex="P", birth_date=date(1990, 10, 12))
    for user, own in ((alice, siti), (bob, siti), (dave, dinsos_siti)):
        hits = {hit.pk: hit for hit in search_persons(user, SearchQuery(text="Siti Aminah", birth_year=1990))}
        assert set(hits) == {siti.pk, dinsos_siti.pk}
        assert [pk for pk, hit in hits.items() if hit.full_access] == [own.pk], user.username


def test_it_lists_the_users_own_person_before_namesakes_elsewhere_with_the_same_score(alice, dave):
    """A case worker looking for its own record under a misspelt name finds it on the first page, however many
    other agencies' namesakes were born that year (at 2 million persons the original was off the first ten for
    two searches in five when ties were broken by name and id)."""
    for day in range(1, 13):
        make_person(alice, full_name="Sutarno Wibowo", sex="L", birth_date=date(1985, 3, day))
    own = make_person(dave, full_name="Sutarno Wibowo", sex="L", birth_date=date(1985, 7, 9))
    hits = search_persons(dave, SearchQuery(text="Sutarno Wibowa", birth_year=1985), limit=10)
    assert len({hit.score for hit in hits}) == 1
    assert hits[0].pk == own.pk
    assert hits[0].full_access
    assert not any(hit.full_access for hit in hits[1:])


def test_it_returns_nothing_for_an_empty_query_or_a_user_without_access(alice, siti, bp3mi):
    from sinergi.testing.factories import UserFactory

    assert search_persons(alice, SearchQuery(text="  ")) == []
    no_roles = UserFactory(username="norole", agency=bp3mi, roles=[])
    assert search_persons(no_roles, SearchQuery(text="Siti Aminah")) == []
    inactive = UserFactory(username="gone", agency=bp3mi, is_active=False)
    assert search_persons(inactive, SearchQuery(text="Siti Aminah")) == []


def test_it_respects_the_limit(alice):
    for year in range(1980, 1986):
        make_person(alice, full_name="Siti Aminah", birth_date=date(year, 1, 1))
    assert len(search_persons(alice, SearchQuery(text="Siti Aminah"), limit=4)) == 4


def _search_queries(user: User, query: SearchQuery) -> tuple[int, int]:
    fresh = User.objects.get(pk=user.pk)  # no role cache carried over from the setup
    with CaptureQueriesContext(connection) as captured:
        hits = search_persons(fresh, query)
    return len(captured.captured_queries), len(hits)


def test_it_searches_with_a_fixed_number_of_queries(alice, dave, django_assert_max_num_queries):
    make_person(dave, full_name="Siti Aminah", aliases=["Ami"], region_code="72.71.05", birth_date=date(1990, 1, 1))
    queries_for_one, hits = _search_queries(dave, SearchQuery(text="Siti Aminah"))
    assert hits == 1

    for index in range(29):
        for agency_user in (alice, dave):
            make_person(
                agency_user,
                full_name="Siti Aminah",
                aliases=[f"Ami {index}"],
                region_code="72.02.01" if index % 3 else "72.71.05",
                birth_date=date(1960 + index, 1, 1),
            )
    # Another agency's persons are not reached by a name alone: 30 own hits, the same queries as for one.
    queries_for_thirty, hits = _search_queries(dave, SearchQuery(text="Siti Aminah"))
    assert hits == 30
    assert queries_for_thirty == queries_for_one

    fresh = User.objects.get(pk=dave.pk)
    # Roles, name tokens, aliases of the candidates, persons shared by referrals, own candidates, the per-user
    # count and the log line of a search reaching other agencies, their candidates, alias keys, regency names.
    with django_assert_max_num_queries(11):
        assert len(search_persons(fresh, SearchQuery(text="Siti Aminah", birth_year=1961))) == 2
    with django_assert_max_num_queries(8):
        assert len(search_persons(fresh, SearchQuery(nik="7271"))) == 0
    with django_assert_max_num_queries(8):
        assert len(search_persons(fresh, SearchQuery(text="Siti Aminah"))) == 30


# --- names that thousands share (issue 14 part 4) -------------------------------------------------------------


def test_it_lists_the_names_that_begin_with_a_common_first_name_typed_alone(alice):
    found = [
        make_person(alice, full_name=name, sex="P", birth_date=date(1990, 1, 1))
        for name in ("Siti", "Siti Aminah", "St. Rahmawati Lamba")  # "St." before a name is Siti
    ]
    make_person(alice, full_name="Nur Siti", sex="P", birth_date=date(1990, 1, 1))  # does not begin with it
    make_person(alice, full_name="Sitti Aminah", sex="P", birth_date=date(1990, 1, 1))  # normalised to siti too
    hits = search_persons(alice, SearchQuery(text="Siti"))
    assert {hit.pk for hit in hits} >= {person.pk for person in found}
    assert "Nur Siti" not in names(hits)
    assert names(hits)[0] == "Siti"  # the closest name first, as in every search


def test_it_lists_one_page_of_a_common_first_name_with_a_fixed_number_of_queries(alice, dave):
    def queries_and_hits() -> tuple[int, int]:
        return _search_queries(alice, SearchQuery(text="Muhammad"))

    make_person(alice, full_name="Muhammad Yusuf", sex="L", birth_date=date(1980, 1, 1))
    one = queries_and_hits()
    for index in range(12):
        make_person(alice, full_name=f"Moh. Yusuf {index}", sex="L", birth_date=date(1980, 1, 1))
    make_person(dave, full_name="Muhammad Yusuf", sex="L", birth_date=date(1980, 1, 1))
    assert queries_and_hits() == (one[0], 13)  # another agency's persons need a birth year, as for any name
    assert len(search_persons(alice, SearchQuery(text="Muhammad"), limit=5)) == 5


def test_it_finds_another_agencys_common_first_name_only_with_the_birth_year(alice, dave):
    theirs = make_person(dave, full_name="Ahmad Rizki", sex="L", birth_date=date(1980, 1, 1))
    assert search_persons(alice, SearchQuery(text="Ahmad")) == []
    [hit] = search_persons(alice, SearchQuery(text="Ahmad", birth_year=1980))
    assert (hit.pk, hit.full_access) == (theirs.pk, False)


@pytest.mark.parametrize("searched", ["Ahmad Sudirman", "Achmad Sudirmen", "Sudirman", "Siti Sudirman"])
def test_it_finds_a_common_first_name_with_a_rarer_one_misspelt_or_not(alice, searched):
    wanted = make_person(alice, full_name="Ahmad Sudirman", sex="L", birth_date=date(1980, 1, 1))
    for name in ("Ahmad Yani", "Ahmad Suryadi", "Siti Aminah"):
        make_person(alice, full_name=name, sex="L", birth_date=date(1980, 1, 1))
    hits = search_persons(alice, SearchQuery(text=searched, birth_year=1980))
    assert [hit.pk for hit in hits] == [wanted.pk]


def test_it_finds_a_person_an_open_referral_shares_by_name_alone_until_it_closes(alice, carol, sop):
    from sinergi.referrals.models import Referral, ReferralStatus
    from sinergi.testing.referral_fixtures import open_case_for, sent_referral

    person = make_person(alice, full_name="Hermawan Saputra", sex="L", birth_date=date(1980, 5, 5))
    make_person(alice, full_name="Hermawan Saputra", sex="L", birth_date=date(1981, 6, 6))  # not referred
    referral = sent_referral(alice, open_case_for(alice, person=person))
    [hit] = search_persons(carol, SearchQuery(text="Hermawan Saputro"))
    assert (hit.pk, hit.full_access, hit.own) == (person.pk, True, False)
    Referral.objects.filter(pk=referral.pk).update(status=ReferralStatus.COMPLETED)
    assert search_persons(carol, SearchQuery(text="Hermawan Saputro")) == []
