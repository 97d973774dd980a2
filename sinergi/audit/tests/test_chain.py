"""The audit trail is append-only and hash-chained: `sinergi audit verify` names the first broken link when a row
is changed or removed directly in the database (run on SQLite and, with DATABASE_URL, on PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction

from sinergi.audit.chain import GENESIS, link_hash, seal_events, verify_chain
from sinergi.audit.events import record_event
from sinergi.audit.models import AppendOnly, AuditChain, AuditEvent


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def write_events(actor: Any, n: int) -> list[AuditEvent]:
    return [
        record_event(actor=actor, action="test.event", summary=f"event {i}", detail={"i": i, "ratio": 1.0})
        for i in range(n)
    ]


def raw(sql: str, params: list[Any]) -> None:
    """A change made directly in the database, past the application (an administrator with psql/sqlite3)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_it_chains_every_event_in_order_and_verifies_it(alice):
    events = write_events(alice, 5)
    assert all(event.content_hash and event.seq is None for event in events)  # hashed at once, linked after commit

    assert seal_events() == 5
    sealed = list(AuditEvent.objects.order_by("seq").values_list("id", "seq", "content_hash", "chain_hash"))
    assert [seq for _, seq, _, _ in sealed] == [1, 2, 3, 4, 5]
    previous = GENESIS
    for _, seq, content, chained in sealed:
        assert chained == link_hash(previous, seq, content)
        previous = chained
    assert AuditChain.objects.get().last_hash == previous

    report = verify_chain()
    assert report.intact and report.events == 5 and report.head_seq == 5


def test_it_names_an_event_changed_directly_in_the_database(alice):
    events = write_events(alice, 6)
    seal_events()
    raw("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["nothing happened", events[3].pk])

    report = verify_chain()

    assert not report.intact
    assert report.first_break is not None
    assert (report.first_break.event_id, report.first_break.seq) == (events[3].pk, 4)
    assert "content was changed" in report.first_break.reason


def test_it_notices_a_changed_detail_or_actor(alice, bob):
    events = write_events(alice, 3)
    seal_events()
    raw("UPDATE audit_auditevent SET actor_id = %s WHERE id = %s", [bob.pk, events[1].pk])
    assert verify_chain().first_break.event_id == events[1].pk  # type: ignore[union-attr]


def test_it_names_the_first_missing_event_when_one_is_removed(alice):
    events = write_events(alice, 6)
    seal_events()
    raw("DELETE FROM audit_auditevent WHERE id IN (%s, %s)", [events[2].pk, events[3].pk])

    report = verify_chain()

    assert report.first_break is not None
    assert report.first_break.seq == 3
    assert report.first_break.event_id == events[1].pk  # the last event before the gap
    assert "missing" in report.first_break.reason


def test_it_notices_the_newest_events_removed(alice):
    events = write_events(alice, 4)
    seal_events()
    raw("DELETE FROM audit_auditevent WHERE id = %s", [events[-1].pk])

    report = verify_chain()

    assert report.first_break is not None and report.first_break.seq == 4
    assert "newest events" in report.first_break.reason


def test_it_notices_a_recomputed_chain_hash(alice):
    events = write_events(alice, 3)
    seal_events()
    raw("UPDATE audit_auditevent SET chain_hash = %s WHERE id = %s", ["f" * 64, events[0].pk])
    assert verify_chain().first_break.event_id == events[0].pk  # type: ignore[union-attr]


def test_it_notices_an_event_changed_before_it_was_linked(alice):
    events = write_events(alice, 2)
    raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["test.other", events[0].pk])
    report = verify_chain()
    assert report.first_break is not None and report.first_break.event_id == events[0].pk


def test_the_command_exits_with_an_error_naming_the_event(alice, capsys):
    events = write_events(alice, 3)
    call_command("audit", "verify")
    assert "The chain is intact" in capsys.readouterr().out

    raw("UPDATE audit_auditevent SET summary = %s WHERE id = %s", ["x", events[1].pk])
    with pytest.raises(CommandError, match=f"event #{events[1].pk} \\(seq 2\\)"):
        call_command("audit", "verify")


def test_it_refuses_to_change_or_delete_events_through_the_application(alice):
    [event] = write_events(alice, 1)
    event.summary = "rewritten"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    with pytest.raises(AppendOnly):
        AuditEvent.objects.filter(pk=event.pk).update(summary="rewritten")
    with pytest.raises(AppendOnly):
        AuditEvent.objects.all().delete()


def test_it_chains_bulk_created_events(alice):
    AuditEvent.objects.bulk_create(
        [AuditEvent(actor=alice, agency_id=alice.agency_id, action="test.bulk", summary=str(i)) for i in range(3)]
    )
    report = verify_chain()
    assert report.intact and report.head_seq == 3


def test_it_seals_events_once_their_transaction_commits(alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        write_events(alice, 3)
    assert len(callbacks) == 1  # one seal per transaction, however many events it wrote
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_do_not_fork_the_chain(alice):
    """Eight threads write and seal at once (each its own connection); the chain stays one line."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time (and its in-memory test database locks whole tables)")
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            barrier.wait(timeout=30)
            for i in range(5):
                with transaction.atomic():
                    record_event(actor=alice, action="test.concurrent", summary=f"{n}-{i}")
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures
    report = verify_chain()
    assert report.intact
    assert report.events == AuditEvent.objects.count() >= 40
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, len(seqs) + 1))
