"""persons_visible_to and get_person_for_user: the agency that registered a person sees the full record,
another agency gets the same 404 as for an id that does not exist."""

from __future__ import annotations

import pytest
from django.http import Http404

from sinergi.registry.models import Person
from sinergi.registry.selectors import get_person_for_user, persons_visible_to
from sinergi.testing.factories import UserFactory


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_it_shows_the_agencys_person_to_its_staff(persona, request, siti):
    user = request.getfixturevalue(persona)
    assert list(persons_visible_to(user)) == [siti]
    assert get_person_for_user(user, siti.pk) == siti


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_it_answers_another_agency_as_if_the_person_did_not_exist(persona, request, siti):
    user = request.getfixturevalue(persona)
    assert not persons_visible_to(user).exists()
    with pytest.raises(Http404) as not_yours:
        get_person_for_user(user, siti.pk)
    missing_id = Person.objects.order_by("-pk").values_list("pk", flat=True).first() + 1000
    with pytest.raises(Http404) as not_there:
        get_person_for_user(user, missing_id)
    assert str(not_yours.value) == str(not_there.value)


def test_it_refuses_a_write_lookup_to_the_read_only_auditor(bob, siti):
    assert get_person_for_user(bob, siti.pk) == siti
    with pytest.raises(Http404):
        get_person_for_user(bob, siti.pk, write=True)


def test_it_allows_a_write_lookup_to_the_petugas(alice, siti):
    assert get_person_for_user(alice, siti.pk, write=True) == siti


@pytest.mark.parametrize("bad_id", ["abc", None, "1.5"])
def test_it_answers_404_for_an_id_that_is_not_a_number(alice, siti, bad_id):
    with pytest.raises(Http404):
        get_person_for_user(alice, bad_id)


def test_it_shows_nothing_to_a_user_without_a_role_an_agency_or_an_active_account(siti, bp3mi):
    no_role = UserFactory(username="norole", agency=bp3mi, roles=[])
    no_agency = UserFactory(username="noagency", agency=None)
    inactive = UserFactory(username="inactive", agency=bp3mi, is_active=False)
    for user in (no_role, no_agency, inactive):
        assert not persons_visible_to(user).exists(), user.username
        with pytest.raises(Http404):
            get_person_for_user(user, siti.pk)


def test_it_scopes_each_agency_to_its_own_records(alice, dave, siti):
    from sinergi.testing.factories import make_person

    dinsos_person = make_person(dave, full_name="Budi Santoso", sex="L")
    assert list(persons_visible_to(alice)) == [siti]
    assert list(persons_visible_to(dave)) == [dinsos_person]
