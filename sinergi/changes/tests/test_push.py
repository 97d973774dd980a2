"""Batch push: upsert by (source, id) through the import planning, all or nothing, once per Idempotency-Key."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.accounts.models import User
from sinergi.changes import push
from sinergi.changes.idempotency import ABANDONED_AFTER, KEY_TTL, request_hash
from sinergi.changes.models import ChangeEvent, IdempotencyKey
from sinergi.changes.tests.clients import ApiClient, api_as, system_api
from sinergi.registry.models import Person
from sinergi.sources.models import DataSource, SourceKind, SourceRecord
from sinergi.testing.factories import make_person

BATCH = "/api/v1/persons:batch"
SITI_NIK = "7271055210900001"  # Ulujadi, 12-10-1990, a woman
WAYAN_NIK = "7271050201850002"  # Ulujadi, 02-01-1985, a man
AYU_NIK = "7271054505920003"  # Ulujadi, 05-05-1992, a woman


def siti_record(**changes: str) -> dict[str, str]:
    record = {
        "id": "SIKS-001",
        "full_name": "Siti Aminah",
        "nik": SITI_NIK,
        "birth_date": "1990-10-12",
        "sex": "P",
        "phone": "0812-4455-6677",
    }
    record.update(changes)
    return record


def wayan_record(**changes: str) -> dict[str, str]:
    record = {"id": "SIKS-002", "full_name": "Wayan Sudirta", "nik": WAYAN_NIK, "birth_date": "02/01/1985", "sex": "L"}
    record.update(changes)
    return record


def send(api: ApiClient, records: list[dict], key: str | None = "kunci-1", **body: object):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return api.post(BATCH, {"records": records, **body}, headers=headers)


def written() -> tuple[int, int, int]:
    return Person.objects.count(), SourceRecord.objects.count(), ChangeEvent.objects.count()


@pytest.fixture
def siks(bp3mi) -> ApiClient:
    """BP3MI's partner system: a system account (data officer) with persons:read and persons:write."""
    return system_api(bp3mi, "SIKS-NG")


# --- upserts -------------------------------------------------------------------------------------------------


def test_it_creates_persons_and_answers_per_record(siks, bp3mi):
    response = send(siks, [siti_record(), wayan_record()])
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["source"] == "SIKS-NG"  # the token's name
    assert [(r["id"], r["action"]) for r in body["records"]] == [("SIKS-001", "create"), ("SIKS-002", "create")]
    assert body["counts"] == {"create": 2, "link": 0, "update": 0, "unchanged": 0}
    siti = Person.objects.get(pk=body["records"][0]["person_id"])
    assert (siti.full_name, siti.nik, siti.registered_by_agency) == ("Siti Aminah", SITI_NIK, bp3mi)
    assert [phone.number for phone in siti.phones.all()] == ["+6281244556677"]
    wayan = Person.objects.get(pk=body["records"][1]["person_id"])
    assert str(wayan.birth_date) == "1985-01-02"
    record = SourceRecord.objects.get(external_id="SIKS-001")
    assert (record.source.name, record.source.kind, record.person) == ("SIKS-NG", SourceKind.SYSTEM, siti)
    assert (record.file_name, record.row_number) == ("persons:batch kunci-1", 1)
    assert record.imported_at is not None


def test_it_links_a_record_to_the_agencys_person_with_the_same_nik(siks, alice):
    siti = make_person(alice, full_name="Siti Aminah", nik=SITI_NIK)
    body = send(siks, [siti_record(full_name="SITI AMINAH")]).json()
    assert body["records"] == [{"id": "SIKS-001", "action": "link", "person_id": siti.pk}]
    assert Person.objects.count() == 1
    assert SourceRecord.objects.get().person == siti


def test_it_updates_a_record_pushed_again_with_other_values(siks):
    first = send(siks, [siti_record()]).json()
    body = send(siks, [siti_record(birth_place="Palu")], key="kunci-2").json()
    assert body["records"] == [{"id": "SIKS-001", "action": "update", "person_id": first["records"][0]["person_id"]}]
    assert SourceRecord.objects.get().values["birth_place"] == "Palu"
    assert SourceRecord.objects.get().file_name == "persons:batch kunci-2"


def test_it_adds_the_country_of_placement_as_a_stay_abroad_and_names_a_wrong_one(siks):
    body = send(siks, [siti_record(destination_country="Arab Saudi")]).json()
    siti = Person.objects.get(pk=body["records"][0]["person_id"])
    assert list(siti.episodes.values_list("destination_country", flat=True)) == ["SA"]
    refused = send(siks, [wayan_record(destination_country="Timur Tengah")], key="kunci-2")
    assert refused.status_code == 422
    assert "Timur Tengah" in str(refused.json()) and Person.objects.count() == 1


def test_it_changes_nothing_when_the_same_batch_comes_again_with_the_same_key(siks):
    first = send(siks, [siti_record(), wayan_record()])
    before = written()
    again = send(siks, [siti_record(), wayan_record()])
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert written() == before


