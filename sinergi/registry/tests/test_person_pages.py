"""Registering, editing and opening a person through the pages (Django test client, force_login)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils.html import escape

from sinergi.audit.models import AuditEvent
from sinergi.registry import services
from sinergi.registry.models import Person, PersonPhone
from sinergi.registry.tests.conftest import SITI_NIK
from sinergi.testing.factories import UserFactory

CREATE = "/orang/baru/"


def form_data(**changes: str) -> dict[str, str]:
    data = {
        "full_name": "Siti Aminah",
        "aliases": "",
        "kind": "PMI",
        "nik": SITI_NIK,
        "sex": "P",
        "birth_date": "1990-10-12",
        "birth_date_accuracy": "EXACT",
        "birth_place": "Palu",
        "province": "72",
        "regency": "72.71",
        "district": "72.71.05",
        "village": "",
        "address_text": "Jl. Trans Sulawesi",
        "phone": "0812-4455-6677",
    }
    data.update(changes)
    return data


def field_errors(response, field: str) -> str:
    """The HTML of the error list rendered under a form field."""
    found = re.search(rf'<ul class="errorlist" id="id_{field}_errors">(.*?)</ul>', response.content.decode(), re.S)
    return found.group(1) if found else ""


def main_part(response) -> str:
    """The page's <main> (the rest carries per-request nonces and tokens)."""
    body = response.content.decode()
    return body[body.index("<main") : body.index("</main>")]


# --- create -------------------------------------------------------------------------------------------------


def test_it_shows_the_registration_form_prefilled_from_the_search(client, alice):
    client.force_login(alice)
    response = client.get(CREATE, {"q": "Siti Aminah"})
    assert response.status_code == 200
    assert 'value="Siti Aminah"' in response.content.decode()


def test_it_registers_a_valid_form_and_redirects_to_the_record(client, alice):
    client.force_login(alice)
    response = client.post(CREATE, form_data())
    person = Person.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/orang/{person.pk}/")
    assert (person.full_name, person.nik, person.region_id, person.birth_place) == (
        "Siti Aminah",
        SITI_NIK,
        "72.71.05",
        "Palu",
    )
    assert list(person.phones.values_list("number", flat=True)) == ["+6281244556677"]
    assert person.history.get().history_user == alice
    event = AuditEvent.objects.get(action="person.registered")
    assert (event.via, event.ip_address) == ("web", "127.0.0.1")


def test_it_warns_of_a_possible_duplicate_and_registers_on_the_confirmed_second_post(client, alice, siti):
    client.force_login(alice)
    data = form_data(full_name="Sitti Aminah", nik="", birth_date="1990-02-01", phone="")

    warned = client.post(CREATE, data)
    assert warned.status_code == 200
    assert [hit.pk for hit in warned.context["hits"]] == [siti.pk]
    body = warned.content.decode()
    assert 'id="duplicate-warning"' in body
    assert f'href="/orang/{siti.pk}/"' in body
    assert re.search(r'<input type="hidden" name="confirm_new" value="True"[^>]*>', body)
    assert Person.objects.count() == 1

    confirmed = client.post(CREATE, {**data, "confirm_new": "True"})
    assert confirmed.status_code == 302
    assert Person.objects.filter(full_name="Sitti Aminah").count() == 1
    assert AuditEvent.objects.filter(action="person.registered").last().detail == {"confirmed_despite_matches": True}


def test_it_shows_a_bad_nik_in_indonesian_under_the_field_and_saves_nothing(client, alice):
    client.force_login(alice)
    response = client.post(CREATE, form_data(nik="7271995210900001"))
    assert response.status_code == 200
    assert not Person.objects.exists()
    errors = field_errors(response, "nik")
    assert escape("Digit 5-6 (kecamatan) '99'") in errors
    assert "tidak ada kecamatan" in errors
    assert 'lang="id"' in response.content.decode()


def test_it_shows_a_bad_nik_in_english_to_an_english_reader(client, alice):
    client.force_login(alice)
    client.cookies["django_language"] = "en"
    response = client.post(CREATE, form_data(nik="7271995210900001"))
    errors = field_errors(response, "nik")
    assert escape("Digits 5-6 (district) '99'") in errors
    assert not Person.objects.exists()


def test_it_shows_a_bad_phone_under_the_phone_field(client, alice):
    client.force_login(alice)
    response = client.post(CREATE, form_data(phone="0812-ABC"))
    assert response.status_code == 200
    assert not Person.objects.exists()
    assert escape("0812-ABC") in field_errors(response, "phone")


