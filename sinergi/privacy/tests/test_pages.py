"""The request pages with personas: the desk records, the head answers, other agencies and the auditor get
nothing; the list's filters; no query per row."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from sinergi.accounts.models import User
from sinergi.privacy.models import SubjectRequest
from sinergi.privacy.tests.conftest import receive
from sinergi.registry.models import Person


def test_the_desk_records_and_the_head_answers_on_the_pages(
    client: Client, alice: User, sari: User, siti: Person
) -> None:
    client.force_login(alice)
    form = {
        "kind": "PERBAIKAN",
        "channel": "SURAT",
        "requester": "WALI",
        "requester_name": "",
        "identity_check": "Surat kuasa",
        "field": "birth_place",
        "proposed_value": "Donggala",
    }
    refused = client.post(f"/data-pribadi/orang/{siti.pk}/permohonan/baru/", form)
    assert refused.status_code == 200 and "Tulis nama orang tua, wali, atau kuasa" in refused.content.decode()
    created = client.post(f"/data-pribadi/orang/{siti.pk}/permohonan/baru/", {**form, "requester_name": "Ibu Siti"})
    request = SubjectRequest.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/data-pribadi/permohonan/{request.pk}/"
    # The desk worker sees the request but no answer form.
    assert b"answer-form" not in client.get(created["Location"]).content
    client.force_login(sari)
    page = client.get(created["Location"])
    assert b"answer-form" in page.content and "Dikabulkan sebagian" not in page.content.decode()
    no_reason = client.post(created["Location"], {"action": "answer", "outcome": "DITOLAK", "reason": ""})
    assert "Tulis alasannya" in no_reason.content.decode()
    client.post(created["Location"], {"action": "answer", "outcome": "DIKABULKAN", "answer": "Sudah."})
    siti.refresh_from_db()
    assert siti.birth_place == "Donggala"
    assert "Donggala" in client.get(created["Location"]).content.decode()


def test_other_agencies_and_the_auditor_see_no_request(
    client: Client, alice: User, bob: User, carol: User, siti: Person
) -> None:
    request = receive(alice, siti)
    client.force_login(carol)
    assert client.get(f"/data-pribadi/permohonan/{request.pk}/").status_code == 404
    assert client.get(f"/data-pribadi/orang/{siti.pk}/permohonan/baru/").status_code == 404
    assert siti.full_name not in client.get("/data-pribadi/permohonan/").content.decode()
    client.force_login(bob)
    assert client.get("/data-pribadi/permohonan/").status_code == 403
    assert client.get(f"/data-pribadi/permohonan/{request.pk}/").status_code == 404


def test_the_list_filters_and_reads_without_a_query_per_row(
    client: Client, alice: User, sari: User, siti: Person, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        receive(alice, siti)
    receive(alice, siti, "AKSES")
    client.force_login(sari)
    with django_assert_max_num_queries(12):
        page = client.get("/data-pribadi/permohonan/?status=open&kind=AKSES")
    assert len(re.findall(r'href="/data-pribadi/permohonan/\d+/"', page.content.decode())) == 1  # the access one
    with django_assert_max_num_queries(12):
        assert client.get("/data-pribadi/permohonan/").status_code == 200
