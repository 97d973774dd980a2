"""The demo's finished import: links by NIK, creates the new persons, refuses the Excel-damaged NIK, once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from sinergi.imports.demo import DEMO_FILE, LINKED, NEW_PERSONS
from sinergi.imports.models import BatchStatus, ImportBatch, ImportRow, RowAction
from sinergi.registry.models import Person

pytestmark = pytest.mark.django_db


def test_the_full_demo_has_one_finished_import_with_each_kind_of_row(regions: None) -> None:
    call_command("demo", persons=100, seed=3, stdout=io.StringIO())
    batch = ImportBatch.objects.get()
    assert (batch.file_name, batch.status) == (DEMO_FILE, BatchStatus.DONE)
    assert {action: count for action, count in batch.counts.items() if count} == {
        "CREATE": len(NEW_PERSONS),
        "LINK": LINKED,
        "ERROR": 1,
    }
    error = ImportRow.objects.get(batch=batch, action=RowAction.ERROR)
    assert error.errors[0]["field"] == "nik" and "7.27105E+15" in str(error.values)
    created = Person.objects.get(full_name="Wahyuni Lamarauna")
    assert list(created.episodes.values_list("destination_country", flat=True)) == ["MY"]
    assert not Person.objects.filter(full_name="Nurlela Tombolotutu").exists()

    persons = Person.objects.count()
    call_command("demo", persons=100, seed=3, stdout=io.StringIO())
    assert ImportBatch.objects.count() == 1 and Person.objects.count() == persons