def test_it_does_not_register_the_same_nik_twice_on_a_double_post(client, alice):
    client.force_login(alice)
    first = client.post(CREATE, form_data())
    second = client.post(CREATE, form_data())
    assert first.status_code == 302
    assert second.status_code == 200
    existing = Person.objects.get(registered_by_agency=alice.agency, nik=SITI_NIK)
    assert SITI_NIK in field_errors(second, "nik")
    assert f'href="/orang/{existing.pk}/"' in second.content.decode()  # "open the existing record"


def test_it_does_not_register_twice_on_a_double_post_without_nik(client, alice):
    client.force_login(alice)
    data = form_data(nik="", phone="")
    assert client.post(CREATE, data).status_code == 302
    second = client.post(CREATE, data)
    assert second.status_code == 200
    assert second.context["hits"]
    assert Person.objects.count() == 1


def test_it_refreshes_the_region_lists_without_saving(client, alice):
    client.force_login(alice)
    response = client.post(CREATE, form_data(district="", _refresh_region="1"))
    assert response.status_code == 200
    assert not Person.objects.exists()
    assert not response.context["form"].errors
    district_choices = dict(response.context["form"].fields["district"].choices)
    assert district_choices["72.71.05"] == "Ulujadi"
    assert "72.02.01" not in district_choices


def test_it_forbids_the_auditor_the_registration_page(client, bob):
    client.force_login(bob)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, form_data()).status_code == 403
    assert not Person.objects.exists()


# --- edit ---------------------------------------------------------------------------------------------------


def edit_data(person: Person, **changes: str) -> dict[str, str]:
    data = form_data(
        full_name=person.full_name, nik=person.nik, address_text=person.address_text, version=str(person.version)
    )
    del data["phone"]
    data.update(changes)
    return data


def test_it_edits_a_person_from_the_version_it_was_opened_at(client, alice, siti):
    client.force_login(alice)
    page = client.get(f"/orang/{siti.pk}/ubah/")
    assert page.status_code == 200
    assert page.context["form"].initial["version"] == 1

    response = client.post(f"/orang/{siti.pk}/ubah/", edit_data(siti, birth_place="Donggala"))
    assert (response.status_code, response["Location"]) == (302, f"/orang/{siti.pk}/")
    siti.refresh_from_db()
    assert (siti.birth_place, siti.version) == ("Donggala", 2)


def test_it_refuses_a_stale_edit_on_the_page_and_saves_nothing(client, alice, siti, bp3mi):
    erin = UserFactory(username="erin", first_name="Erin", agency=bp3mi)
    client.force_login(alice)
    opened = edit_data(siti, full_name="Siti Aminah Lamba")  # version 1
    services.update_person(
        actor=erin,
        person_id=siti.pk,
        data=services.merged(services.person_data_of(siti), birth_place="Donggala"),
        expected_version=1,
    )

    response = client.post(f"/orang/{siti.pk}/ubah/", opened)
    assert response.status_code == 200
    refusal = re.search(r'<div class="message error" role="alert">(.*?)</div>', response.content.decode(), re.S)
    assert refusal is not None
    assert "Erin" in refusal.group(1)
    siti.refresh_from_db()
    assert (siti.full_name, siti.birth_place, siti.version) == ("Siti Aminah", "Donggala", 2)


def test_it_refuses_an_edit_without_a_version(client, alice, siti):
    client.force_login(alice)
    data = edit_data(siti, full_name="Siti Aminah Lamba")
    del data["version"]
    response = client.post(f"/orang/{siti.pk}/ubah/", data)
    assert response.status_code == 200
    siti.refresh_from_db()
    assert siti.full_name == "Siti Aminah"


def test_it_forbids_the_auditor_to_edit(client, bob, siti):
    client.force_login(bob)
    assert client.get(f"/orang/{siti.pk}/ubah/").status_code == 403
    assert client.post(f"/orang/{siti.pk}/ubah/", edit_data(siti, full_name="X")).status_code == 403
    siti.refresh_from_db()
    assert (siti.full_name, siti.version) == ("Siti Aminah", 1)


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_it_answers_404_to_another_agency_editing(persona, request, client, siti):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(f"/orang/{siti.pk}/ubah/").status_code == 404
    assert client.post(f"/orang/{siti.pk}/ubah/", edit_data(siti, full_name="X")).status_code == 404
    siti.refresh_from_db()
    assert siti.full_name == "Siti Aminah"


# --- detail -------------------------------------------------------------------------------------------------


