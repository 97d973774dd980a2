"""The golden record: every source's value with provenance, conflicts until verified, re-opened by news."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.audit.models import AuditEvent
from sinergi.matching import services
from sinergi.matching.golden import REGISTRY_LABEL, GoldenField
from sinergi.matching.models import FieldVerification
from sinergi.matching.selectors import get_golden_record_for_user
from sinergi.registry.models import Person
from sinergi.sources.models import DataSource, SourceRecord

pytestmark = pytest.mark.django_db


def _record(person: Person, external_id: str, source: str = "Ekspor Sisko P2MI", **values: str) -> SourceRecord:
    data_source, _ = DataSource.objects.get_or_create(agency=person.registered_by_agency, name=source)
    return SourceRecord.objects.create(
        source=data_source, external_id=external_id, person=person, values=values, content_hash="0" * 64,
        file_name="sisko-2026-11.xlsx", row_number=12,
    )  # fmt: skip


def _fields(user: User, person: Person) -> dict[str, GoldenField]:
    return {field.field: field for field in get_golden_record_for_user(user, person.pk).fields}


def test_it_shows_every_sources_value_with_provenance(olive: User, siti: Person) -> None:
    _record(siti, "P-77", full_name="SITI AMINAH", birth_place="Palu", nik=siti.nik)
    fields = _fields(olive, siti)
    name = fields["full_name"]
    assert name.current == ("Siti Aminah",)
    assert [(e.label, e.value, e.kind) for e in name.entries] == [
        (REGISTRY_LABEL, "Siti Aminah", "registry"),
        ("Ekspor Sisko P2MI", "SITI AMINAH", "source"),
    ]
    source_entry = name.entries[1]
    assert (source_entry.file_name, source_entry.row_number, source_entry.external_id) == (
        "sisko-2026-11.xlsx",
        12,
        "P-77",
    )
    assert not name.conflict  # the same name in capitals is the same value
    assert fields["birth_place"].conflict  # the record has none, a source says Palu
    assert not fields["nik"].conflict


def test_it_flags_disagreeing_sources_until_verified(olive: User, siti: Person) -> None:
    _record(siti, "P-1", birth_date="1990-12-10")
    assert _fields(olive, siti)["birth_date"].conflict
    verification = services.verify_field(actor=olive, person_id=siti.pk, field="birth_date", value="1990-10-12")
    assert verification.chosen_source == REGISTRY_LABEL
    assert set(verification.seen_values) == {"1990-10-12", "1990-12-10"}
    field = _fields(olive, siti)["birth_date"]
    assert not field.conflict and field.verification == verification
    assert AuditEvent.objects.filter(action="matching.field_verified").count() == 1


def test_choosing_a_sources_value_sets_it_on_the_person(olive: User, siti: Person) -> None:
    _record(siti, "P-1", full_name="Siti Aminah Lamadi")
    version = siti.version
    services.verify_field(actor=olive, person_id=siti.pk, field="full_name", value="Siti Aminah Lamadi")
    siti.refresh_from_db()
    assert siti.full_name == "Siti Aminah Lamadi"
    assert siti.version == version + 1
    assert "Siti Aminah" in siti.aliases.values_list("name", flat=True)  # the replaced name stays searchable
    assert not _fields(olive, siti)["full_name"].conflict


def test_a_new_differing_value_reopens_the_conflict(olive: User, siti: Person) -> None:
    _record(siti, "P-1", birth_place="Palu")
    services.verify_field(actor=olive, person_id=siti.pk, field="birth_place", value="Palu")
    siti.refresh_from_db()
    assert siti.birth_place == "Palu"
    assert not _fields(olive, siti)["birth_place"].conflict
    _record(siti, "Q-9", source="SIKS-NG", birth_place="Poso")
    assert _fields(olive, siti)["birth_place"].conflict


def test_a_phone_the_record_lacks_is_added_when_verified(olive: User, siti: Person) -> None:
    _record(siti, "P-1", phone="+6285298765432")
    assert _fields(olive, siti)["phone"].conflict
    services.verify_field(actor=olive, person_id=siti.pk, field="phone", value="+6285298765432")
    assert siti.phones.filter(number="+6285298765432").exists()
    assert not _fields(olive, siti)["phone"].conflict


def test_a_merged_persons_own_values_are_a_source(olive: User, siti: Person, sitti: Person) -> None:
    services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=sitti.pk)
    fields = _fields(olive, siti)
    labels = {entry.label for entry in fields["full_name"].entries}
    assert f"Merged record: Sitti Aminah (#{sitti.pk})" in labels
    assert fields["full_name"].conflict  # "Sitti Aminah" differs from "Siti Aminah" until verified
    assert not fields["birth_place"].conflict  # the survivor took it: both say Palu
    services.verify_field(actor=olive, person_id=siti.pk, field="full_name", value="Siti Aminah")
    assert not _fields(olive, siti)["full_name"].conflict


def test_it_refuses_a_value_no_source_holds(olive: User, siti: Person) -> None:
    with pytest.raises(services.MatchingError, match="values the sources hold"):
        services.verify_field(actor=olive, person_id=siti.pk, field="birth_place", value="Jakarta")
    assert not FieldVerification.objects.exists()


def test_it_refuses_an_invalid_value_saying_what_to_fix(olive: User, siti: Person) -> None:
    _record(siti, "P-1", birth_date="2090-01-01")
    with pytest.raises(services.MatchingError, match="Correct it in the source"):
        services.verify_field(actor=olive, person_id=siti.pk, field="birth_date", value="2090-01-01")
    siti.refresh_from_db()
    assert siti.birth_date == date(1990, 10, 12)


def test_visibility(alice: User, bob: User, oscar: User, dave: User, siti: Person) -> None:
    assert get_golden_record_for_user(alice, siti.pk).can_verify is False
    assert get_golden_record_for_user(bob, siti.pk).can_verify is False
    for outsider in (oscar, dave):
        with pytest.raises(Http404):
            get_golden_record_for_user(outsider, siti.pk)
    with pytest.raises(PermissionDenied):
        services.verify_field(actor=alice, person_id=siti.pk, field="full_name", value="Siti Aminah")
    with pytest.raises(Http404):
        services.verify_field(actor=oscar, person_id=siti.pk, field="full_name", value="Siti Aminah")
