"""Erasure where the law allows: the dry run names what must be kept and why; granting anonymises the person
(nothing of the identity left in the person's tables, history included), keeps the statistics' facts, every
foreign key and an intact audit chain; a refusal needs its reason."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.test import Client

from sinergi.accounts.models import User
from sinergi.accounts.tokens import create_token
from sinergi.cases import services as case_services
from sinergi.cases.models import Case, CaseNote
from sinergi.privacy import services
from sinergi.privacy.erasure import ERASED_TEXT, plan_erasure
from sinergi.privacy.tests.conftest import SITI_NIK, receive
from sinergi.registry import services as registry_services
from sinergi.registry.models import MigrationEpisode, Person
from sinergi.registry.selectors import SearchQuery, search_persons
from sinergi.registry.services import InvalidData
from sinergi.testing.referral_fixtures import open_case_for, person_for

IDENTITY = ("Siti", "Aminah", "Lamadi", SITI_NIK, "Trans Sulawesi", "81244556601", "Palu", "Hasan", "Tan Mei")


def _identity_left(person: Person) -> list[str]:
    """Every value naming Siti in a registry table (history included) that points at her record."""
    found = []
    for model in apps.get_app_config("registry").get_models():
        if model.__name__.endswith("Person") and not model.__name__.startswith("Historical"):
            rows = model._default_manager.filter(pk=person.pk)
        elif "person" in {f.name for f in model._meta.fields}:
            rows = model._default_manager.filter(person_id=person.pk)
        elif model.__name__ == "HistoricalPerson":
            rows = model._default_manager.filter(id=person.pk)
        else:
            continue
        texts = [f.attname for f in model._meta.concrete_fields if isinstance(f, models.CharField | models.TextField)]
        for row in rows.values(*texts):
            found += [f"{model.__name__}.{k}={v}" for k, v in row.items() if any(s in str(v) for s in IDENTITY)]
    return found


@pytest.fixture
def siti_with_everything(alice: User, siti: Person) -> Person:
    registry_services.add_identifier(actor=alice, person_id=siti.pk, kind="PASPOR", value="C1234567")
    registry_services.add_family_link(actor=alice, person_id=siti.pk, relationship="PASANGAN", name="Hasan Lamadi")
    registry_services.add_migration_episode(
        actor=alice,
        person_id=siti.pk,
        data=registry_services.EpisodeData(destination_country="HK", employer="Tan Mei Ling", job="PRT"),
    )
    return siti


def test_it_keeps_what_the_law_requires_and_the_refusal_quotes_why(
    alice: User, sari: User, siti: Person, sop: Any
) -> None:
    case = open_case_for(alice, person=siti, categories=("tppo",), flag_trafficking=True)
    plan = plan_erasure(siti)
    assert not plan.allowed
    assert [item.what for item in plan.kept] == ["Berkas kasus TPPO", "Kasus yang masih ditangani"]
    assert "UU 21/2007 Pasal 44" in plan.refusal_text()
    request = receive(alice, siti, "PENGHAPUSAN")
    with pytest.raises(InvalidData) as refused:
        services.answer_request(actor=sari, request_id=request.pk, outcome="DIKABULKAN")
    assert "Berkas kasus TPPO" in refused.value.errors["outcome"][0]
    siti.refresh_from_db()
    assert siti.full_name == "Siti Aminah" and Case.objects.get(pk=case.pk).person_id == siti.pk
    with pytest.raises(InvalidData):
        services.answer_request(actor=sari, request_id=request.pk, outcome="DITOLAK", reason="")
    answered = services.answer_request(actor=sari, request_id=request.pk, outcome="DITOLAK", reason=plan.refusal_text())
    assert answered.outcome == "DITOLAK"


def test_it_anonymises_the_person_keeping_statistics_foreign_keys_and_the_audit_chain(
    client: Client, alice: User, sari: User, siti_with_everything: Person, sop: Any
) -> None:
    siti = siti_with_everything
    case = open_case_for(alice, person=siti, narrative="Siti Aminah dipukul majikan di Hong Kong.")
    note = case_services.add_note(actor=alice, case_id=case.pk, text="Siti menelepon dari 0812-4455-6601.")
    case_services.change_case_status(
        actor=alice,
        case_id=case.pk,
        to_status="DITUTUP",
        closure_reason="TIDAK_DAPAT_DIHUBUNGI",
        reason="Tidak dapat dihubungi 60 hari.",
    )
    # A second record of her that matching merged into this one carries her name too.
    absorbed = person_for(alice, full_name="Siti Aminah Lamadi", phones=["0812-4455-6601"])
    Person.objects.filter(pk=absorbed.pk).update(merged_into=siti)
    assert _identity_left(siti) and _identity_left(absorbed)  # the check finds her before
    _, secret = create_token(actor=None, user=sari, name="e", scopes=["persons:read"])
    dry_run = client.get(
        f"/api/v1/privacy/persons/{siti.pk}/erasure-plan", headers={"Authorization": f"Bearer {secret}"}
    )
    assert dry_run.status_code == 200 and dry_run.json()["allowed"] is True
    assert _identity_left(siti), "the dry run writes nothing"

    request = receive(alice, siti, "PENGHAPUSAN")
    answered = services.answer_request(actor=sari, request_id=request.pk, outcome="DIKABULKAN", answer="Dihapus.")
    assert answered.change["anonymised"]

    siti.refresh_from_db()
    assert siti.full_name == f"Dihapus #{siti.pk}" and siti.nik == "" and siti.address_text == ""
    # What statistics need stays: region, sex, birth year, destination country.
    assert (siti.region_id, siti.sex, siti.birth_date) == ("72.71.05.1001", "P", date(1990, 1, 1))
    assert MigrationEpisode.objects.get(person=siti).destination_country == "HK"
    assert _identity_left(siti) == [] and _identity_left(absorbed) == []
    # Foreign keys hold: the case and its note still point at her record, their free text is gone.
    case.refresh_from_db()
    assert case.person_id == siti.pk and case.narrative == ERASED_TEXT
    assert CaseNote.objects.get(pk=note.pk).text == ERASED_TEXT
    assert not case.history.filter(narrative__contains="Siti").exists()
    assert search_persons(alice, SearchQuery(text="Siti Aminah")) == []
    assert search_persons(alice, SearchQuery(nik=SITI_NIK)) == []
    call_command("audit", "verify", stdout=io.StringIO())  # raises CommandError on a broken link