def test_it_changes_nothing_when_the_same_batch_comes_again_with_a_new_key(siks):
    send(siks, [siti_record(), wayan_record()])
    before = written()
    body = send(siks, [siti_record(), wayan_record()], key="kunci-baru").json()
    assert [r["action"] for r in body["records"]] == ["unchanged", "unchanged"]
    assert body["counts"]["unchanged"] == 2
    assert written() == before


def test_it_keeps_each_agencys_push_in_its_own_registry(siks, alice, oscar, sentra):
    make_person(alice, full_name="Siti Aminah", nik=SITI_NIK)
    sentra_system = system_api(sentra, "SIKS-NG")
    body = send(sentra_system, [siti_record()]).json()
    assert body["records"][0]["action"] == "create"  # BP3MI's Siti is not Sentra's to link to
    assert Person.objects.get(pk=body["records"][0]["person_id"]).registered_by_agency == sentra
    assert set(DataSource.objects.values_list("agency__code", flat=True)) == {"sentra-nipotowe"}


def test_it_lets_a_data_officer_push_under_a_named_source(olive):
    api = api_as(olive, "persons:write")
    body = send(api, [siti_record()], source="Ekspor SIKS-NG").json()
    assert body["source"] == "Ekspor SIKS-NG"
    assert DataSource.objects.get().kind == SourceKind.SYSTEM


# --- all or nothing ------------------------------------------------------------------------------------------


def test_it_refuses_the_whole_batch_and_names_each_bad_record(siks):
    records = [siti_record(), wayan_record(nik="7271053202850002"), siti_record(id="SIKS-003", birth_date="31/02/1990")]
    response = send(siks, records)
    assert response.status_code == 422
    body = response.json()
    assert "Nothing was saved" in body["detail"]
    assert {(error["index"], error["id"], error["field"]) for error in body["errors"]} == {
        (1, "SIKS-002", "nik"),
        (2, "SIKS-003", "birth_date"),
    }
    nik_message = next(error["message"] for error in body["errors"] if error["field"] == "nik")
    assert "7-8" in nik_message or "Digit" in nik_message  # names the digit group to check
    assert written() == (0, 0, 0)
    assert not DataSource.objects.exists()
    assert not IdempotencyKey.objects.exists()


def test_it_accepts_the_corrected_batch_under_the_same_key(siks):
    assert send(siks, [siti_record(nik="123")]).status_code == 422
    response = send(siks, [siti_record()])
    assert response.status_code == 200
    assert response.json()["counts"]["create"] == 1


def test_it_refuses_an_id_repeated_in_one_batch(siks):
    response = send(siks, [siti_record(), wayan_record(id="SIKS-001")])
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert (error["index"], error["field"]) == (1, "id")
    assert written() == (0, 0, 0)


def test_it_refuses_a_record_with_an_unknown_field(siks):
    response = send(siks, [siti_record(nama="Siti")])
    assert response.status_code == 422
    assert "records.0.nama" in response.json()["errors"]


@pytest.mark.parametrize("field", ["id", "full_name", "address", "source"])
def test_it_refuses_a_nul_character_that_no_database_column_can_hold(siks, field):
    if field == "source":
        response = send(siks, [siti_record()], source="SIKS\x00NG")
    else:
        response = send(siks, [siti_record(**{field: "Siti\x00 Aminah"})])
    assert response.status_code == 422
    [(where, messages)] = response.json()["errors"].items()
    assert where.endswith(field) and "NUL" in messages[0]
    assert written() == (0, 0, 0)


def test_it_takes_numbers_as_text(siks):
    response = send(siks, [siti_record(nik=int(SITI_NIK))])
    assert response.status_code == 200
    assert Person.objects.get().nik == SITI_NIK


def test_it_refuses_more_than_a_thousand_records(siks):
    records = [siti_record(id=f"ID-{number}") for number in range(push.MAX_RECORDS + 1)]
    response = send(siks, records)
    assert response.status_code == 422
    assert "records" in response.json()["errors"]
    assert written() == (0, 0, 0)


def test_it_refuses_an_empty_batch(siks):
    response = send(siks, [])
    assert response.status_code == 422
    assert response.json()["errors"]["records"]


# --- Idempotency-Key -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "   ", "x" * 201, "kunci\x00satu", "kunci\tdua"])
def test_it_requires_a_usable_idempotency_key(siks, key):
    response = send(siks, [siti_record()], key=key)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["detail"]
    assert written() == (0, 0, 0)


def test_it_refuses_a_key_used_for_another_body(siks):
    send(siks, [siti_record()])
    before = written()
    response = send(siks, [wayan_record()])
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert written() == before