def test_it_shows_the_record_to_its_agency_and_logs_the_view(client, alice, siti):
    client.force_login(alice)
    response = client.get(f"/orang/{siti.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert SITI_NIK in body
    assert "+6281244556677" in body
    assert "Ulujadi" in body
    event = AuditEvent.objects.get(action="person.viewed")
    assert (event.actor, event.object_id, event.via) == (alice, str(siti.pk), "web")


def test_it_lets_the_auditor_read_the_record_without_edit_controls(client, bob, siti):
    client.force_login(bob)
    response = client.get(f"/orang/{siti.pk}/")
    assert response.status_code == 200
    assert SITI_NIK in response.content.decode()
    assert f"/orang/{siti.pk}/ubah/" not in response.content.decode()
    assert AuditEvent.objects.filter(action="person.viewed", actor=bob).count() == 1


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_it_answers_404_to_another_agency_opening_the_record(persona, request, client, siti):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    not_yours = client.get(f"/orang/{siti.pk}/")
    not_there = client.get(f"/orang/{siti.pk + 1000}/")
    assert not_yours.status_code == not_there.status_code == 404
    assert main_part(not_yours) == main_part(not_there)  # nothing tells the two apart
    assert not AuditEvent.objects.filter(action="person.viewed").exists()


def test_it_opens_the_detail_page_with_a_fixed_number_of_queries(client, alice, siti):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)
    with CaptureQueriesContext(connection) as bare:
        client.get(f"/orang/{siti.pk}/")
    for n in range(5):
        services.add_phone(actor=alice, person_id=siti.pk, number=f"0813 1234 56{n:02d}")
        services.add_family_link(actor=alice, person_id=siti.pk, relationship="SAUDARA", name=f"Saudara {n}")
        services.add_migration_episode(
            actor=alice,
            person_id=siti.pk,
            data=services.EpisodeData(destination_country="MY", departure_date=date(2010 + n, 1, 1)),
        )
    with CaptureQueriesContext(connection) as full:
        response = client.get(f"/orang/{siti.pk}/")
    assert "Saudara 4" in response.content.decode()
    assert len(full.captured_queries) == len(bare.captured_queries)


# --- sub-records through the page ---------------------------------------------------------------------------


def test_it_adds_and_removes_a_phone_from_the_detail_page(client, alice, siti):
    client.force_login(alice)
    added = client.post(f"/orang/{siti.pk}/phone/tambah/", {"number": "0813 1234 5678", "label": "WA"})
    assert (added.status_code, added["Location"]) == (302, f"/orang/{siti.pk}/#phone")
    phone = PersonPhone.objects.get(person=siti, number="+6281312345678")

    url = f"/orang/{siti.pk}/phone/{phone.pk}/hapus/"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302  # a double click is harmless
    assert not PersonPhone.objects.filter(pk=phone.pk).exists()
    assert AuditEvent.objects.filter(action="person.phone_removed").count() == 1


def test_it_shows_a_refused_sub_record_on_the_detail_page(client, alice, siti):
    client.force_login(alice)
    response = client.post(
        f"/orang/{siti.pk}/episode/tambah/",
        {
            "destination_country": "MY",
            "departure_date": "2022-08-15",
            "return_date": "2019-03-01",
            "procedural": "unknown",
        },
    )
    assert response.status_code == 400
    assert field_errors(response, "return_date")
    assert not siti.episodes.exists()


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_it_answers_404_to_another_agency_adding_a_sub_record(persona, request, client, siti):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(f"/orang/{siti.pk}/phone/tambah/", {"number": "0813 1234 5678"})
    assert response.status_code == 404
    assert siti.phones.count() == 1


def test_it_forbids_the_auditor_to_add_or_remove_a_sub_record(client, bob, siti):
    client.force_login(bob)
    phone = siti.phones.get()
    assert client.post(f"/orang/{siti.pk}/phone/tambah/", {"number": "0813 1234 5678"}).status_code == 403
    assert client.post(f"/orang/{siti.pk}/phone/{phone.pk}/hapus/").status_code == 403
    assert list(siti.phones.values_list("pk", flat=True)) == [phone.pk]


# --- NIK check and the live duplicate panel -----------------------------------------------------------------


def test_it_explains_a_nik(client, alice):
    client.force_login(alice)
    body = client.get("/orang/nik/", {"nik": SITI_NIK}).content.decode()
    assert "Ulujadi" in body
    assert "Kota Palu" in body
    assert "1990" in body


def test_it_explains_why_a_nik_is_invalid(client, alice):
    client.force_login(alice)
    response = client.get("/orang/nik/", {"nik": "7271053510900001"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert "<html" not in body
    assert escape("digit 7-8 (tanggal lahir) '35'") in body.lower()


def test_it_lists_possible_matches_while_typing(client, dave, siti):
    client.force_login(dave)
    body = client.get("/orang/cocok/", {"full_name": "Siti Aminah", "birth_date": "1990-10-12"}).content.decode()
    assert "Siti Aminah" in body
    assert f"/orang/{siti.pk}/" not in body  # another agency's record: named, not linked
    assert SITI_NIK not in body
