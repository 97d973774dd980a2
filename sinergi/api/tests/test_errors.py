from sinergi.accounts.tokens import SCOPES, create_token
from sinergi.programmes.models import Programme, ProgrammeType
from sinergi.registry.models import Person


def test_it_answers_a_malformed_body_with_field_errors_like_the_services(client, alice):
    _, secret = create_token(actor=None, user=alice, name="sisko", scopes=["persons:read", "persons:write"])
    response = client.post(
        "/api/v1/persons",
        {"full_name": "Siti Aminah", "birth_date": "12-10-1990x", "flag_child": "maybe"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 422
    body = response.json()
    assert isinstance(body["detail"], str)
    assert set(body["errors"]) >= {"birth_date", "flag_child"}


def _bearer(user, scopes=("persons:read", "persons:write")):
    _, secret = create_token(actor=None, user=user, name="errors", scopes=list(scopes))
    return {"Authorization": f"Bearer {secret}", "Accept-Language": "id"}


def test_it_refuses_a_name_with_control_characters(client, alice):
    response = client.post(
        "/api/v1/persons",
        {"full_name": "Siti\x08 Aminah\x1b", "confirm_new": True},
        content_type="application/json",
        headers=_bearer(alice),
    )
    assert response.status_code == 422
    assert "karakter kontrol" in response.json()["errors"]["full_name"][0]
    assert not Person.objects.exists()


def test_it_refuses_a_nul_character_or_a_lone_surrogate_before_any_service_sees_it(client, alice):
    for text in ('"Siti\\u0000Aminah"', '"Siti\\ud800Aminah"'):
        response = client.post(
            "/api/v1/persons",
            f'{{"full_name": {text}}}',
            content_type="application/json",
            headers=_bearer(alice),
        )
        assert response.status_code == 422, text
        assert "NUL" in response.json()["errors"]["full_name"][0]
    response = client.get("/api/v1/persons", {"q": "Siti\x00"}, headers=_bearer(alice))
    assert response.status_code == 422
    assert "NUL" in response.json()["errors"]["q"][0]
    assert not Person.objects.exists()


def test_it_answers_an_unreadable_body_in_json_in_the_users_language(client, alice):
    response = client.post("/api/v1/persons", "{not json", content_type="application/json", headers=_bearer(alice))
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "JSON" in response.json()["detail"]
    response = client.post(
        "/api/v1/imports",
        b"--broken\r\nContent-Disposition: form-data; name=",
        content_type="multipart/form-data; boundary=broken",
        headers=_bearer(alice),
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"].startswith("application/json")


def test_it_answers_a_number_beyond_the_database_with_422_and_writes_nothing(client, alice):
    # Found by the schema fuzz: an id of 10**20 raised OverflowError on SQLite, DataError on PostgreSQL (a 500).
    response = client.post(
        "/api/v1/programmes",
        {
            "name": "Pelatihan menjahit",
            "programme_type": ProgrammeType.values[0],
            "partner_agency_ids": [10**20],
            "curriculum": [{"day": 1, "topic": "Pengenalan mesin", "hours": "4"}],
        },
        content_type="application/json",
        headers=_bearer(alice, scopes=SCOPES),
    )
    assert response.status_code == 422
    assert response.json()["errors"]
    assert not Programme.objects.exists()


def test_it_answers_a_busy_database_with_503_and_when_to_retry(client, alice, monkeypatch):
    # Found by bench/bench_reliability.py: 50 batch pushes at once on SQLite, a few waited past the lock timeout
    # ("database is locked") and got a 500 HTML page; a partner system needs to know it may simply retry.
    from django.db import OperationalError

    from sinergi.changes import push

    def busy(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(push, "push_records", busy)
    response = client.post(
        "/api/v1/persons:batch",
        {"records": [{"id": "1", "full_name": "Siti Aminah"}], "source": "SIKS-NG"},
        content_type="application/json",
        headers={**_bearer(alice), "Idempotency-Key": "kunci-sibuk"},
    )
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert "coba lagi" in response.json()["detail"]
