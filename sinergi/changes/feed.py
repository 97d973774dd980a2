"""Recording changes of persons for the feed (`GET /api/v1/changes`).

Every service that writes a person calls ``record_person_change`` inside its transaction, so an event
exists exactly when the write committed. The event carries the person's whole state after the change:
a partner system that applies events in cursor order (upsert on created/updated/restored, drop on
merged/deleted) holds the same persons as Sinergi.
"""

from __future__ import annotations

from typing import Any

from sinergi.changes.models import ChangeEvent, ChangeOp
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
    snapshot = {} if op == ChangeOp.DELETED else person_snapshot(person)
    return ChangeEvent.objects.create(
        person_id=person.pk, agency_id=person.registered_by_agency_id, op=op, snapshot=snapshot
    )
