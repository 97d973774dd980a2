"""The change feed: order, pages, who sees what, replay equals the registry, cursors never skip a late commit."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.accounts.models import Agency
from sinergi.audit.models import AuditEvent
from sinergi.changes.feed import person_snapshot, person_snapshots, record_person_change, seal_events
from sinergi.changes.models import ChangeEvent, ChangeOp, FeedSequence
from sinergi.changes.tests.clients import ApiClient, api_as, system_api
from sinergi.referrals.models import ReferralStatus
from sinergi.registry import services
from sinergi.registry.models import Person
from sinergi.sharing.rules import redact_snapshot
from sinergi.sources import services as sources
from sinergi.testing.factories import make_person
from sinergi.testing.referral_fixtures import open_case_for, referral_in

CHANGES = "/api/v1/changes"
SITI_NIK = "7271055210900001"


def names(page: dict) -> list[str]:
    return [change["person"]["full_name"] for change in page["changes"]]


def replay(api: ApiClient, *, limit: int = 3, since: int = 0) -> tuple[dict[int, dict], int]:
    """What a partner system holds after applying the feed in order: upsert, or drop on merged/deleted."""
    state: dict[int, dict] = {}
    while True:
        response = api.get(CHANGES, {"since": since, "limit": limit})
        assert response.status_code == 200, response.content
        page = response.json()
        for change in page["changes"]:
            if change["op"] in (ChangeOp.CREATED, ChangeOp.UPDATED, ChangeOp.RESTORED):
                state[change["person_id"]] = change["person"]
            else:
                state.pop(change["person_id"], None)
        assert page["next_cursor"] >= since
        since = page["next_cursor"]
        if not page["has_more"]:
            return state, since


def current_snapshots(agency: Agency) -> dict[int, dict]:
    persons = Person.objects.filter(registered_by_agency=agency, merged_into__isnull=True)
    return {person.pk: person_snapshot(person) for person in persons}


def merge(absorbed: Person, survivor: Person) -> None:
    """What sinergi.matching's merge does to the feed: the absorbed person is reported as merged."""
    with transaction.atomic():
        absorbed.merged_into = survivor
        absorbed.save(update_fields=["merged_into"])
        record_person_change(absorbed, ChangeOp.MERGED)


# --- order and pages -----------------------------------------------------------------------------------------


def test_it_serves_the_agencys_changes_oldest_first(alice):
    for name in ("Siti Aminah", "Wayan Sudirta", "Ni Made Ayu"):
        make_person(alice, full_name=name)
    page = api_as(alice).get(CHANGES).json()
    assert names(page) == ["Siti Aminah", "Wayan Sudirta", "Ni Made Ayu"]
    assert [change["op"] for change in page["changes"]] == ["created"] * 3
    cursors = [change["cursor"] for change in page["changes"]]
    assert cursors == sorted(cursors) and len(set(cursors)) == 3
    assert (page["next_cursor"], page["has_more"]) == (cursors[-1], False)
    first = page["changes"][0]
    # The response schema's fields, no more and no fewer (the page is built from plain dicts).
    assert set(page) == {"changes", "next_cursor", "has_more"}
    assert set(first) == {"cursor", "op", "person_id", "at", "person"}
    assert first["person"]["registered_by"] == "bp3mi-sulteng"
    assert first["person_id"] == first["person"]["id"]
    assert first["at"].endswith("Z")


def test_it_pages_with_next_cursor_until_has_more_is_false(alice):
    for number in range(5):
        make_person(alice, full_name=f"Pekerja {number}")
    api = api_as(alice)
    seen: list[str] = []
    pages = []
    since = 0
    while True:
        page = api.get(CHANGES, {"since": since, "limit": 2}).json()
        pages.append((len(page["changes"]), page["has_more"]))
        seen += names(page)
        since = page["next_cursor"]
        if not page["has_more"]:
            break
    assert pages == [(2, True), (2, True), (1, False)]
    assert seen == [f"Pekerja {number}" for number in range(5)]
    # Polling again at the end returns nothing and keeps the cursor; a new change comes next.
    assert api.get(CHANGES, {"since": since}).json() == {"changes": [], "next_cursor": since, "has_more": False}
    make_person(alice, full_name="Pekerja 5")
    assert names(api.get(CHANGES, {"since": since}).json()) == ["Pekerja 5"]


