from sinergi.registry.selectors import SearchQuery, search_persons
from sinergi.testing.factories import make_person


def test_it_finds_old_spelling_with_new_spelling(alice, dave):
    soeharto = make_person(alice, full_name="Soeharto", sex="L")
    hits = search_persons(alice, SearchQuery(text="Suharto"))
    assert [hit.pk for hit in hits] == [soeharto.pk]
    assert hits[0].full_access


def test_it_shows_other_agencies_only_name_birth_year_and_regency(alice, dave):
    make_person(alice, full_name="Soeharto", sex="L", region_code="72.02.01", nik="7202011703840003",
                birth_date=__import__("datetime").date(1984, 3, 17))
    [hit] = search_persons(dave, SearchQuery(text="Suharto"))
    assert hit.person is None
    assert (hit.full_name, hit.birth_year, hit.regency_name) == ("Soeharto", 1984, "Kabupaten Poso")
