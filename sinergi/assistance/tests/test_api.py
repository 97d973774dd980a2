"""/api/v1/special-assistance with bearer tokens: BP3MI proposes, both supervisors agree, Dinsos sees nothing;
scopes, error shapes, pagination, export and the OpenAPI schema."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from sinergi.accounts.tokens import create_token
from sinergi.assistance.models import AssistanceEntry, AssistanceStatus
from sinergi.assistance.tests.conftest import SITI_NIK, agreed_entry, assessed_case, propose

URL = "/api/v1/special-assistance"
S = AssistanceStatus


def bearer(user, *scopes: str) -> dict[str, str]:
    _, secret = create_token(actor=None, user=user, name="skrip", scopes=list(scopes or ("cases:read", "cases:write")))
    return {"Authorization": f"Bearer {secret}"}


def post(client, url: str, headers: dict[str, str], payload: dict | None = None):
    return client.post(url, payload or {}, content_type="application/json", headers=headers)


def test_it_walks_the_agreement_end_to_end(client, alice, sari, yusuf, carol, dave, sentra, siti_case):
    as_alice, as_sari, as_yusuf = bearer(alice), bearer(sari), bearer(yusuf)

    candidates = client.get(f"{URL}/candidates", headers=as_alice).json()
    assert [c["case_id"] for c in candidates] == [siti_case.pk]
    partners = client.get(f"{URL}/partners", headers=as_alice).json()
    assert sentra.pk in [p["id"] for p in partners]

    proposal = {"case_id": siti_case.pk, "partner_agency_id": sentra.pk, "needs": ["PSIKOSOSIAL"], "note": "Trauma."}
    response = post(client, URL, as_alice, proposal)
    assert response.status_code == 201, response.content
    entry = response.json()
    assert (entry["status"], entry["needs"], entry["person"]["nik"]) == (S.PROPOSED, ["PSIKOSOSIAL"], SITI_NIK)
    assert entry["person"]["village"] == "Buluri" and entry["person"]["destination_country"] == "HK"
    assert entry["sharing_basis"] == "CONSENT"
    assert [step["kind"] for step in entry["steps"]] == ["DIUSULKAN"]

    # A repeated request is harmless: the same entry, 200.
    again = post(client, URL, as_alice, proposal)
    assert again.status_code == 200 and again.json()["id"] == entry["id"]

    assert post(client, f"{URL}/{entry['id']}/agree", as_yusuf).json()["partner_agreement"]["by"] == "Yusuf"
    agreed = post(client, f"{URL}/{entry['id']}/agree", as_sari).json()
    assert agreed["status"] == S.AGREED and agreed["agreed_at"] is not None

    listed = client.get(URL, {"status": S.AGREED}, headers=bearer(carol)).json()
    assert [item["id"] for item in listed["items"]] == [entry["id"]]
    assert client.get(f"{URL}/{entry['id']}", headers=bearer(dave)).status_code == 404
    assert client.get(URL, headers=bearer(dave)).json()["items"] == []


def test_refusals_have_the_usual_shape(client, alice, sari, bob, sentra):
    case = assessed_case(alice, consent=False)
    proposal = {"case_id": case.pk, "partner_agency_id": sentra.pk, "needs": ["KESEHATAN"]}

    no_consent = post(client, URL, bearer(alice), proposal)
    assert no_consent.status_code == 409 and no_consent.json()["detail"]
    bad = post(client, URL, bearer(alice), {**proposal, "needs": ["UANG"], "partner_agency_id": alice.agency_id})
    assert bad.status_code == 422
    assert set(bad.json()["errors"]) == {"needs", "partner_agency_id"}
    assert post(client, URL, bearer(bob), proposal).status_code == 403

    override = {"basis": "KEWAJIBAN_HUKUM", "reason": "Perintah pengadilan."}
    response = post(client, URL, bearer(sari), {**proposal, "override": override})
    assert response.status_code == 201 and response.json()["sharing_basis"] == "KEWAJIBAN_HUKUM"


def test_agree_and_withdraw_answer_403_409_and_422(client, alice, carol, yusuf, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)

    assert post(client, f"{URL}/{entry.pk}/agree", bearer(carol)).status_code == 403
    assert post(client, f"{URL}/{entry.pk}/withdraw", bearer(yusuf), {"reason": ""}).status_code == 422
    withdrawn = post(client, f"{URL}/{entry.pk}/withdraw", bearer(yusuf), {"reason": "Tidak memenuhi syarat."})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == S.WITHDRAWN and withdrawn.json()["person"] is None
    assert post(client, f"{URL}/{entry.pk}/agree", bearer(yusuf)).status_code == 409


def test_scopes_separate_reading_from_writing(client, alice, sentra, siti_case):
    read_only = bearer(alice, "cases:read")
    proposal = {"case_id": siti_case.pk, "partner_agency_id": sentra.pk, "needs": ["PSIKOSOSIAL"]}

    assert client.get(URL, headers=read_only).status_code == 200
    assert post(client, URL, read_only, proposal).status_code == 403
    assert client.get(URL, headers=bearer(alice, "persons:read")).status_code == 403
    assert client.get(f"{URL}/export", headers=bearer(alice, "referrals:read")).status_code == 403
    assert not AssistanceEntry.objects.exists()


def test_it_pages_and_validates_filters(client, alice, sentra):
    for n in range(3):
        propose(alice, assessed_case(alice, full_name=f"Orang {n}", nik="", episode=""), sentra)
    headers = bearer(alice)

    first = client.get(URL, {"limit": 2}, headers=headers).json()
    rest = client.get(URL, {"limit": 2, "before": first["next_before"]}, headers=headers).json()
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next_before"] is None
    bad = client.get(URL, {"status": "SEMUA"}, headers=headers)
    assert bad.status_code == 422 and "status" in bad.json()["errors"]


@pytest.mark.parametrize(("file_format", "content_type"), [("csv", "text/csv"), ("xlsx", "application/vnd.openxml")])
def test_it_exports_the_agreed_list(client, vera, alice, sari, yusuf, siti_case, file_format, content_type):
    agreed_entry(alice, sari, yusuf, siti_case)

    response = client.get(f"{URL}/export", {"format": file_format}, headers=bearer(vera, "cases:read"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    if file_format == "xlsx":
        assert load_workbook(io.BytesIO(response.content)).active.cell(row=2, column=2).value == SITI_NIK
    else:
        assert SITI_NIK in response.content.decode("utf-8-sig")
    assert client.get(f"{URL}/export", {"format": "pdf"}, headers=bearer(vera)).status_code == 422


def test_the_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert {
        URL,
        f"{URL}/candidates",
        f"{URL}/partners",
        f"{URL}/export",
        f"{URL}/{{entry_id}}",
        f"{URL}/{{entry_id}}/agree",
        f"{URL}/{{entry_id}}/withdraw",
    } <= set(paths)
    export_content = paths[f"{URL}/export"]["get"]["responses"]["200"]["content"]
    assert set(export_content) == {
        "text/csv; charset=utf-8",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