def test_it_treats_the_same_body_in_another_spelling_as_the_same_request(siks):
    first = send(siks, [siti_record()])
    reordered = siks.client.post(
        BATCH,
        '{"records": [{"sex": "P", "phone": "0812-4455-6677", "id": "SIKS-001", "birth_date": "1990-10-12",\n'
        f'  "nik": "{SITI_NIK}", "full_name": "Siti Aminah"}}]}}',
        content_type="application/json",
        headers={**siks.headers, "Idempotency-Key": "kunci-1"},
    )
    assert reordered.json() == first.json()
    assert reordered["Idempotent-Replayed"] == "true"


def test_it_answers_409_while_the_first_request_with_the_key_runs(siks):
    # The first request claimed the key and has not finished (no status yet).
    IdempotencyKey.objects.create(user=system_account(), key="kunci-1", request_hash=hash_of([siti_record()]))
    response = send(siks, [siti_record()])
    assert response.status_code == 409
    assert "retry" in response.json()["detail"]
    assert written() == (0, 0, 0)


def test_it_lets_a_retry_take_over_a_key_whose_request_died(siks):
    IdempotencyKey.objects.create(
        user=system_account(),
        key="kunci-1",
        request_hash=hash_of([siti_record()]),
        created_at=timezone.now() - ABANDONED_AFTER - timedelta(minutes=1),
    )
    response = send(siks, [siti_record()])
    assert response.status_code == 200
    assert IdempotencyKey.objects.get().status_code == 200


def test_it_forgets_a_key_after_24_hours(siks):
    send(siks, [siti_record()])
    IdempotencyKey.objects.update(created_at=timezone.now() - KEY_TTL - timedelta(minutes=1))
    response = send(siks, [wayan_record()])  # another body under the old key: a new request now
    assert response.status_code == 200
    assert response.json()["records"][0]["action"] == "create"


def test_it_keeps_keys_apart_per_account(siks, olive):
    send(siks, [siti_record()])
    response = send(api_as(olive, "persons:write"), [wayan_record()], source="SIKS-NG")
    assert response.status_code == 200


def run_in_thread(api: ApiClient, results: list, barrier: threading.Barrier) -> None:
    try:
        barrier.wait(timeout=10)
        response = api.post(BATCH, {"records": [siti_record()]}, headers={"Idempotency-Key": "kunci-sama"})
        results.append(response.status_code)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_it_runs_only_one_of_two_simultaneous_requests_with_the_same_key(regions_loaded, bp3mi, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the key's unique constraint is tested by the 409 test")
    inside = threading.Event()
    original = push.push_records

    def slow_push(**kwargs):
        inside.set()
        threading.Event().wait(1.5)  # the second request arrives while the first still runs
        return original(**kwargs)

    monkeypatch.setattr(push, "push_records", slow_push)
    siks = system_api(bp3mi, "SIKS-NG")
    results: list[int] = []
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=run_in_thread, args=(siks, results, barrier)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results) == [200, 409]
    assert Person.objects.count() == 1
    assert IdempotencyKey.objects.get().status_code == 200


# --- who may push --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob", "dave"])
def test_it_refuses_a_push_by_a_role_that_may_not_import(persona, request):
    user = request.getfixturevalue(persona)
    response = send(api_as(user, "persons:write"), [siti_record()], source="SIKS-NG")
    assert response.status_code == 403
    assert written() == (0, 0, 0)
    assert not IdempotencyKey.objects.exists()  # the key is free again


def test_it_refuses_a_token_without_the_write_scope(bp3mi):
    response = send(system_api(bp3mi, "SIKS-NG", "persons:read"), [siti_record()])
    assert response.status_code == 403
    assert "persons:write" in response.json()["detail"]


def test_it_answers_401_without_credentials(db):
    response = Client().post(BATCH, {"records": []}, content_type="application/json")
    assert response.status_code == 401


def test_it_documents_the_feed_and_the_push_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "get" in schema["paths"]["/api/v1/changes"]
    batch = schema["paths"]["/api/v1/persons:batch"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in batch["parameters"])
    assert {"200", "409", "422"} <= set(batch["responses"])


# --- any text in any field -----------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.fixed_dictionaries(
        {},
        optional={
            name: st.text(max_size=40)
            for name in ("full_name", "birth_date", "sex", "nik", "phone", "region_code", "passport", "kk")
        },
    ),
    key=st.uuids(),
)
def test_it_answers_any_record_with_a_result_or_errors_and_never_half_writes(siks, values, key):
    before = written()
    # Any field of a valid record replaced by any text: some go in, the rest are refused whole.
    response = send(siks, [siti_record(id="X-1", **values)], key=str(key))
    assert response.status_code in (200, 422), response.content
    if response.status_code == 422:
        assert written() == before
        body = response.json()
        assert body["errors"]
        if isinstance(body["errors"], list):  # problems of values (a malformed body has per-path errors)
            assert all(error["message"] and error["index"] == 0 for error in body["errors"])


def system_account() -> User:
    return User.objects.get(is_system_account=True)


def hash_of(records: list[dict]) -> str:
    return request_hash({"records": records})
