"""/api/v1/persons: the same services and visibility as the pages, for partner systems (token) and scripts."""

from __future__ import annotations

from datetime import date

import pytest

from sinergi.accounts.tokens import create_token
from sinergi.audit.models import AuditEvent
from sinergi.registry.models import Person, PersonPhone
from sinergi.registry.tests.conftest import SITI_NIK, SOEHARTO_NIK
from sinergi.testing.factories import make_person

PERSONS = "/api/v1/persons"


def bearer(user, *scopes: str) -> dict[str, str]:
    _, secret = create_token(
        actor=None, user=user, name="sisko", scopes=list(scopes or ("persons:read", "persons:write"))
    )
    return {"Authorization": f"Bearer {secret}"}


def new_person(**changes: object) -> dict[str, object]:
    payload: dict[str, object] = {
        "full_name": "Siti Aminah",
        "sex": "P",
        "birth_date": "1990-10-12",
        "nik": SITI_NIK,
        "region_code": "72.71.05",
        "phones": ["0812-4455-6677"],
    }
    payload.update(changes)
    return payload


# --- search -------------------------------------------------------------------------------------------------


def test_it_searches_with_full_fields_for_own_records(client, alice, soeharto):
    response = client.get(PERSONS, {"q": "Suharto"}, headers=bearer(alice))
    assert response.status_code == 200
    [hit] = response.json()
    assert (hit["id"], hit["full_access"], hit["nik"], hit["birth_date"]) == (
        soeharto.pk,
        True,
        SOEHARTO_NIK,
        "1984-03-17",
    )


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_it_searches_with_limited_fields_for_another_agencys_records(persona, request, client, soeharto):
    # Another agency's person: by name only together with a birth year, and without an id (issue 9).
    headers = bearer(request.getfixturevalue(persona))
    assert client.get(PERSONS, {"q": "Suharto"}, headers=headers).json() == []
    response = client.get(PERSONS, {"q": "Suharto", "birth_year": 1984}, headers=headers)
    [hit] = response.json()
    assert hit["id"] is None
    assert (hit["full_name"], hit["birth_year"], hit["regency"]) == ("Soeharto", 1984, "Kabupaten Poso")
    assert hit["full_access"] is False
    assert hit["nik"] is None
    assert hit["birth_date"] is None
    assert SOEHARTO_NIK not in response.content.decode()


def test_it_searches_by_nik_and_filters(client, alice, siti, soeharto):
    headers = bearer(alice)
    assert [hit["id"] for hit in client.get(PERSONS, {"nik": SITI_NIK}, headers=headers).json()] == [siti.pk]
    assert [hit["id"] for hit in client.get(PERSONS, {"region": "72.02"}, headers=headers).json()] == [soeharto.pk]
    by_year = client.get(PERSONS, {"q": "Siti Aminah", "birth_year": 1975}, headers=headers).json()
    assert by_year == []


def test_it_searches_with_a_fixed_number_of_queries(client, alice, dave, django_assert_max_num_queries):
    for n in range(30):
        make_person(alice if n % 2 else dave, full_name="Suharto", sex="L", birth_date=date(1960 + n, 1, 1))
    headers = bearer(dave, "persons:read")
    # Token (+ its last-used stamp), then the search's own fixed set (see test_search.py).
    with django_assert_max_num_queries(8):
        response = client.get(PERSONS, {"q": "Soeharto"}, headers=headers)
    # A name alone reaches only the agency's own persons (another agency's need the birth year too).
    assert len(response.json()) == 15
    assert sum(hit["full_access"] for hit in response.json()) == 15


# --- register -----------------------------------------------------------------------------------------------


def test_it_registers_a_person(client, alice):
    response = client.post(PERSONS, new_person(), content_type="application/json", headers=bearer(alice))
    assert response.status_code == 201
    body = response.json()
    person = Person.objects.get()
    assert (body["id"], body["version"], body["nik"], body["region_code"]) == (person.pk, 1, SITI_NIK, "72.71.05")
    assert [phone["number"] for phone in body["phones"]] == ["+6281244556677"]
    assert body["registered_by"] == "bp3mi-sulteng"
    event = AuditEvent.objects.get(action="person.registered")
    assert (event.actor, event.via) == (alice, "api")
    assert person.history.get().history_user == alice


