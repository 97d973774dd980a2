"""The section table places every field of a person, a case and their sub-records in exactly one section."""

from __future__ import annotations

from django.apps import apps

from sinergi.changes.feed import person_snapshot
from sinergi.sharing.sections import (
    FIELD_SECTIONS,
    IDENTITY,
    OWNER_ONLY,
    RECORD_KEYS,
    SHAREABLE_SECTIONS,
    SNAPSHOT_SECTIONS,
)

KNOWN = SHAREABLE_SECTIONS | {OWNER_ONLY, RECORD_KEYS}


def _own_fields(label: str) -> set[str]:
    model = apps.get_model(label)
    return {f.name for f in model._meta.get_fields() if f.concrete or (f.many_to_many and not f.auto_created)}


def test_it_places_every_field_of_the_person_and_case_models():
    for label, table in FIELD_SECTIONS.items():
        fields = _own_fields(label)
        assert set(table) == fields, f"{label}: unplaced {fields - set(table)}, stale {set(table) - fields}"
        assert set(table.values()) <= KNOWN, label


def test_it_covers_every_model_that_hangs_off_a_person_or_a_case():
    person, case = apps.get_model("registry.person"), apps.get_model("cases.case")
    hanging = {
        f.related_model._meta.label_lower
        for model in (person, case)
        for f in model._meta.get_fields()
        if f.one_to_many
        and f.auto_created
        and f.related_model._meta.app_label in ("registry", "cases")
        and not f.related_model.__name__.startswith("Historical")
    }
    assert hanging <= set(FIELD_SECTIONS), hanging - set(FIELD_SECTIONS)


def test_it_places_every_key_of_the_change_feed_snapshot(alice):
    from sinergi.testing.factories import make_person

    snapshot = person_snapshot(make_person(alice))
    assert set(snapshot) == set(SNAPSHOT_SECTIONS)


def test_it_keeps_other_identifiers_out_of_the_identity_section():
    assert FIELD_SECTIONS["registry.personidentifier"]["value"] == OWNER_ONLY
    assert SNAPSHOT_SECTIONS["identifiers"] == OWNER_ONLY
    identity = {name for name, section in FIELD_SECTIONS["registry.person"].items() if section == IDENTITY}
    assert {"full_name", "sex", "birth_date", "nik"} <= identity
