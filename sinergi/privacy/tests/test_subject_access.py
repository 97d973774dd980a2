"""The data-subject access export: every record the agency holds about a demo person, nothing about anyone else,
and only for the head or the administrator of the agency that registered the person."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client

from sinergi.accounts.models import User
from sinergi.accounts.tokens import create_token
from sinergi.audit.models import AuditEvent
from sinergi.privacy.subject_access import NOT_EXPORTED, SECTIONS, collect
from sinergi.registry.models import Person

# A record "about the person" is one that points at the person, or at one of these records of the person.
PARENTS = {
    "registry.Person": "",
    "cases.Case": "person",
    "referrals.Referral": "case__person",
    "benefits.Benefit": "person",
    "programmes.Enrolment": "person",
    "programmes.Business": "enrolment__person",
}


def _pointing_fields() -> list[tuple[type[models.Model], models.ForeignKey[Any, Any], str]]:
    """(model, foreign key, parent label) for every non-historical model pointing at a person or a parent."""
    found = []
    for model in apps.get_models():
        if model._meta.label.split(".")[1].startswith("Historical"):
            continue
        for field in model._meta.concrete_fields:
            target = field.related_model._meta.label if field.is_relation and field.related_model else ""
            if target in PARENTS and isinstance(field, models.ForeignKey):  # OneToOneField is one too
                found.append((model, field, target))
    return found


def test_every_model_pointing_at_a_person_is_exported_or_left_out_with_a_reason() -> None:
    exported = {section.model for section in SECTIONS}
    missing = []
    for model, field, _target in _pointing_fields():
        label = model._meta.label
        if label in exported or label in NOT_EXPORTED or f"{label}.{field.name}" in NOT_EXPORTED:
            continue
        missing.append(f"{label}.{field.name}")
    assert not missing, "add each to privacy/subject_access.py SECTIONS or NOT_EXPORTED: " + ", ".join(missing)


@pytest.fixture
def demo(db: Any) -> None:
    call_command("demo", persons=40, seed=7, stdout=io.StringIO())


def _richest_bp3mi_person() -> Person:
    """The demo person of BP3MI with the most kinds of record (cases, referrals, assessments, assistance …)."""
    persons = Person.objects.filter(registered_by_agency__code="bp3mi-sulteng", merged_into__isnull=True)
    return max(persons, key=lambda person: sum(1 for rows in collect(person).values() if rows))


def _export(client: Client, username: str, person: Person, file_format: str = "json") -> Any:
    client.force_login(User.objects.get(username=username))
    return client.get(f"/data-pribadi/orang/{person.pk}/ekspor.{file_format}")


def test_it_exports_every_record_about_a_demo_person_and_nothing_about_anyone_else(client: Client, demo: None):
    person = _richest_bp3mi_person()
    response = _export(client, "bp3mi.kepala", person)
    assert response.status_code == 200
    export = json.loads(response.content)

    # Every record pointing at the person or at one of their records is in the export, found here by walking the
    # models (not by the export's own list of sections).
    by_model = {section.model: section.key for section in SECTIONS}
    kinds_with_rows = 0
    for model, field, target in _pointing_fields():
        label = model._meta.label
        if label not in by_model or f"{label}.{field.name}" in NOT_EXPORTED:
            continue
        lookup = field.name if target == "registry.Person" else f"{field.name}__{PARENTS[target]}"
        expected = set(model._default_manager.filter(**{lookup: person}).values_list("pk", flat=True))
        exported = {row["id"] for row in export[by_model[label]]}
        assert expected <= exported, (label, field.name)
        kinds_with_rows += bool(expected)
    for key in ("person", "cases", "referrals", "consents", "referral_events", "case_assessments"):
        assert export[key], key
    assert kinds_with_rows >= 8
    assert export["person"][0]["nik"] == person.nik
    assert any(
        entry["action"] == "person.viewed" or entry["action"].startswith("person.") for entry in export["access_log"]
    )

    # Nothing about anyone else: no other person's NIK or name, no staff name or username.
    text = response.content.decode()
    for other in Person.objects.exclude(pk=person.pk):
        if other.nik:
            assert other.nik not in text, other.pk
        if other.full_name != person.full_name and len(other.full_name) > 6:
            assert other.full_name not in text, other.full_name
    for user in User.objects.all():
        assert f'"{user.username}"' not in text
        assert user.display_name not in text or user.display_name in person.full_name

    # The export itself is audited.
    event = AuditEvent.objects.filter(action="person.subject_access_exported", object_id=str(person.pk)).get()
    assert event.detail["format"] == "json"


def test_it_gives_the_same_export_as_a_pdf(client: Client, demo: None) -> None:
    person = _richest_bp3mi_person()
    response = _export(client, "bp3mi.kepala", person, "pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("bp3mi.kepala", 200),  # head of the registering agency
        ("bp3mi.petugas", 404),  # same agency, a case worker
        ("bp3mi.auditor", 404),  # same agency, read-only
        ("sentra.kepala", 404),  # head of the agency the person was referred to
        ("sentra.peksos", 404),  # the referral's receiving worker
    ],
)
def test_only_the_registering_agencys_head_may_export(client: Client, demo: None, username: str, status: int):
    person = _richest_bp3mi_person()
    assert _export(client, username, person).status_code == status
    assert client.get(f"/data-pribadi/orang/{person.pk}/").status_code == status


def test_a_partner_system_gets_the_same_export_through_the_api(client: Client, demo: None) -> None:
    person = _richest_bp3mi_person()
    for username, status in (("bp3mi.kepala", 200), ("bp3mi.petugas", 404), ("sentra.kepala", 404)):
        _, secret = create_token(
            actor=None, user=User.objects.get(username=username), name="sar", scopes=["persons:read"]
        )
        response = client.get(
            f"/api/v1/privacy/persons/{person.pk}/subject-access", headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == status, username
        if status == 200:
            body = response.json()
            assert body["person"][0]["id"] == person.pk
            assert body["cases"]
