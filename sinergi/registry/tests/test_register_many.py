"""``register_persons``: many new persons at once, with every check ``register_person`` makes."""

from __future__ import annotations

from datetime import date

from sinergi.audit.chain import verify_chain
from sinergi.audit.models import AuditEvent
from sinergi.changes.models import ChangeEvent
from sinergi.identity.nik import build_nik
from sinergi.registry import services
from sinergi.registry.models import IdentifierKind, Person
from sinergi.registry.services import PersonData

BORN = date(1990, 10, 12)
NIK = build_nik("72.71.05", BORN, "P", 1)


def test_it_refuses_a_nik_the_agency_has_and_the_second_of_two_equal_niks(olive):
    [first] = services.register_persons(
        actor=olive, people=[PersonData(full_name="Siti Aminah", nik=NIK, birth_date=BORN, sex="P")]
    )
    assert isinstance(first, Person)
    other = build_nik("72.71.05", BORN, "P", 2)
    results = services.register_persons(
        actor=olive,
        people=[
            PersonData(full_name="Siti Aminah", nik=NIK, birth_date=BORN, sex="P"),
            PersonData(full_name="Siti Rahma", nik=other, birth_date=BORN, sex="P"),
            PersonData(full_name="Siti R.", nik=other, birth_date=BORN, sex="P"),
            PersonData(full_name="", sex="X"),
        ],
    )
    assert isinstance(results[0], services.NikAlreadyRegistered) and results[0].existing == first
    assert isinstance(results[1], Person)
    assert isinstance(results[2], services.NikAlreadyRegistered) and results[2].existing == results[1]
    assert isinstance(results[3], services.InvalidData) and set(results[3].errors) == {"full_name", "sex"}
    assert Person.objects.filter(nik=other).count() == 1


def test_it_writes_what_register_person_writes(olive):
    [person] = services.register_persons(
        actor=olive,
        people=[PersonData(full_name="Siti Aminah", nik=NIK, birth_date=BORN, sex="P", phones=["0812-4455-6677"])],
        identifiers=[[(IdentifierKind.KK, "7271050101900003")]],
    )
    assert isinstance(person, Person)
    assert [phone.number for phone in person.phones.all()] == ["+6281244556677"]
    assert person.identifiers.get().value == "7271050101900003"
    assert person.history.get().history_user == olive
    actions = set(AuditEvent.objects.filter(object_id=str(person.pk)).values_list("action", flat=True))
    assert actions == {"person.registered", "person.identifier_added"}
    [event] = ChangeEvent.objects.filter(person_id=person.pk)
    assert event.op == "created" and event.snapshot["identifiers"] == [{"kind": "KK", "value": "7271050101900003"}]
    assert verify_chain().intact


def test_a_refused_identifier_refuses_its_person_only(olive):
    results = services.register_persons(
        actor=olive,
        people=[PersonData(full_name="Siti Aminah"), PersonData(full_name="Rahmat Hidayat")],
        identifiers=[[(IdentifierKind.KK, "123")], []],
    )
    assert isinstance(results[0], services.InvalidData) and "value" in results[0].errors
    assert isinstance(results[1], Person)
    assert list(Person.objects.values_list("full_name", flat=True)) == ["Rahmat Hidayat"]


def test_it_refuses_an_unknown_region_code_and_registers_the_others(olive):
    results = services.register_persons(
        actor=olive,
        people=[
            PersonData(full_name="Ani", region_code="72.71.05.1001"),
            PersonData(full_name="Budi", region_code="99.99.99.9999"),
            PersonData(full_name="Citra", region_code=""),
        ],
    )
    assert isinstance(results[0], Person) and results[0].region_id == "72.71.05.1001"
    assert isinstance(results[1], services.InvalidData) and "99.99.99.9999" in results[1].errors["region_code"][0]
    assert isinstance(results[2], Person) and results[2].region_id is None
