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

from typing import Any

from django.db import transaction
from django.db.models import F, Max, Min

from sinergi.changes.models import ChangeEvent, ChangeOp, FeedSequence
from sinergi.registry.models import Person


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
            (
                {"source": record.source.name, "id": record.external_id}
                for record in person.source_records.select_related("source")
            ),
            key=lambda s: (s["source"], s["id"]),
        ),
        "registered_by": person.registered_by_agency.code,
        "merged_into": person.merged_into_id,
        "version": person.version,
    }


def record_person_change(person: Person, op: ChangeOp | str) -> ChangeEvent:
    """Call inside the transaction that changed `person`; the event commits (or not) with the change."""
    snapshot = {} if op == ChangeOp.DELETED else person_snapshot(person)
    return ChangeEvent.objects.create(
        person_id=person.pk, agency_id=person.registered_by_agency_id, op=op, snapshot=snapshot
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
