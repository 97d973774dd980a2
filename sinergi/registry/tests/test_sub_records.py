"""Identifiers, phones, relatives and migration episodes: validated on the way in, removable once."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sinergi.audit.models import AuditEvent
from sinergi.registry import services
from sinergi.registry.models import FamilyLink, IdentifierKind, MigrationEpisode, PersonIdentifier, PersonPhone
from sinergi.registry.services import EpisodeData


def test_it_stores_a_phone_in_e164_once(alice, siti):
    phone = services.add_phone(actor=alice, person_id=siti.pk, number="0813 1234 5678", label=" WhatsApp ")
    assert (phone.number, phone.label) == ("+6281312345678", "WhatsApp")
    # The same number typed another way is the same phone.
    again = services.add_phone(actor=alice, person_id=siti.pk, number="+62 813-1234-5678")
    assert again.pk == phone.pk
    assert PersonPhone.objects.filter(person=siti, number="+6281312345678").count() == 1
    assert AuditEvent.objects.filter(action="person.phone_added").count() == 1


def test_it_keeps_a_foreign_phone_with_its_country_code(alice, siti):
    phone = services.add_phone(actor=alice, person_id=siti.pk, number="+60 12-345 6789")
    assert phone.number == "+60123456789"


def test_it_refuses_a_phone_that_is_not_a_number(alice, siti):
    with pytest.raises(services.InvalidData) as error:
        services.add_phone(actor=alice, person_id=siti.pk, number="0812")
    assert list(error.value.errors) == ["number"]
    assert PersonPhone.objects.filter(person=siti).count() == 1  # only the one registered with her


def test_it_stores_a_kk_number_without_separators(alice, siti):
    identifier = services.add_identifier(
        actor=alice, person_id=siti.pk, kind=IdentifierKind.KK, value="7271 0501 1205 0007"
    )
    assert identifier.value == "7271050112050007"
    assert AuditEvent.objects.get(action="person.identifier_added").detail == {"kind": "KK"}


@pytest.mark.parametrize(
    ("value", "words"),
    [("72710501120500", ["16", "14"]), ("9971050112050007", ["KK", "kecamatan"])],
)
def test_it_refuses_a_kk_number_of_the_wrong_length_or_district(alice, siti, value, words):
    with pytest.raises(services.InvalidData) as error:
        services.add_identifier(actor=alice, person_id=siti.pk, kind=IdentifierKind.KK, value=value)
    [message] = error.value.errors["value"]
    assert all(word in message for word in words), message
    assert not PersonIdentifier.objects.exists()


def test_it_checks_the_passport_format(alice, siti):
    passport = services.add_identifier(actor=alice, person_id=siti.pk, kind=IdentifierKind.PASSPORT, value="c 1234567")
    assert passport.value == "C1234567"
    with pytest.raises(services.InvalidData) as error:
        services.add_identifier(actor=alice, person_id=siti.pk, kind=IdentifierKind.PASSPORT, value="1234567")
    [message] = error.value.errors["value"]
    assert "C1234567" in message  # the message shows what a passport number looks like
    assert PersonIdentifier.objects.count() == 1


def test_it_refuses_an_unknown_identifier_kind(alice, siti):
    with pytest.raises(services.InvalidData) as error:
        services.add_identifier(actor=alice, person_id=siti.pk, kind="SIM", value="123")
    assert list(error.value.errors) == ["kind"]


def test_it_adds_an_episode_with_a_normalised_employer_phone(alice, siti):
    episode = services.add_migration_episode(
        actor=alice,
        person_id=siti.pk,
        data=EpisodeData(
            destination_country="my",
            employer=" Tan Sri Holdings ",
            employer_phone="+60 12-345 6789",
            departure_date=date(2019, 3, 1),
            return_date=date(2022, 8, 15),
            procedural=False,
        ),
    )
    episode.refresh_from_db()
    assert (episode.destination_country, episode.employer, episode.employer_phone) == (
        "MY",
        "Tan Sri Holdings",
        "+60123456789",
    )
    assert AuditEvent.objects.get(action="person.episode_added").detail == {"country": "MY"}


def test_it_refuses_a_return_before_the_departure(alice, siti):
    with pytest.raises(services.InvalidData) as error:
        services.add_migration_episode(
            actor=alice,
            person_id=siti.pk,
            data=EpisodeData(destination_country="MY", departure_date=date(2022, 8, 15), return_date=date(2019, 3, 1)),
        )
    assert list(error.value.errors) == ["return_date"]
    assert not MigrationEpisode.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (EpisodeData(destination_country="ID"), "destination_country"),  # Indonesia is home, not abroad
        (EpisodeData(destination_country="XX"), "destination_country"),
        (EpisodeData(destination_country="MY", departure_date=date(1985, 1, 1)), "departure_date"),  # before birth
        (EpisodeData(destination_country="MY", departure_date=date(2100, 1, 1)), "departure_date"),  # future
    ],
)
def test_it_refuses_impossible_episodes(alice, siti, data, field):
    with pytest.raises(services.InvalidData) as error:
        services.add_migration_episode(actor=alice, person_id=siti.pk, data=data)
    assert field in error.value.errors
    assert not MigrationEpisode.objects.exists()


def test_it_adds_a_relative_linked_to_a_visible_person(alice, siti, soeharto):
    link = services.add_family_link(
        actor=alice,
        person_id=siti.pk,
        relationship="PASANGAN",
        name=" Soeharto ",
        phone="0812 9999 0000",
        is_next_of_kin=True,
        relative_id=soeharto.pk,
    )
    assert (link.name, link.phone, link.relative, link.is_next_of_kin) == ("Soeharto", "+6281299990000", soeharto, True)


def test_it_does_not_link_a_relative_from_another_agency(alice, dave, siti):
    from sinergi.testing.factories import make_person

    dinsos_person = make_person(dave, full_name="Budi Santoso", sex="L", birth_date=date(1988, 1, 1))
    with pytest.raises(Http404):
        services.add_family_link(
            actor=alice, person_id=siti.pk, relationship="SAUDARA", name="Budi", relative_id=dinsos_person.pk
        )
    assert not FamilyLink.objects.exists()


def test_it_refuses_a_relative_without_name_or_relationship(alice, siti):
    with pytest.raises(services.InvalidData) as error:
        services.add_family_link(actor=alice, person_id=siti.pk, relationship="TETANGGA", name=" ")
    assert set(error.value.errors) == {"relationship", "name"}


def test_it_removes_a_sub_record_once_and_a_second_remove_is_harmless(alice, siti):
    phone = siti.phones.get()
    services.remove_sub_record(actor=alice, person_id=siti.pk, kind="phone", record_id=phone.pk)
    services.remove_sub_record(actor=alice, person_id=siti.pk, kind="phone", record_id=phone.pk)  # double click

    assert not PersonPhone.objects.filter(person=siti).exists()
    assert AuditEvent.objects.filter(action="person.phone_removed").count() == 1
    deleted = PersonPhone.history.filter(id=phone.pk, history_type="-").get()
    assert deleted.history_user == alice
    assert deleted.number == "+6281244556677"


def test_it_does_not_remove_another_persons_sub_record_through_the_wrong_person(alice, siti, soeharto):
    phone = siti.phones.get()
    services.remove_sub_record(actor=alice, person_id=soeharto.pk, kind="phone", record_id=phone.pk)
    assert PersonPhone.objects.filter(pk=phone.pk).exists()


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_it_answers_404_to_another_agency_adding_or_removing(persona, request, siti):
    user = request.getfixturevalue(persona)
    phone = siti.phones.get()
    with pytest.raises(Http404):
        services.add_phone(actor=user, person_id=siti.pk, number="0813 1234 5678")
    with pytest.raises(Http404):
        services.remove_sub_record(actor=user, person_id=siti.pk, kind="phone", record_id=phone.pk)
    assert list(siti.phones.values_list("number", flat=True)) == ["+6281244556677"]


def test_it_refuses_sub_record_changes_by_the_auditor(bob, siti):
    with pytest.raises(PermissionDenied):
        services.add_phone(actor=bob, person_id=siti.pk, number="0813 1234 5678")
    with pytest.raises(PermissionDenied):
        services.remove_sub_record(actor=bob, person_id=siti.pk, kind="phone", record_id=siti.phones.get().pk)
    assert siti.phones.count() == 1
