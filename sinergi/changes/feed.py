"""Recording changes of persons for the feed (`GET /api/v1/changes`), and numbering them safely.

Every service that writes a person calls ``record_person_change`` inside its transaction, so an event
exists exactly when the write committed. The event carries the person's whole state after the change:
a partner system that applies events in cursor order (upsert on created/updated/restored, drop on
merged/deleted) holds the same persons as Sinergi.

Why events get their cursor after they commit (``seal_events``) instead of using the row id:
on PostgreSQL an id is taken from the sequence at INSERT, but transactions commit in any order. An import
chunk may take id 10 and commit a second later than an edit that took id 11; a reader that saw 11 and
returned ``next_cursor=11`` would never see 10. Two ways out were considered:

- lock one counter row in ``record_person_change`` until the writer commits. Simple, but every person
  write then waits for the longest open writer (an import chunk of hundreds of rows), and a writer that
  holds a person's row lock and waits for the counter deadlocks with a chunk that holds the counter and
  wants that person.
- number events once they are visible (chosen). Writers only INSERT and never wait for each other. A feed
  reader, holding the lock on the single ``FeedSequence`` row, gives the committed events that have no
  cursor yet the next numbers in id order. An event still in flight is invisible to that reader, stays
  unnumbered and gets a higher cursor once it commits: cursor order is the order in which events became
  visible, so nothing is ever behind a cursor already returned. Only readers wait for each other, and only
  for that short UPDATE.

SQLite runs one writer at a time (``transaction_mode=IMMEDIATE``), so the race cannot happen there; the same
code runs on both.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import transaction
from django.db.models import F, Max, Min

from sinergi.bulk import insert_many, new
from sinergi.changes.models import ChangeEvent, ChangeOp, FeedSequence
from sinergi.registry.models import Person, PersonAlias, PersonIdentifier, PersonPhone
from sinergi.sources.models import SourceRecord

# person id -> (op, agency id) of the changes recorded inside ``coalesced_changes``; None outside it.
_pending: ContextVar[dict[int, tuple[str, int]] | None] = ContextVar("pending_person_changes", default=None)


def person_snapshot(person: Person) -> dict[str, Any]:
    """The person as a partner system stores it: core fields, names, identifiers, phones and source ids."""
    return {
        "id": person.pk,
        "kind": person.kind,
        "full_name": person.full_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "birth_date_accuracy": person.birth_date_accuracy,
        "birth_place": person.birth_place,
        "nik": person.nik,
        "region_code": person.region_id or "",
        "address_text": person.address_text,
        "flag_child": person.flag_child,
        "flag_disability": person.flag_disability,
        "flag_trafficking": person.flag_trafficking,
        "aliases": sorted(alias.name for alias in person.aliases.all()),
        "identifiers": sorted(
            ({"kind": i.kind, "value": i.value} for i in person.identifiers.all()),
            key=lambda i: (i["kind"], i["value"]),
        ),
        "phones": sorted(phone.number for phone in person.phones.all()),
        "source_ids": sorted(
            ({"source": record.source.name, "id": record.external_id} for record in person.source_records.all()),
            key=lambda s: (s["source"], s["id"]),
        ),
        "registered_by": person.registered_by_agency.code,
        "merged_into": person.merged_into_id,
        "version": person.version,
    }


def record_person_change(person: Person, op: ChangeOp | str) -> ChangeEvent | None:
    """Call inside the transaction that changed `person`; the event commits (or not) with the change.

    Inside ``coalesced_changes`` nothing is written yet (returns None): the block writes one event per person.
    """
    pending = _pending.get()
    if pending is not None:
        before = pending.get(person.pk)
        # A person created in the block stays "created" whatever else the block did to it, unless it is gone.
        keep_created = before is not None and before[0] == ChangeOp.CREATED and op != ChangeOp.DELETED
        pending[person.pk] = (ChangeOp.CREATED if keep_created else str(op), person.registered_by_agency_id)
        return None
    snapshot = {} if op == ChangeOp.DELETED else person_snapshot(person)
    return ChangeEvent.objects.create(
        person_id=person.pk, agency_id=person.registered_by_agency_id, op=op, snapshot=snapshot
    )


@contextmanager
def coalesced_changes() -> Iterator[None]:
    """Inside a transaction: every person the block changes gets one event, with its state at the block's end.

    An import chunk creates a person, adds its identifiers and its source record: without this, each step
    wrote a full snapshot. A replica applying events in cursor order ends with the same persons either way,
    since every event carries the whole state (a person created in the block is one "created" event). The
    events are written in one statement when the block ends, in the order the persons were first changed,
    inside the same transaction, so they commit (or not) with the change. Nested blocks write with the outer.
    """
    if _pending.get() is not None:
        yield
        return
    pending: dict[int, tuple[str, int]] = {}
    token = _pending.set(pending)
    try:
        yield
        _pending.set(None)
        _write_pending(pending)
    finally:
        _pending.reset(token)


@contextmanager
def changes_savepoint() -> Iterator[None]:
    """Use with a savepoint inside ``coalesced_changes``: when the block raises (and its savepoint rolls
    back), the changes it recorded are forgotten too. Outside ``coalesced_changes`` it does nothing."""
    pending = _pending.get()
    saved = dict(pending) if pending is not None else None
    try:
        yield
    except BaseException:
        if pending is not None and saved is not None:
            pending.clear()
            pending.update(saved)
        raise


def _write_pending(pending: dict[int, tuple[str, int]]) -> None:
    if not pending:
        return
    snapshots = person_snapshots(pk for pk, (op, _agency) in pending.items() if op != ChangeOp.DELETED)
    events = []
    for pk, (op, agency_id) in pending.items():
        if op == ChangeOp.DELETED:
            events.append(new(ChangeEvent, person_id=pk, agency_id=agency_id, op=op, snapshot={}))
        elif pk in snapshots:  # a person missing here was created and deleted within the block
            events.append(new(ChangeEvent, person_id=pk, agency_id=agency_id, op=op, snapshot=snapshots[pk]))
    insert_many(ChangeEvent, events)


def person_snapshots(person_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """``person_snapshot`` of many persons in a fixed number of queries (five per 500 persons).

    Reads plain values, not model instances: an import chunk snapshots every person it touched, and building
    the instances of persons, names, identifiers, phones and source records was most of its change-feed cost.
    The result is the same as ``person_snapshot`` of each (``changes/tests/test_feed.py`` compares them).
    """
    ids = list(dict.fromkeys(person_ids))
    snapshots: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), _SNAPSHOT_BATCH):
        snapshots.update(_snapshot_batch(ids[start : start + _SNAPSHOT_BATCH]))
    return snapshots


_SNAPSHOT_BATCH = 500


def _snapshot_batch(ids: list[int]) -> dict[int, dict[str, Any]]:
    aliases: dict[int, list[str]] = {}
    for pk, name in PersonAlias.objects.filter(person_id__in=ids).values_list("person_id", "name"):
        aliases.setdefault(pk, []).append(name)
    identifiers: dict[int, list[dict[str, str]]] = {}
    for pk, kind, value in PersonIdentifier.objects.filter(person_id__in=ids).values_list("person_id", "kind", "value"):
        identifiers.setdefault(pk, []).append({"kind": kind, "value": value})
    phones: dict[int, list[str]] = {}
    for pk, number in PersonPhone.objects.filter(person_id__in=ids).values_list("person_id", "number"):
        phones.setdefault(pk, []).append(number)
    source_ids: dict[int, list[dict[str, str]]] = {}
    for pk, source, external_id in SourceRecord.objects.filter(person_id__in=ids).values_list(
        "person_id", "source__name", "external_id"
    ):
        source_ids.setdefault(pk, []).append({"source": source, "id": external_id})
    snapshots: dict[int, dict[str, Any]] = {}
    for row in Person.objects.filter(pk__in=ids).values(*_SNAPSHOT_FIELDS, "registered_by_agency__code"):
        pk = row["id"]
        snapshots[pk] = {  # person_snapshot's keys, in its order
            "id": pk,
            "kind": row["kind"],
            "full_name": row["full_name"],
            "sex": row["sex"],
            "birth_date": row["birth_date"].isoformat() if row["birth_date"] else None,
            "birth_date_accuracy": row["birth_date_accuracy"],
            "birth_place": row["birth_place"],
            "nik": row["nik"],
            "region_code": row["region"] or "",
            "address_text": row["address_text"],
            "flag_child": row["flag_child"],
            "flag_disability": row["flag_disability"],
            "flag_trafficking": row["flag_trafficking"],
            "aliases": sorted(aliases.get(pk, ())),
            "identifiers": sorted(identifiers.get(pk, ()), key=lambda i: (i["kind"], i["value"])),
            "phones": sorted(phones.get(pk, ())),
            "source_ids": sorted(source_ids.get(pk, ()), key=lambda s: (s["source"], s["id"])),
            "registered_by": row["registered_by_agency__code"],
            "merged_into": row["merged_into"],
            "version": row["version"],
        }
    return snapshots


_SNAPSHOT_FIELDS = (
    "id",
    "kind",
    "full_name",
    "sex",
    "birth_date",
    "birth_date_accuracy",
    "birth_place",
    "nik",
    "region",
    "address_text",
    "flag_child",
    "flag_disability",
    "flag_trafficking",
    "merged_into",
    "version",
)


def seal_events() -> int:
    """Give every committed event without a cursor a cursor above all given so far, in id order; returns how many.

    Runs in its own transaction holding the FeedSequence row lock, so two readers sealing at once never hand
    out the same numbers, and an event sealed later always gets a higher cursor than one sealed before.
    Cursors increase but are not consecutive: ``cursor = id + offset`` numbers all pending events in one UPDATE.
    """
    # Most polls find nothing new: answer them without taking a write lock (SQLite) or the row lock.
    # An event that commits just after this check is sealed by the next read; it is not served before.
    if not ChangeEvent.objects.filter(cursor__isnull=True).exists():
        return 0
    with transaction.atomic():
        # Created on first use (a flushed test database loses rows a migration made), starting above any cursor
        # already given, so a lost row can never hand out a cursor twice.
        if not FeedSequence.objects.filter(pk=1).exists():
            FeedSequence.objects.get_or_create(pk=1, defaults={"last_cursor": _highest_cursor()})
        sequence = FeedSequence.objects.select_for_update().get(pk=1)
        bounds = ChangeEvent.objects.filter(cursor__isnull=True).aggregate(first=Min("id"), last=Max("id"))
        if bounds["first"] is None:
            return 0
        offset = sequence.last_cursor + 1 - bounds["first"]
        # An event in the range whose transaction is still open is not visible here: it keeps its null cursor
        # and gets one above `last_cursor` when a later reader seals it.
        sealed = ChangeEvent.objects.filter(
            cursor__isnull=True, id__gte=bounds["first"], id__lte=bounds["last"]
        ).update(cursor=F("id") + offset)
        sequence.last_cursor = bounds["last"] + offset
        sequence.save(update_fields=["last_cursor"])
    return sealed


def _highest_cursor() -> int:
    return ChangeEvent.objects.aggregate(highest=Max("cursor"))["highest"] or 0
