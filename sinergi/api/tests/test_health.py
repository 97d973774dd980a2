"""/healthz for load balancers and uptime checks: no login, 503 when the database does not answer."""

from __future__ import annotations

from django.db import OperationalError, connection


def test_it_answers_ok_without_login(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_503_when_the_database_errors(client, db, monkeypatch):
    def broken_cursor(*args: object, **kwargs: object) -> object:
        raise OperationalError("connection refused")

    # Undone inside the test: the database fixture's teardown needs a working cursor.
    with monkeypatch.context() as patched:
        patched.setattr(connection, "cursor", broken_cursor)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "OperationalError"}


def test_it_only_answers_get(client, db):
    assert client.post("/healthz").status_code == 405
