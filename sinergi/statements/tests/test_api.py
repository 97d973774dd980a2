"""Statements API: public reads without authentication, writes with refusals as 409, others' statements 404."""

from __future__ import annotations

from django.test import Client

from sinergi.accounts.models import User
from sinergi.cases.models import Case

SAFE = "BP3MI dan Sentra Nipotowe menangani kasus seorang PMI asal Kabupaten Sigi yang bekerja di Malaysia."


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_drafts_refuses_the_drafter_and_publishes_through_the_api(
    alice: User,
    dave: User,
    story_case: Case,
    officials,  # type: ignore[no-untyped-def]
) -> None:
    sari, yusuf = officials
    created = client_for(sari).post(
        "/api/v1/statements",
        {"case_id": story_case.pk, "title": "Kasus", "body": SAFE},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    version = created.json()
    refused = client_for(sari).post(f"/api/v1/statements/versions/{version['id']}/approve")
    assert refused.status_code == 409
    assert client_for(dave).get(f"/api/v1/statements/versions/{version['id']}").status_code == 404
    # sari drafted it, so BP3MI's approval needs another official: alice is made one for this test.
    from sinergi.statements.models import DesignatedOfficial

    DesignatedOfficial.objects.create(agency_id=alice.agency_id, user=alice)
    assert client_for(alice).post(f"/api/v1/statements/versions/{version['id']}/approve").status_code == 200
    done = client_for(yusuf).post(f"/api/v1/statements/versions/{version['id']}/approve")
    assert done.json()["status"] == "TERBIT"
    public = Client().get(f"/api/v1/statements/public/{version['public_id']}")
    assert public.status_code == 200 and public.json()["versions"][0]["title"] == "Kasus"
    assert Client().get(f"/api/v1/statements/verify/{version['code']}").json()["genuine"] is True


def test_it_gives_the_fact_sheet_to_involved_agencies_only(carol: User, dave: User, story_case: Case) -> None:
    response = client_for(carol).get(f"/api/v1/statements/cases/{story_case.pk}/facts")
    assert response.status_code == 200
    assert {fact["key"] for fact in response.json()["facts"]} >= {"received", "home_regency"}
    assert client_for(dave).get(f"/api/v1/statements/cases/{story_case.pk}/facts").status_code == 404


def test_it_names_every_schema_uniquely_in_the_openapi_document(alice: User) -> None:
    schema = client_for(alice).get("/api/v1/openapi.json")
    assert schema.status_code == 200
    names = schema.json()["components"]["schemas"]
    assert "StatementVersionOut" in names and "ReportFiguresOut" in names
