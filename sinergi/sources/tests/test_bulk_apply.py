"""Applying a chunk costs a bounded number of queries, writes one change-feed event per person and keeps the
audit chain whole."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.audit.chain import verify_chain
from sinergi.changes.models import ChangeEvent
from sinergi.identity.nik import build_nik
from sinergi.imports.models import RowAction
from sinergi.registry.models import NameToken, Person
from sinergi.sources import services
from sinergi.sources.services import IncomingRecord

FIRST_BORN = date(1980, 1, 1)


def records(count: int, start: int = 0) -> list[IncomingRecord]:
    out = []
    for index in range(start, start + count):
        born = FIRST_BORN + timedelta(days=index * 37)
        out.append(
            IncomingRecord(
                external_id=f"P{index}",
                row_number=index + 2,
                values={
                    "full_name": f"Orang Nomor {index} Lestari",
                    "nik": build_nik("72.71.05", born, "P", 1),
                    "birth_date": born.strftime("%d/%m/%Y"),
                    "sex": "P",
                    "region_code": "72.71.05.1001",
                    "phone": f"0812{index:08d}",
                },
            )
        )
    return out


def queries_to_apply(actor, source, incoming) -> int:
    plans = services.plan_records(actor=actor, source=source, records=incoming)
    assert {plan.action for plan in plans} == {RowAction.CREATE}
    with CaptureQueriesContext(connection) as captured:
        services.apply_plans(actor=actor, source=source, plans=plans, file_name="f.csv")
    return len(captured)


def test_the_queries_of_a_chunk_do_not_grow_with_its_rows(olive, model):
    source = services.get_or_create_source(actor=olive, name="Ekspor Sisko P2MI")
    small = queries_to_apply(olive, source, records(5))
    large = queries_to_apply(olive, source, records(50, start=5))
    # The registry checks the chunk's region codes in one query: nothing grows with the rows.
    assert large == small, (small, large)


def test_each_new_person_gets_one_change_event_and_the_audit_chain_holds(olive, model):
    source = services.get_or_create_source(actor=olive, name="Ekspor Sisko P2MI")
    plans = services.plan_records(actor=olive, source=source, records=records(12))
    results = services.apply_plans(actor=olive, source=source, plans=plans, file_name="f.csv")
    assert [result.action for result in results] == [RowAction.CREATE] * 12
    persons = Person.objects.filter(registered_by_agency_id=olive.agency_id)
    assert persons.count() == 12
    for person in persons:
        [event] = ChangeEvent.objects.filter(person_id=person.pk)
        assert event.op == "created"
        [record] = person.source_records.all()
        assert event.snapshot["source_ids"] == [{"source": "Ekspor Sisko P2MI", "id": record.external_id}]
        assert event.snapshot["phones"] and NameToken.objects.filter(person=person).exists()
        assert person.history.count() == 1
    assert verify_chain().intact


def test_insert_many_writes_what_bulk_create_writes(olive, model):
    from sinergi.audit.models import AuditEvent
    from sinergi.bulk import insert_many
    from sinergi.changes.models import ChangeOp
    from sinergi.sources.models import SourceRecord

    source = services.get_or_create_source(actor=olive, name="Ekspor Sisko P2MI")
    plans = services.plan_records(actor=olive, source=source, records=records(1))
    [created] = services.apply_plans(actor=olive, source=source, plans=plans, file_name="f.csv")
    person = Person.objects.get(pk=created.person_id)

    def audit(action: str) -> AuditEvent:
        return AuditEvent(
            actor=olive,
            agency_id=olive.agency_id,
            action=action,
            object_type="registry.person",
            object_id=str(person.pk),
            summary="Siti Aminah ✓",
            detail={"fields": ["nik"], "n": 1, "nested": {"ok": True}},
            ip_address="2001:db8::1",
            via="import",
        )

    def record(external_id: str) -> SourceRecord:
        return SourceRecord(
            source=source,
            external_id=external_id,
            person=person,
            values={"full_name": "Siti Aminah", "birth_date": "1990-10-12"},
            content_hash="a" * 64,
            file_name="f.csv",
            row_number=None,
            linked_by=RowAction.LINK.lower(),
            link_probability=0.75,
        )

    def change() -> ChangeEvent:
        return ChangeEvent(person_id=person.pk, agency_id=olive.agency_id, op=ChangeOp.UPDATED, snapshot={"id": 1})

    AuditEvent.objects.bulk_create([audit("bulk")])
    AuditEvent.objects.insert_many([audit("many")])
    SourceRecord.objects.bulk_create([record("bulk")])
    insert_many(SourceRecord, [record("many")])
    ChangeEvent.objects.bulk_create([change()])
    insert_many(ChangeEvent, [change()])

    def stored(queryset, key: str, **names) -> dict:
        [row] = queryset.filter(**{key: names["bulk"]}).values()
        [other] = queryset.filter(**{key: names["many"]}).values()
        for values in (row, other):
            for name in ("id", key, "at", "imported_at", "first_seen_at", "content_hash", "seq", "chain_hash"):
                values.pop(name, None)
        assert row == other
        return other

    stored(AuditEvent.objects.all(), "action", bulk="bulk", many="many")
    many = stored(SourceRecord.objects.all(), "external_id", bulk="bulk", many="many")
    assert many["values"]["birth_date"] == "1990-10-12" and many["link_probability"] == 0.75
    changes = list(ChangeEvent.objects.filter(person_id=person.pk, op=ChangeOp.UPDATED).values("snapshot", "agency_id"))
    assert changes[-1] == changes[-2] == {"snapshot": {"id": 1}, "agency_id": olive.agency_id}
    assert verify_chain().intact


def test_create_with_history_writes_what_bulk_create_with_history_writes(olive):
    from simple_history.utils import bulk_create_with_history

    from sinergi.bulk import create_with_history
    from sinergi.registry.models import PersonAlias

    def person(name: str) -> Person:
        return Person(
            full_name=name,
            name_key=name.lower(),
            sex="P",
            birth_date=date(1990, 10, 12),
            birth_place="Palu",
            nik=build_nik("72.71.05", date(1990, 10, 12), "P", len(name)),
            region_id="72.71.05.1001",
            address_text="Jl. Sis Aljufri ✓",
            flag_trafficking=True,
            registered_by_agency_id=olive.agency_id,
            created_by=olive,
        )

    bulk = [person("Siti Aminah"), person("Siti Amina")]
    many = [person("Siti Aminah"), person("Siti Amina")]
    bulk_create_with_history(bulk, Person, default_user=olive)
    create_with_history(Person, many, user=olive)
    assert all(item.pk and not item._state.adding for item in many)
    assert len({item.pk for item in [*bulk, *many]}) == 4
    aliases = [PersonAlias(person=item, name="Ami", name_key="ami") for item in [*bulk, *many]]
    bulk_create_with_history(aliases[:2], PersonAlias, default_user=olive)
    create_with_history(PersonAlias, aliases[2:], user=olive)

    def rows(model, objects, *ignored: str) -> list[dict]:
        values = list(model.objects.filter(pk__in=[obj.pk for obj in objects]).order_by("pk").values())
        history = list(model.history.filter(id__in=[obj.pk for obj in objects]).order_by("id").values())
        for row in [*values, *history]:
            for name in ("id", "history_id", "history_date", "created_at", "updated_at", "person_id", *ignored):
                row.pop(name, None)
        return [*values, *history]

    assert rows(Person, many) == rows(Person, bulk)
    assert rows(PersonAlias, aliases[2:]) == rows(PersonAlias, aliases[:2])
    [stored] = Person.history.filter(id=many[0].pk).values("history_type", "history_user_id", "full_name")
    assert stored == {"history_type": "+", "history_user_id": olive.pk, "full_name": "Siti Aminah"}
    # The keys set are the stored rows' keys, in order.
    assert [Person.objects.get(pk=item.pk).full_name for item in many] == ["Siti Aminah", "Siti Amina"]


def test_new_makes_the_instance_the_model_makes(olive):
    """``bulk.new`` skips ``Model.__init__``: the instance must hold what ``Model(**values)`` holds, defaults,
    keys and the cached related objects included, and refuse what ``Model`` refuses."""
    import pytest

    from sinergi.audit.models import AuditEvent
    from sinergi.bulk import new
    from sinergi.changes.models import ChangeEvent
    from sinergi.registry.models import PersonIdentifier, PersonPhone
    from sinergi.sources.models import DataSource, SourceRecord

    person = Person.objects.create(full_name="Siti Aminah", registered_by_agency_id=olive.agency_id, created_by=olive)
    source = DataSource.objects.create(name="Ekspor", agency_id=olive.agency_id, created_by=olive)
    cases = [
        (Person, {"registered_by_agency": olive.agency, "created_by": olive, "full_name": "Ani"}),
        (PersonPhone, {"person": person, "number": "+6281234567890"}),
        (PersonIdentifier, {"person": person, "kind": "passport", "value": "C1234567"}),
        (NameToken, {"person_id": person.pk, "token": "siti", "phonetic": "S3"}),
        (ChangeEvent, {"person_id": person.pk, "agency_id": olive.agency_id, "op": "created", "snapshot": {"a": 1}}),
        (AuditEvent, {"actor": olive, "agency_id": olive.agency_id, "action": "person.registered", "detail": {}}),
        (SourceRecord, {"source": source, "person": person, "external_id": "P1", "values": {"nik": "1"}}),
    ]

    def state(obj):
        # Times defaulting to now differ by microseconds between two instances: compared by type.
        return {
            name: type(value) if isinstance(value, datetime) else value
            for name, value in vars(obj).items()
            if name != "_state"
        }

    for model, values in cases:
        made, expected = new(model, **values), model(**values)
        assert state(made) == state(expected), model.__name__
        assert made._state.adding and made._state.db == expected._state.db
        assert made._state.fields_cache == expected._state.fields_cache, model.__name__
    made = new(SourceRecord, source=source, person=person)
    assert made.person is person and made.person_id == person.pk
    with pytest.raises(TypeError, match="unexpected keyword argument 'no_such_field'"):
        new(PersonPhone, no_such_field=1)
