"""Assistance pages and API: the queue (query count), refusals with a message, delivery with proof through the
API, the budget view, the report and the period lists."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from sinergi.accounts.models import User
from sinergi.benefits.models import Benefit, BenefitStatus
from sinergi.benefits.tests.test_services import JPEG, approved, capital_of, propose
from sinergi.referrals.models import Referral
from sinergi.registry.models import Person
from sinergi.testing.assessments import assess


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def test_it_lists_the_queue_in_a_fixed_number_of_queries(
    referral: Referral, carol: User, yusuf: User, taken_in: Person
) -> None:
    kind = capital_of(yusuf, budget=100_000_000)
    assess(carol, taken_in.pk)
    propose(carol, taken_in, kind)
    client = _client(carol)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/penyaluran/").status_code == 200
    for _ in range(3):
        propose(carol, taken_in, kind)
    with CaptureQueriesContext(connection) as four:
        page = client.get("/penyaluran/")
    assert len(four) == len(one)
    assert page.content.decode().count("Bantuan modal usaha") == 4


def test_it_says_why_an_approval_was_refused(
    referral: Referral, carol: User, yusuf: User, sari: User, taken_in: Person
) -> None:
    kind = capital_of(yusuf, amount=5_000_000, budget=4_000_000)
    assess(carol, taken_in.pk)
    benefit = propose(carol, taken_in, kind)
    _client(carol).post(f"/penyaluran/{benefit.pk}/langkah/", {"action": "verify"})
    page = _client(yusuf).post(f"/penyaluran/{benefit.pk}/langkah/", {"action": "approve"}, follow=True)
    assert "Anggaran akan minus" in page.content.decode()
    api = _client(sari).post(
        f"/api/v1/benefits/{benefit.pk}/steps", {"action": "approve"}, content_type="application/json"
    )
    assert api.status_code == 403 and "Sentra Nipotowe Palu" in api.json()["detail"]
    api = _client(yusuf).post(
        f"/api/v1/benefits/{benefit.pk}/steps", {"action": "approve"}, content_type="application/json"
    )
    assert api.status_code == 409
    assert Benefit.objects.get(pk=benefit.pk).status == BenefitStatus.VERIFIED


def test_it_delivers_with_proof_through_the_api(referral: Referral, carol: User, yusuf: User, taken_in: Person) -> None:
    kind = capital_of(yusuf)
    assess(carol, taken_in.pk)
    benefit = approved(carol, yusuf, propose(carol, taken_in, kind))
    url = f"/api/v1/benefits/{benefit.pk}/delivery"
    data: dict[str, Any] = {"delivered_on": timezone.localdate().isoformat(), "amount": "5000000"}
    bad = _client(carol).post(url, {**data, "proof": SimpleUploadedFile("ba.pdf", b"not a pdf")})
    assert bad.status_code == 422 and "proof" in bad.json()["errors"]
    good = _client(carol).post(url, {**data, "proof": SimpleUploadedFile("kwitansi.jpg", JPEG)})
    assert good.status_code == 200 and good.json()["status"] == "DISALURKAN" and good.json()["has_proof"]
    proof = _client(carol).get(f"/penyaluran/{benefit.pk}/bukti/")
    assert proof.status_code == 200 and b"".join(proof.streaming_content).startswith(b"\xff\xd8\xff")  # type: ignore[attr-defined]
    budgets = _client(yusuf).get("/api/v1/benefits/budgets").json()
    assert budgets[0]["spent"] == "5000000" or float(budgets[0]["spent"]) == 5_000_000


def test_it_exports_the_period_list_and_shows_the_budget(
    referral: Referral, carol: User, yusuf: User, taken_in: Person, dave: User
) -> None:
    kind = capital_of(yusuf)
    assess(carol, taken_in.pk)
    approved(carol, yusuf, propose(carol, taken_in, kind))
    xlsx = _client(yusuf).get("/penyaluran/daftar.xlsx")
    assert xlsx.status_code == 200
    import io

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][1] == "Siti Aminah" and rows[2][2] == "7271055210900001" and rows[2][7] == 5_000_000
    pdf = _client(yusuf).get("/penyaluran/daftar.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert _client(dave).get("/penyaluran/daftar.xlsx").status_code == 200  # an empty list for another agency
    assert "Siti" not in str(
        list(load_workbook(io.BytesIO(_client(dave).get("/penyaluran/daftar.xlsx").content)).active.values)
    )
    budget = _client(yusuf).get("/penyaluran/anggaran/").content.decode()
    assert "Dialokasikan" in budget and "5.000.000" in budget
    assert _client(yusuf).get("/penyaluran/daftar.csv").status_code == 404


def test_it_hides_a_persons_assistance_from_an_agency_never_involved(
    referral: Referral, carol: User, yusuf: User, taken_in: Person, dave: User
) -> None:
    kind = capital_of(yusuf)
    assess(carol, taken_in.pk)
    benefit = propose(carol, taken_in, kind)
    client = _client(dave)
    assert client.get(f"/penyaluran/{benefit.pk}/").status_code == 404
    assert client.get(f"/api/v1/benefits/{benefit.pk}").status_code == 404
    assert client.get(f"/api/v1/benefits/persons/{taken_in.pk}").status_code == 404
    assert client.get(f"/penyaluran/orang/{taken_in.pk}/").status_code == 404


def test_it_proposes_from_the_page_with_the_items_typed(
    referral: Referral, carol: User, yusuf: User, taken_in: Person
) -> None:
    kind = capital_of(yusuf)
    assess(carol, taken_in.pk)
    client = _client(carol)
    form = client.get(f"/penyaluran/orang/{taken_in.pk}/usul/").content.decode()
    assert "Bantuan modal usaha" in form and "generator" not in form
    page = client.post(
        f"/penyaluran/orang/{taken_in.pk}/usul/",
        {"type_id": kind.pk, "items": "Etalase kue", "reason": "Sesuai asesmen."},
    )
    benefit = Benefit.objects.get()
    assert page["Location"] == f"/penyaluran/{benefit.pk}/"
    assert benefit.items == "Etalase kue" and benefit.proposed_amount == 5_000_000
