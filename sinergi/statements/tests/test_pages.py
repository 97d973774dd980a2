"""The pages: fact sheet, statement version with its buttons, and the public page without login."""

from __future__ import annotations

from django.test import Client

from sinergi.accounts.models import User
from sinergi.cases.models import Case
from sinergi.statements import services

SAFE = "BP3MI dan Sentra Nipotowe menangani kasus seorang PMI asal Kabupaten Sigi yang bekerja di Malaysia."


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_it_shows_the_fact_sheet_to_both_agencies_and_404_to_others(
    alice: User, carol: User, dave: User, story_case: Case
) -> None:
    url = f"/pernyataan/kasus/{story_case.pk}/"
    assert client_for(alice).get(url).status_code == 200
    response = client_for(carol).get(url)
    assert response.status_code == 200
    assert b"fact-sheet" in response.content
    assert client_for(dave).get(url).status_code == 404


def test_it_publishes_on_a_public_page_without_login(alice: User, story_case: Case, officials) -> None:  # type: ignore[no-untyped-def]
    sari, yusuf = officials
    version = services.draft_statement(actor=alice, case_id=story_case.pk, title="Kasus PMI Sigi", body=SAFE)
    page = client_for(sari).get(f"/pernyataan/versi/{version.pk}/")
    assert b'id="approve"' in page.content
    assert b'id="approve"' not in client_for(alice).get(f"/pernyataan/versi/{version.pk}/").content
    public_url = f"/pernyataan/p/{version.statement.public_id}/"
    assert Client().get(public_url).status_code == 404  # not published yet
    client_for(sari).post(f"/pernyataan/versi/{version.pk}/setujui/")
    client_for(yusuf).post(f"/pernyataan/versi/{version.pk}/setujui/")
    response = Client().get(public_url)
    assert response.status_code == 200
    assert "Kasus PMI Sigi" in response.content.decode()
    version.refresh_from_db()
    check = Client().get("/pernyataan/cek/", {"kode": version.code})
    assert check.status_code == 200 and b'id="genuine"' in check.content
    assert Client().get("/pernyataan/cek/", {"kode": "AAAA-BBBB"}).status_code == 404


def test_it_tells_the_drafter_why_approval_is_refused(alice: User, story_case: Case, officials) -> None:  # type: ignore[no-untyped-def]
    sari, _yusuf = officials
    version = services.draft_statement(actor=sari, case_id=story_case.pk, title="Kasus", body=SAFE)
    response = client_for(sari).post(f"/pernyataan/versi/{version.pk}/setujui/", follow=True)
    assert response.status_code == 200
    assert not version.approvals.exists()


def test_the_case_page_links_to_its_fact_sheet(alice: User, story_case: Case) -> None:
    page = client_for(alice).get(f"/kasus/{story_case.pk}/").content.decode()
    assert f'href="/pernyataan/kasus/{story_case.pk}/" id="fact-sheet-link"' in page
