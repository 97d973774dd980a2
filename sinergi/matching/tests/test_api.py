"""/api/v1/matches and the golden record API: the same services and visibility as the pages."""

from __future__ import annotations

import pytest
from django.test import Client

from sinergi.accounts.models import User
from sinergi.accounts.tokens import create_token
from sinergi.matching import services
from sinergi.matching.models import Decision, MatchCandidate, Merge
from sinergi.registry.models import Person
from sinergi.sources.models import DataSource, SourceRecord

pytestmark = pytest.mark.django_db
MATCHES = "/api/v1/matches"


def bearer(user: User, *scopes: str) -> dict[str, str]:
    _, secret = create_token(
        actor=None, user=user, name="script", scopes=list(scopes or ("persons:read", "persons:write"))
    )
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def candidate(olive: User, siti: Person, sitti: Person) -> MatchCandidate:
    return services.propose_pair(
        actor=olive, person_id=siti.pk, other_person_id=sitti.pk, probability=0.98,
        weights=[("name", 9.55), ("nik", 0.0)], origin="import",
    )  # fmt: skip


def test_it_lists_and_shows_pairs(client: Client, olive: User, candidate: MatchCandidate) -> None:
    headers = bearer(olive, "persons:read")
    [pair] = client.get(MATCHES, headers=headers).json()
    assert (pair["id"], pair["decision"], pair["person"]["full_name"]) == (candidate.pk, "PENDING", "Siti Aminah")
    detail = client.get(f"{MATCHES}/{candidate.pk}", headers=headers).json()
    assert detail["weights"][0]["comparison"] == "name" and detail["weights"][0]["bits"] > 0


def test_it_decides_once_and_undoes(client: Client, olive: User, sari: User, candidate: MatchCandidate) -> None:
    url = f"{MATCHES}/{candidate.pk}/decision"
    body = {"decision": "SAME", "expected_decision": "PENDING"}
    first = client.post(url, body, content_type="application/json", headers=bearer(olive))
    assert first.status_code == 200 and first.json()["decision"] == "SAME"
    merge_id = first.json()["merge_id"]
    assert merge_id == Merge.objects.get().pk
    again = client.post(url, body, content_type="application/json", headers=bearer(sari))
    assert again.status_code == 409
    assert "already decided" in again.json()["detail"]
    undone = client.post(f"{MATCHES}/merges/{merge_id}/undo", headers=bearer(olive))
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert MatchCandidate.objects.get(pk=candidate.pk).decision == Decision.PENDING


def test_it_needs_the_write_scope_and_the_role(
    client: Client, olive: User, alice: User, oscar: User, candidate: MatchCandidate
) -> None:
    url = f"{MATCHES}/{candidate.pk}/decision"
    body = {"decision": "DIFFERENT"}
    read_only = client.post(url, body, content_type="application/json", headers=bearer(olive, "persons:read"))
    assert read_only.status_code == 403
    assert client.post(url, body, content_type="application/json", headers=bearer(alice)).status_code == 404
    assert client.post(url, body, content_type="application/json", headers=bearer(oscar)).status_code == 404
    assert client.get(MATCHES, headers=bearer(oscar)).json() == []
    assert client.get(MATCHES, headers=bearer(alice)).json() == []
    assert MatchCandidate.objects.get(pk=candidate.pk).decision == Decision.PENDING


def test_a_merged_person_answers_with_its_survivor(client: Client, olive: User, siti: Person, sitti: Person) -> None:
    services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=sitti.pk)
    response = client.get(f"/api/v1/persons/{sitti.pk}", headers=bearer(olive))
    assert response.status_code == 301
    assert response["Location"] == f"/api/v1/persons/{siti.pk}"
    assert response.json()["merged_into"] == siti.pk
    followed = client.get(f"/api/v1/persons/{sitti.pk}", headers=bearer(olive), follow=True)
    assert followed.json()["id"] == siti.pk


def test_the_golden_record_api(client: Client, olive: User, alice: User, oscar: User, siti: Person) -> None:
    source = DataSource.objects.create(agency=siti.registered_by_agency, name="SIKS-NG")
    SourceRecord.objects.create(
        source=source, external_id="A1", person=siti, values={"birth_place": "Poso"}, content_hash="", row_number=4
    )
    url = f"/api/v1/persons/{siti.pk}/golden"
    golden = client.get(url, headers=bearer(alice, "persons:read")).json()
    assert golden["conflicts"] == 1
    place = next(field for field in golden["fields"] if field["field"] == "birth_place")
    assert place["conflict"] and place["choices"] == ["Poso"]
    assert place["sources"][0] | {"at": None} == {
        "source": "SIKS-NG", "kind": "source", "value": "Poso", "external_id": "A1", "file_name": "",
        "row_number": 4, "at": None,
    }  # fmt: skip
    assert client.get(url, headers=bearer(oscar)).status_code == 404
    refused = client.post(
        f"{url}/birth_place", {"value": "Poso"}, content_type="application/json", headers=bearer(alice)
    )
    assert refused.status_code == 403
    verified = client.post(
        f"{url}/birth_place", {"value": "Poso"}, content_type="application/json", headers=bearer(olive)
    )
    assert verified.status_code == 200 and verified.json()["conflicts"] == 0
    wrong = client.post(f"{url}/birth_place", {"value": "Bali"}, content_type="application/json", headers=bearer(olive))
    assert wrong.status_code == 409 and "values the sources hold" in wrong.json()["detail"]