def test_it_serves_the_same_page_again_for_the_same_cursor(alice):
    for number in range(3):
        make_person(alice, full_name=f"Pekerja {number}")
    api = api_as(alice)
    assert api.get(CHANGES, {"limit": 2}).json() == api.get(CHANGES, {"since": 0, "limit": 2}).json()


def test_it_records_one_access_log_line_per_page_served(alice):
    make_person(alice)
    api = api_as(alice)
    page = api.get(CHANGES).json()
    api.get(CHANGES, {"since": page["next_cursor"]})  # empty: not logged
    [event] = AuditEvent.objects.filter(action="changes.read")
    assert (event.actor, event.via, event.detail["count"]) == (alice, "api", 1)


def test_it_reads_a_page_in_a_constant_number_of_queries(alice):
    make_person(alice, full_name="Pertama")
    api = api_as(alice)
    cursor = api.get(CHANGES).json()["next_cursor"]  # the token's first use also writes last_used_at
    make_person(alice, full_name="Kedua")
    with CaptureQueriesContext(connection) as one:
        page = api.get(CHANGES, {"since": cursor})
    assert len(page.json()["changes"]) == 1
    for number in range(12):
        make_person(alice, full_name=f"Pekerja {number}")
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(CHANGES, {"since": page.json()["next_cursor"]}).json()["changes"]) == 12
    assert len(many) == len(one)


# --- cursors a client sends ----------------------------------------------------------------------------------


@pytest.mark.parametrize("since", ["-1", "abc", "1.5", "", "0x10", "١٢", str(2**63)])
def test_it_refuses_a_cursor_that_is_not_a_whole_number_from_zero(alice, since):
    response = api_as(alice).get(CHANGES, {"since": since})
    assert response.status_code == 422
    body = response.json()
    assert list(body["errors"]) == ["since"]
    assert "next_cursor" in body["errors"]["since"][0]


@pytest.mark.parametrize("limit", ["0", "1001", "-5", "banyak"])
def test_it_refuses_a_limit_outside_one_to_a_thousand(alice, limit):
    response = api_as(alice).get(CHANGES, {"limit": limit})
    assert response.status_code == 422
    assert "1000" in response.json()["errors"]["limit"][0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(since=st.text(max_size=12) | st.integers(min_value=-(10**30), max_value=10**30).map(str))
def test_it_answers_any_cursor_text_with_a_page_or_a_422(alice, since):
    response = api_as(alice).get(CHANGES, {"since": since})
    is_cursor = since.strip().isascii() and since.strip().isdigit() and int(since) < 2**63
    assert response.status_code == (200 if is_cursor else 422)


# --- who sees what -------------------------------------------------------------------------------------------


def test_it_shows_the_same_agencys_read_only_auditor_every_change(alice, bob):
    make_person(alice, full_name="Siti Aminah")
    assert names(api_as(bob).get(CHANGES).json()) == ["Siti Aminah"]


@pytest.mark.parametrize("persona", ["carol", "dave"])
def test_it_shows_other_agencies_none_of_bp3mis_changes(persona, request, alice):
    other = request.getfixturevalue(persona)
    make_person(alice, full_name="Siti Aminah")
    make_person(other, full_name="Orang Lain")
    page = api_as(other).get(CHANGES).json()
    assert names(page) == ["Orang Lain"]


def test_it_shows_a_referral_recipient_the_shared_person_while_the_referral_is_open(alice, carol, sop):
    siti = make_person(alice, full_name="Siti Aminah", nik=SITI_NIK, phones=["0812-4455-6677"])
    make_person(alice, full_name="Tidak Dirujuk")
    referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol, case=open_case_for(alice, person=siti))
    page = api_as(carol).get(CHANGES).json()
    assert {change["person_id"] for change in page["changes"]} == {siti.pk}
    assert page["changes"][-1]["person"]["phones"] == ["+6281244556677"]
    # The default route shares identity, contacts and family: the recipient's copy is the registry's cut to
    # those sections (owner-only keys such as other identifiers and flags come back empty; issue 9).
    state, _ = replay(api_as(carol))
    assert state == {siti.pk: redact_snapshot(person_snapshot(siti), {"IDENTITAS", "KONTAK", "KELUARGA"})}
    assert state[siti.pk]["nik"] == SITI_NIK and state[siti.pk]["identifiers"] == []


