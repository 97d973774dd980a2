"""register_person and update_person: permission, duplicates, optimistic lock, audit and history."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sinergi.audit.models import AuditEvent
from sinergi.registry import services
from sinergi.registry.history import person_changes
from sinergi.registry.models import NameToken, Person, PersonAlias, PersonPhone
from sinergi.registry.services import PersonData
from sinergi.registry.tests.conftest import SITI_BIRTH, SITI_NIK


def siti_data(**changes: object) -> PersonData:
    values: dict[str, object] = {
        "full_name": "Siti Aminah",
        "sex": "P",
        "birth_date": SITI_BIRTH,
        "nik": SITI_NIK,
        "region_code": "72.71.05",
    }
    values.update(changes)
    return PersonData(**values)


# --- register_person ---------------------------------------------------------------------------------------


def test_it_registers_a_person_with_name_index_audit_event_and_history(alice):
    person = services.register_person(actor=alice, data=siti_data(aliases=["Aminah"], phones=["0812-4455-6677"]))

    stored = Person.objects.get()
    assert stored.pk == person.pk
    assert (stored.full_name, stored.nik, stored.region_id) == ("Siti Aminah", SITI_NIK, "72.71.05")
    assert stored.registered_by_agency == alice.agency
    assert stored.created_by == alice
    assert stored.version == 1
    tokens = set(NameToken.objects.filter(person=person).values_list("token", flat=True))
    assert {"siti", "aminah"} <= tokens
    assert list(PersonAlias.objects.filter(person=person).values_list("name", flat=True)) == ["Aminah"]
    assert list(PersonPhone.objects.filter(person=person).values_list("number", flat=True)) == ["+6281244556677"]

    event = AuditEvent.objects.get(action="person.registered")
    assert (event.actor, event.agency, event.object_type, event.object_id) == (
        alice,
        alice.agency,
        "registry.person",
        str(person.pk),
    )
    assert event.detail == {"confirmed_despite_matches": False}

    [created] = person.history.all()
    assert created.history_type == "+"
    assert created.history_user == alice


def test_it_normalises_spacing_of_names_and_drops_empty_aliases(alice):
    person = services.register_person(
        actor=alice, data=PersonData(full_name="  Siti   Aminah ", aliases=["", "  Ami   nah "])
    )
    assert person.full_name == "Siti Aminah"
    assert [alias.name for alias in person.aliases.all()] == ["Ami nah"]


def test_it_refuses_registration_by_a_read_only_role_and_writes_nothing(bob):
    with pytest.raises(PermissionDenied):
        services.register_person(actor=bob, data=siti_data())
    assert not Person.objects.exists()
    assert not NameToken.objects.exists()
    assert not AuditEvent.objects.exists()
    assert not Person.history.exists()


def test_it_refuses_the_same_nik_twice_in_one_agency_even_when_confirmed(alice, siti):
    with pytest.raises(services.NikAlreadyRegistered) as refusal:
        services.register_person(actor=alice, data=siti_data(full_name="Sitti Aminah"), confirm_new=True)
    assert refusal.value.existing == siti
    assert SITI_NIK in str(refusal.value)
    assert Person.objects.count() == 1


def test_it_warns_of_a_similar_name_with_the_same_birth_year(alice, siti):
    other_day = date(1990, 2, 1)
    with pytest.raises(services.PossibleDuplicate) as warning:
        services.register_person(actor=alice, data=PersonData(full_name="Sitti Aminah", sex="P", birth_date=other_day))
    assert [hit.pk for hit in warning.value.hits] == [siti.pk]
    assert warning.value.hits[0].person == siti  # our own record: the full record may be opened
    assert Person.objects.count() == 1

    again = services.register_person(
        actor=alice, data=PersonData(full_name="Sitti Aminah", sex="P", birth_date=other_day), confirm_new=True
    )
    assert Person.objects.count() == 2
    assert AuditEvent.objects.get(action="person.registered", object_id=str(again.pk)).detail == {
        "confirmed_despite_matches": True
    }


def test_it_does_not_warn_of_a_similar_name_born_in_another_year(alice, siti):
    person = services.register_person(
        actor=alice, data=PersonData(full_name="Sitti Aminah", sex="P", birth_date=date(1975, 1, 1))
    )
    assert person.pk != siti.pk


def test_it_warns_of_a_nik_registered_by_another_agency_with_limited_hits(alice, dave, siti):
    # A different name: the only evidence is the NIK.
    data = siti_data(full_name="Nur Hayati")
    with pytest.raises(services.PossibleDuplicate) as warning:
        services.register_person(actor=dave, data=data)
    [hit] = warning.value.hits
    assert hit.pk == siti.pk
    assert hit.nik_match
    assert hit.person is None  # dave learns that a record exists, not what is in it
    assert not Person.objects.filter(registered_by_agency=dave.agency).exists()

    services.register_person(actor=dave, data=data, confirm_new=True)
    assert Person.objects.filter(registered_by_agency=dave.agency, nik=SITI_NIK).count() == 1


# --- update_person -----------------------------------------------------------------------------------------


def test_it_updates_bumps_version_records_changed_fields_and_keeps_the_diff(alice, siti):
    data = services.merged(services.person_data_of(siti), full_name="Siti Aminah Lamba", address_text="Jl. Baru 1")
    updated = services.update_person(actor=alice, person_id=siti.pk, data=data, expected_version=1)

    siti.refresh_from_db()
    assert (siti.full_name, siti.address_text, siti.version) == ("Siti Aminah Lamba", "Jl. Baru 1", 2)
    assert updated.version == 2
    assert "lamba" in set(NameToken.objects.filter(person=siti).values_list("token", flat=True))
    event = AuditEvent.objects.get(action="person.updated")
    assert event.actor == alice
    assert sorted(event.detail["fields"]) == ["address_text", "full_name"]

    newest = person_changes(siti)[0]
    assert newest.kind == "~"
    assert newest.who == alice.display_name
    name_label = str(Person._meta.get_field("full_name").verbose_name)
    assert (name_label, "Siti Aminah", "Siti Aminah Lamba") in {(c.field, c.old, c.new) for c in newest.changes}
    assert siti.history.first().history_user == alice


def test_a_person_without_history_rows_has_no_revisions_instead_of_an_error(siti):
    # A person loaded in bulk outside the services (a restore, a data migration) may have no history row.
    siti.history.all().delete()
    assert person_changes(siti) == []


def test_it_refuses_a_stale_edit_and_leaves_the_row_unchanged(alice, siti, bp3mi):
    from sinergi.testing.factories import UserFactory

    # Someone else at BP3MI saves first...
    erin = UserFactory(username="erin", first_name="Erin", agency=bp3mi)
    services.update_person(
        actor=erin,
        person_id=siti.pk,
        data=services.merged(services.person_data_of(siti), birth_place="Donggala"),
        expected_version=1,
    )
    # ...then alice saves the form she opened at version 1.
    stale = services.merged(services.person_data_of(siti), full_name="Siti Aminah Lamba")
    with pytest.raises(services.StaleEdit) as refusal:
        services.update_person(actor=alice, person_id=siti.pk, data=stale, expected_version=1)

    assert "Erin" in str(refusal.value)
    siti.refresh_from_db()
    assert (siti.full_name, siti.birth_place, siti.version) == ("Siti Aminah", "Donggala", 2)
    assert AuditEvent.objects.filter(action="person.updated").count() == 1


def test_it_does_not_bump_the_version_when_nothing_changed(alice, siti):
    services.update_person(actor=alice, person_id=siti.pk, data=services.person_data_of(siti), expected_version=1)
    siti.refresh_from_db()
    assert siti.version == 1
    assert not AuditEvent.objects.filter(action="person.updated").exists()


def test_it_records_alias_changes_as_a_change(alice, siti):
    data = services.merged(services.person_data_of(siti), aliases=["Ami"])
    services.update_person(actor=alice, person_id=siti.pk, data=data, expected_version=1)
    siti.refresh_from_db()
    assert siti.version == 2
    assert AuditEvent.objects.get(action="person.updated").detail == {"fields": ["aliases"]}
    assert "ami" in set(NameToken.objects.filter(person=siti).values_list("token", flat=True))


def test_it_refuses_an_update_to_a_nik_another_record_of_the_agency_has(alice, siti, soeharto):
    data = services.merged(services.person_data_of(soeharto), nik=SITI_NIK, sex="P", birth_date=SITI_BIRTH)
    with pytest.raises(services.NikAlreadyRegistered):
        services.update_person(actor=alice, person_id=soeharto.pk, data=data, expected_version=1)
    soeharto.refresh_from_db()
    assert soeharto.nik != SITI_NIK


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_it_answers_404_to_another_agency_updating(persona, request, siti):
    user = request.getfixturevalue(persona)
    with pytest.raises(Http404):
        services.update_person(
            actor=user,
            person_id=siti.pk,
            data=services.merged(services.person_data_of(siti), full_name="X"),
            expected_version=1,
        )
    siti.refresh_from_db()
    assert siti.full_name == "Siti Aminah"


def test_it_refuses_an_update_by_the_auditor(bob, siti):
    with pytest.raises(PermissionDenied):
        services.update_person(
            actor=bob,
            person_id=siti.pk,
            data=services.merged(services.person_data_of(siti), full_name="X"),
            expected_version=1,
        )
    siti.refresh_from_db()
    assert siti.full_name == "Siti Aminah"
