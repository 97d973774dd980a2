"""API authentication: bearer tokens (partner systems) and the browser session; 401 otherwise."""

from __future__ import annotations

import pytest
from django.utils import timezone

from sinergi.accounts.models import ApiToken
from sinergi.accounts.tokens import create_token

PERSONS = "/api/v1/persons"


def test_it_answers_401_without_credentials(client, alice):
    response = client.get(PERSONS, {"q": "Siti"})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_it_answers_401_to_an_unknown_token(client, alice):
    response = client.get(PERSONS, {"q": "Siti"}, headers={"Authorization": "Bearer sng_not-a-token"})
    assert response.status_code == 401


def test_it_accepts_a_bearer_token_and_acts_as_its_user(client, alice):
    token, secret = create_token(actor=None, user=alice, name="sisko", scopes=["persons:read"])
    response = client.get(f"{PERSONS}/nik/7271055210900001", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 200
    assert response.json()["district_name"] == "Ulujadi"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_it_accepts_the_browser_session(client, alice):
    client.force_login(alice)
    response = client.get(f"{PERSONS}/nik/7271055210900001")
    assert response.status_code == 200
    assert response.json()["sex"] == "P"


def test_it_answers_401_to_a_revoked_token(client, alice):
    token, secret = create_token(actor=None, user=alice, name="sisko", scopes=["persons:read"])
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{PERSONS}/nik/7271055210900001", headers=headers).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert client.get(f"{PERSONS}/nik/7271055210900001", headers=headers).status_code == 401


def test_it_answers_401_to_the_token_of_a_deactivated_user(client, alice):
    _, secret = create_token(actor=None, user=alice, name="sisko", scopes=["persons:read"])
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    response = client.get(f"{PERSONS}/nik/7271055210900001", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


@pytest.mark.parametrize("path", [PERSONS, f"{PERSONS}/1", f"{PERSONS}/nik/7271055210900001", "/api/v1/regions"])
def test_it_answers_401_and_never_redirects_to_the_login_page(client, path):
    response = client.get(path)
    assert response.status_code == 401
    assert "Location" not in response


def test_it_lists_the_persons_paths_in_the_openapi_schema(client, alice):
    client.force_login(alice)
    schema = client.get("/api/v1/openapi.json").json()
    assert {"/api/v1/persons", "/api/v1/persons/{person_id}", "/api/v1/persons/nik/{nik}"} <= set(schema["paths"])
    assert {"get", "post"} <= set(schema["paths"]["/api/v1/persons"])
    assert {"get", "patch"} <= set(schema["paths"]["/api/v1/persons/{person_id}"])
    assert schema["info"]["title"] == "Sinergi API"


def test_it_serves_the_openapi_schema_to_a_partner_system_without_a_session(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/v1/persons" in response.json()["paths"]


def test_it_lists_regions_below_a_parent(client, alice):
    client.force_login(alice)
    regions = client.get("/api/v1/regions", {"parent": "72.71"}).json()
    assert {"code": "72.71.05", "name": "Ulujadi", "level": 3, "parent_code": "72.71"} in regions
    assert all(region["parent_code"] == "72.71" for region in regions)
    provinces = client.get("/api/v1/regions").json()
    assert {"72", "31"} <= {region["code"] for region in provinces}
    assert all(region["level"] == 1 for region in provinces)


def test_it_loads_the_token_its_user_and_roles_in_one_query(client, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, secret = create_token(actor=None, user=alice, name="sisko", scopes=["persons:read"])
    headers = {"Authorization": f"Bearer {secret}"}
    client.get(f"{PERSONS}/nik/7271055210900001", headers=headers)  # last_used_at written once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"{PERSONS}/nik/7271055210900001", headers=headers).status_code == 200
    sql = [query["sql"] for query in queries.captured_queries]
    assert 'FROM "accounts_apitoken"' in sql[0]
    assert not [s for s in sql if s.lstrip().startswith('SELECT "accounts_userrole"')]


def test_it_counts_a_role_change_of_a_tokens_user_from_the_next_request(client, alice):
    from sinergi.accounts.roles import Role
    from sinergi.testing.factories import make_person

    person = make_person(alice)
    _, secret = create_token(actor=None, user=alice, name="sisko", scopes=["persons:read"])
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get(f"{PERSONS}/{person.pk}", headers=headers).status_code == 200
    alice.set_roles([])  # no role: no right to see persons
    assert client.get(f"{PERSONS}/{person.pk}", headers=headers).status_code == 404
    alice.set_roles([Role.PETUGAS])
    assert client.get(f"{PERSONS}/{person.pk}", headers=headers).status_code == 200