def test_it_hides_contacts_from_a_recipient_when_the_route_does_not_share_them(alice, carol, sop):
    siti = make_person(
        alice, full_name="Siti Aminah", phones=["0812-4455-6677"], region_code="72.71.05", address_text="Jl. Trans"
    )
    case = open_case_for(alice, person=siti, categories=("tppo",))
    referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol, case=case)
    person = api_as(carol).get(CHANGES).json()["changes"][-1]["person"]
    assert (person["phones"], person["region_code"], person["address_text"]) == ([], "", "")
    assert person["full_name"] == "Siti Aminah"
    assert api_as(alice).get(CHANGES).json()["changes"][-1]["person"]["phones"] == ["+6281244556677"]


def test_it_stops_showing_the_recipient_the_person_when_the_referral_closes(alice, carol, sop):
    siti = make_person(alice, full_name="Siti Aminah")
    referral_in(ReferralStatus.REJECTED, sender=alice, receiver=carol, case=open_case_for(alice, person=siti))
    assert api_as(carol).get(CHANGES).json()["changes"] == []


def test_it_reports_a_merged_person_to_the_agency_that_registered_it(alice, carol):
    survivor = make_person(alice, full_name="Siti Aminah")
    absorbed = make_person(alice, full_name="Siti Aminah Binti Lasa")
    merge(absorbed, survivor)
    changes = api_as(alice).get(CHANGES).json()["changes"]
    assert [(change["op"], change["person_id"]) for change in changes][-1] == ("merged", absorbed.pk)
    assert changes[-1]["person"]["merged_into"] == survivor.pk
    assert api_as(carol).get(CHANGES).json()["changes"] == []


def test_it_answers_403_to_a_token_without_the_persons_read_scope(alice):
    response = api_as(alice, "cases:read").get(CHANGES)
    assert response.status_code == 403
    assert "persons:read" in response.json()["detail"]


def test_it_answers_401_without_credentials(client):
    assert client.get(CHANGES).status_code == 401


# --- replay --------------------------------------------------------------------------------------------------


def test_it_rebuilds_the_registry_by_replaying_the_feed_from_zero(alice, bp3mi, dave):
    siti = make_person(alice, full_name="Siti Aminah", nik=SITI_NIK, birth_date=date(1990, 10, 12))
    wayan = make_person(alice, full_name="Wayan Sudirta", sex="L", birth_date=date(1985, 1, 2))
    twin = make_person(alice, full_name="Siti Aminah Binti Lasa", birth_date=date(1990, 10, 12))
    comeback = make_person(alice, full_name="Ni Made Ayu", birth_date=date(1992, 5, 5))
    make_person(dave, full_name="Orang Dinsos")
    services.update_person(
        actor=alice,
        person_id=wayan.pk,
        data=services.merged(services.person_data_of(wayan), birth_place="Palu", address_text="Jl. Sisingamangaraja"),
        expected_version=wayan.version,
    )
    services.add_phone(actor=alice, person_id=siti.pk, number="0812-4455-6677")
    services.add_identifier(actor=alice, person_id=wayan.pk, kind="PASPOR", value="C1234567")
    merge(twin, siti)
    merge(comeback, wayan)
    with transaction.atomic():  # an unmerge brings it back
        comeback.merged_into = None
        comeback.save(update_fields=["merged_into"])
        record_person_change(comeback, ChangeOp.RESTORED)

    expected = current_snapshots(bp3mi)
    assert set(expected) == {siti.pk, wayan.pk, comeback.pk}
    for limit in (1, 2, 1000):
        state, _ = replay(api_as(alice), limit=limit)
        assert state == expected


def test_it_rebuilds_the_registry_after_pushes_merges_and_an_unmerge(alice, olive, bp3mi):
    """The same, through the real services: a partner's push, the data officer's merge and its undoing."""
    from sinergi.matching.services import merge_persons, unmerge

    siks = system_api(bp3mi, "SIKS-NG")
    pushed = siks.post(
        "/api/v1/persons:batch",
        {
            "records": [
                {"id": "S-1", "full_name": "Siti Aminah", "nik": SITI_NIK, "birth_date": "1990-10-12", "sex": "P"},
                {"id": "S-2", "full_name": "Wayan Sudirta", "birth_date": "1985-01-02", "sex": "L"},
            ]
        },
        headers={"Idempotency-Key": "batch-1"},
    ).json()
    siti_id, wayan_id = (record["person_id"] for record in pushed["records"])
    sitti = make_person(alice, full_name="Sitti Aminah", birth_date=date(1990, 10, 12), phones=["0813-1111-2222"])
    budi = make_person(alice, full_name="Budi Santoso", sex="L", birth_date=date(1985, 6, 1))
    merge_persons(actor=olive, survivor_id=siti_id, absorbed_id=sitti.pk)
    undone = merge_persons(actor=olive, survivor_id=wayan_id, absorbed_id=budi.pk)
    unmerge(actor=olive, merge_id=undone.pk)

    expected = current_snapshots(bp3mi)
    assert set(expected) == {siti_id, wayan_id, budi.pk}
    assert expected[siti_id]["source_ids"] == [{"source": "SIKS-NG", "id": "S-1"}]
    state, _ = replay(api_as(alice), limit=4)
    assert state == expected