def test_it_registers_a_person_from_the_browser_session(client, alice):
    # Session auth passes the login middleware, so this isolates the response itself (status + body).
    client.force_login(alice)
    response = client.post(PERSONS, new_person(), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["nik"] == SITI_NIK
    assert Person.objects.filter(registered_by_agency=alice.agency, nik=SITI_NIK).count() == 1


def test_it_answers_409_with_matches_for_a_possible_duplicate(client, alice, siti):
    payload = new_person(full_name="Sitti Aminah", nik="", birth_date="1990-02-01", phones=[])
    response = client.post(PERSONS, payload, content_type="application/json", headers=bearer(alice))
    assert response.status_code == 409
    body = response.json()
    assert [match["id"] for match in body["matches"]] == [siti.pk]
    assert body["existing_id"] is None
    assert Person.objects.count() == 1

    confirmed = client.post(
        PERSONS, {**payload, "confirm_new": True}, content_type="application/json", headers=bearer(alice)
    )
    assert confirmed.status_code == 201
    assert Person.objects.count() == 2


def test_it_answers_409_with_limited_matches_for_a_nik_of_another_agency(client, dave, siti):
    payload = new_person(full_name="Nur Hayati")
    response = client.post(PERSONS, payload, content_type="application/json", headers=bearer(dave))
    assert response.status_code == 409
    [match] = response.json()["matches"]
    assert (match["id"], match["nik_match"], match["full_access"], match["nik"]) == (None, True, False, None)


def test_it_answers_409_with_the_existing_id_for_the_same_nik_in_the_agency(client, alice, siti):
    response = client.post(
        PERSONS, new_person(confirm_new=True), content_type="application/json", headers=bearer(alice)
    )
    assert response.status_code == 409
    body = response.json()
    assert body["existing_id"] == siti.pk
    assert body["matches"] == []
    assert SITI_NIK in body["detail"]
    assert Person.objects.count() == 1


def test_it_answers_422_per_field_for_a_bad_nik_in_the_requested_language(client, alice):
    headers = bearer(alice)
    response = client.post(
        PERSONS, new_person(nik="7271995210900001"), content_type="application/json", headers=headers
    )
    assert response.status_code == 422
    [message] = response.json()["errors"]["nik"]
    assert "Digit 5-6 (kecamatan) '99'" in message

    english = client.post(
        PERSONS,
        new_person(nik="7271995210900001"),
        content_type="application/json",
        headers={**headers, "Accept-Language": "en"},
    )
    assert english.status_code == 422
    [message] = english.json()["errors"]["nik"]
    assert "Digits 5-6 (district) '99'" in message
    assert not Person.objects.exists()


def test_it_answers_422_for_a_payload_that_does_not_match_the_schema(client, alice):
    response = client.post(PERSONS, {"sex": "P"}, content_type="application/json", headers=bearer(alice))
    assert response.status_code == 422
    assert not Person.objects.exists()


def test_it_forbids_registration_with_a_read_only_token(client, alice):
    response = client.post(
        PERSONS, new_person(), content_type="application/json", headers=bearer(alice, "persons:read")
    )
    assert response.status_code == 403
    assert "persons:write" in response.json()["detail"]
    assert not Person.objects.exists()


def test_it_forbids_registration_by_the_auditor(client, bob):
    client.force_login(bob)
    response = client.post(PERSONS, new_person(), content_type="application/json")
    assert response.status_code == 403
    assert not Person.objects.exists()


def test_it_forbids_search_with_a_write_only_token(client, alice, siti):
    response = client.get(PERSONS, {"q": "Siti Aminah"}, headers=bearer(alice, "persons:write"))
    assert response.status_code == 403


# --- read ---------------------------------------------------------------------------------------------------


def test_it_returns_the_full_record_and_logs_the_view(client, alice, siti):
    response = client.get(f"{PERSONS}/{siti.pk}", headers=bearer(alice, "persons:read"))
    assert response.status_code == 200
    body = response.json()
    assert (body["full_name"], body["nik"], body["birth_date"], body["version"]) == (
        "Siti Aminah",
        SITI_NIK,
        "1990-10-12",
        1,
    )
    event = AuditEvent.objects.get(action="person.viewed")
    assert (event.actor, event.object_id, event.via) == (alice, str(siti.pk), "api")


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_it_answers_404_to_another_agency_as_for_a_missing_id(persona, request, client, siti):
    headers = bearer(request.getfixturevalue(persona))
    not_yours = client.get(f"{PERSONS}/{siti.pk}", headers=headers)
    not_there = client.get(f"{PERSONS}/{siti.pk + 1000}", headers=headers)
    assert not_yours.status_code == not_there.status_code == 404
    assert not_yours.json() == not_there.json()
    assert not AuditEvent.objects.filter(action="person.viewed").exists()


def test_it_explains_a_nik(client, alice):
    response = client.get(f"{PERSONS}/nik/{SITI_NIK}", headers=bearer(alice, "persons:read"))
    body = response.json()
    assert body["valid"] is True
    assert (body["district_code"], body["district_name"], body["regency_name"]) == ("72.71.05", "Ulujadi", "Kota Palu")
    assert (body["sex"], body["birth_date"]) == ("P", "1990-10-12")


def test_it_explains_why_a_nik_is_invalid(client, alice):
    body = client.get(f"{PERSONS}/nik/7271053510900001", headers=bearer(alice)).json()
    assert body["valid"] is False
    assert body["district_name"] is None
    assert any("'35'" in error for error in body["errors"])


# --- update -------------------------------------------------------------------------------------------------


def test_it_patches_with_the_current_version(client, alice, siti):
    response = client.patch(
        f"{PERSONS}/{siti.pk}",
        {"version": 1, "birth_place": "Donggala"},
        content_type="application/json",
        headers=bearer(alice),
    )
    assert response.status_code == 200
    assert (response.json()["version"], response.json()["birth_place"]) == (2, "Donggala")
    siti.refresh_from_db()
    assert (siti.birth_place, siti.version, siti.full_name, siti.nik) == ("Donggala", 2, "Siti Aminah", SITI_NIK)
    assert AuditEvent.objects.get(action="person.updated").detail == {"fields": ["birth_place"]}


def test_it_answers_409_to_a_patch_with_a_stale_version(client, alice, siti):
    headers = bearer(alice)
    first = client.patch(
        f"{PERSONS}/{siti.pk}",
        {"version": 1, "birth_place": "Donggala"},
        content_type="application/json",
        headers=headers,
    )
    assert first.status_code == 200
    stale = client.patch(
        f"{PERSONS}/{siti.pk}",
        {"version": 1, "full_name": "Siti Lamba"},
        content_type="application/json",
        headers=headers,
    )
    assert stale.status_code == 409
    siti.refresh_from_db()
    assert (siti.full_name, siti.version) == ("Siti Aminah", 2)


def test_it_answers_422_to_a_patch_with_invalid_data(client, alice, siti):
    response = client.patch(
        f"{PERSONS}/{siti.pk}", {"version": 1, "sex": "L"}, content_type="application/json", headers=bearer(alice)
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["nik"]
    siti.refresh_from_db()
    assert (siti.sex, siti.version) == ("P", 1)


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_it_answers_404_to_another_agency_patching(persona, request, client, siti):
    response = client.patch(
        f"{PERSONS}/{siti.pk}",
        {"version": 1, "full_name": "X"},
        content_type="application/json",
        headers=bearer(request.getfixturevalue(persona)),
    )
    assert response.status_code == 404
    siti.refresh_from_db()
    assert siti.full_name == "Siti Aminah"


def test_it_forbids_the_auditor_to_patch(client, bob, siti):
    client.force_login(bob)
    response = client.patch(f"{PERSONS}/{siti.pk}", {"version": 1, "full_name": "X"}, content_type="application/json")
    assert response.status_code == 403
    siti.refresh_from_db()
    assert siti.full_name == "Siti Aminah"


# --- sub-records --------------------------------------------------------------------------------------------


def test_it_adds_and_removes_a_phone_and_a_second_delete_is_harmless(client, alice, siti):
    headers = bearer(alice)
    added = client.post(
        f"{PERSONS}/{siti.pk}/phones", {"number": "0813 1234 5678"}, content_type="application/json", headers=headers
    )
    assert added.status_code == 201
    assert "+6281312345678" in [phone["number"] for phone in added.json()["phones"]]
    phone = PersonPhone.objects.get(number="+6281312345678")

    assert client.delete(f"{PERSONS}/{siti.pk}/phones/{phone.pk}", headers=headers).status_code == 204
    assert client.delete(f"{PERSONS}/{siti.pk}/phones/{phone.pk}", headers=headers).status_code == 204
    assert not PersonPhone.objects.filter(pk=phone.pk).exists()


def test_it_answers_422_for_an_episode_returning_before_departure(client, alice, siti):
    response = client.post(
        f"{PERSONS}/{siti.pk}/episodes",
        {"destination_country": "MY", "departure_date": "2022-08-15", "return_date": "2019-03-01"},
        content_type="application/json",
        headers=bearer(alice),
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["return_date"]
    assert not siti.episodes.exists()


def test_it_answers_404_for_an_unknown_sub_record_kind(client, alice, siti):
    phone = siti.phones.get()
    response = client.delete(f"{PERSONS}/{siti.pk}/cases/{phone.pk}", headers=bearer(alice))
    assert response.status_code == 404
    assert PersonPhone.objects.filter(pk=phone.pk).exists()


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_it_answers_404_to_another_agency_adding_a_phone(persona, request, client, siti):
    response = client.post(
        f"{PERSONS}/{siti.pk}/phones",
        {"number": "0813 1234 5678"},
        content_type="application/json",
        headers=bearer(request.getfixturevalue(persona)),
    )
    assert response.status_code == 404
    assert siti.phones.count() == 1