def test_it_continues_a_replay_from_a_saved_cursor(alice, bp3mi):
    siti = make_person(alice, full_name="Siti Aminah")
    api = api_as(alice)
    state, cursor = replay(api)
    services.add_phone(actor=alice, person_id=siti.pk, number="0812-4455-6677")
    make_person(alice, full_name="Wayan Sudirta")
    later, _ = replay(api, since=cursor)
    state.update(later)
    assert state == current_snapshots(bp3mi)


# --- cursor safety -------------------------------------------------------------------------------------------


def test_it_gives_an_event_that_becomes_visible_late_a_cursor_after_those_already_served(alice):
    """The race, staged on any database: a lower id that commits after a higher one was served."""
    siti = make_person(alice, full_name="Siti Aminah")
    base = ChangeEvent.objects.order_by("-id").values_list("id", flat=True).first() + 100
    ChangeEvent.objects.create(id=base + 2, person_id=siti.pk, agency_id=siti.registered_by_agency_id, op="updated")
    api = api_as(alice)
    first = api.get(CHANGES).json()
    assert [change["person_id"] for change in first["changes"]] == [siti.pk, siti.pk]
    # The lower id "commits" now: its transaction started earlier, but only now does anyone see it.
    late = ChangeEvent.objects.create(
        id=base + 1, person_id=siti.pk, agency_id=siti.registered_by_agency_id, op="updated"
    )
    second = api.get(CHANGES, {"since": first["next_cursor"]}).json()
    assert [change["cursor"] for change in second["changes"]] == [ChangeEvent.objects.get(pk=late.pk).cursor]
    assert second["next_cursor"] > first["next_cursor"]


def test_it_numbers_events_once_and_keeps_the_numbers(alice):
    make_person(alice, full_name="Siti Aminah")
    make_person(alice, full_name="Wayan Sudirta")
    assert seal_events() == 2
    numbered = dict(ChangeEvent.objects.values_list("id", "cursor"))
    assert seal_events() == 0
    assert dict(ChangeEvent.objects.values_list("id", "cursor")) == numbered
    assert FeedSequence.objects.get().last_cursor == max(numbered.values())
    make_person(alice, full_name="Ni Made Ayu")
    assert seal_events() == 1
    newest = ChangeEvent.objects.order_by("-id").first()
    assert newest is not None and newest.cursor is not None and newest.cursor > max(numbered.values())


def hold_open_transaction(actor, started: threading.Event, release: threading.Event, errors: list) -> None:
    """Registers a person and keeps the transaction open until told to commit (own connection)."""
    try:
        with transaction.atomic():
            make_person(actor, full_name="Lambat Komit")
            started.set()
            assert release.wait(timeout=20)
    except Exception as error:  # reported to the test thread, which fails with it
        errors.append(error)
        started.set()
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_it_never_skips_a_change_that_commits_after_a_later_one_on_postgresql(regions_loaded, alice):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: two transactions cannot interleave (see the staged race test)")
    started, release, errors = threading.Event(), threading.Event(), []
    slow = threading.Thread(target=hold_open_transaction, args=(alice, started, release, errors))
    slow.start()
    try:
        assert started.wait(timeout=20)
        fast = make_person(alice, full_name="Cepat Komit")  # commits while the slow one is still open
        api = api_as(alice)
        first = api.get(CHANGES).json()
        assert names(first) == ["Cepat Komit"]
    finally:
        release.set()
        slow.join(timeout=30)
    assert not errors, errors
    slow_event = ChangeEvent.objects.get(snapshot__full_name="Lambat Komit")
    fast_event = ChangeEvent.objects.get(person_id=fast.pk)
    assert slow_event.id < fast_event.id  # the race really happened: ids alone would have skipped it
    second = api.get(CHANGES, {"since": first["next_cursor"]}).json()
    assert names(second) == ["Lambat Komit"]


def write_persons(actor, prefix: str, count: int, errors: list) -> None:
    try:
        for number in range(count):
            make_person(actor, full_name=f"{prefix} {number}")
    except Exception as error:  # reported to the test thread, which fails with it
        errors.append(error)
    finally:
        connection.close()


def follow_feed(api: ApiClient, seen: list[int], stop: threading.Event, errors: list) -> None:
    """A partner polling as fast as it can; keeps every event id it was served, in order."""
    try:
        since = 0
        while True:
            finished = stop.is_set()
            page = api.get(CHANGES, {"since": since, "limit": 4}).json()
            seen += [change["cursor"] for change in page["changes"]]
            since = page["next_cursor"]
            if finished and not page["has_more"]:
                return
    except Exception as error:
        errors.append(error)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_it_serves_every_change_once_to_readers_polling_while_writers_commit(regions_loaded, alice, bob):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: writers and sealing readers cannot interleave")
    errors: list = []
    stop = threading.Event()
    readers = {name: [] for name in ("alice", "bob")}
    apis = {"alice": api_as(alice), "bob": api_as(bob)}
    reader_threads = [
        threading.Thread(target=follow_feed, args=(apis[name], readers[name], stop, errors)) for name in readers
    ]
    writer_threads = [threading.Thread(target=write_persons, args=(alice, f"Penulis {n}", 5, errors)) for n in range(3)]
    for thread in reader_threads + writer_threads:
        thread.start()
    for thread in writer_threads:
        thread.join(timeout=120)
    stop.set()
    for thread in reader_threads:
        thread.join(timeout=120)
    assert not errors, errors
    every = list(ChangeEvent.objects.order_by("cursor").values_list("cursor", flat=True))
    assert len(every) == 15
    for seen in readers.values():
        assert seen == every  # each change once, in cursor order, none skipped


def test_it_continues_above_the_served_cursors_if_the_counter_row_is_lost(alice):
    make_person(alice, full_name="Siti Aminah")
    seal_events()
    served = ChangeEvent.objects.get().cursor
    FeedSequence.objects.all().delete()
    make_person(alice, full_name="Wayan Sudirta")
    assert seal_events() == 1
    newest = ChangeEvent.objects.order_by("-id").first()
    assert newest is not None and newest.cursor is not None and newest.cursor > served


def test_it_snapshots_many_persons_as_it_snapshots_one(olive, bp3mi):
    siti = make_person(olive, full_name="Siti Aminah", nik=SITI_NIK, aliases=["Siti Aminah Binti Lasa", "Aminah"])
    wayan = make_person(olive, full_name="Wayan Sudirta", sex="L", birth_date=None, region_code="")
    services.add_phone(actor=olive, person_id=siti.pk, number="0812-4455-6677")
    services.add_phone(actor=olive, person_id=siti.pk, number="0813-1111-2222")
    services.add_identifier(actor=olive, person_id=siti.pk, kind="PASPOR", value="C1234567")
    services.add_identifier(actor=olive, person_id=siti.pk, kind="KK", value="7271050101900003")
    source = sources.get_or_create_source(actor=olive, name="Ekspor Sisko P2MI")
    plans = sources.plan_records(
        actor=olive,
        source=source,
        records=[sources.IncomingRecord(external_id="SP-1", values={"full_name": "Siti Aminah", "nik": SITI_NIK})],
    )
    sources.apply_plans(actor=olive, source=source, plans=plans)
    merge(wayan, siti)

    one_by_one = {person.pk: person_snapshot(person) for person in Person.objects.filter(pk__in=[siti.pk, wayan.pk])}
    many = person_snapshots([siti.pk, wayan.pk, siti.pk])
    assert many == one_by_one
    assert [list(snapshot) for snapshot in many.values()] == [list(snapshot) for snapshot in one_by_one.values()]
    assert many[siti.pk]["source_ids"] == [{"source": "Ekspor Sisko P2MI", "id": "SP-1"}]
    assert len(many[siti.pk]["phones"]) == 2 and len(many[siti.pk]["identifiers"]) == 2
    assert many[wayan.pk]["merged_into"] == siti.pk
    with CaptureQueriesContext(connection) as captured:
        person_snapshots([siti.pk, wayan.pk])
    assert len(captured) == 5
