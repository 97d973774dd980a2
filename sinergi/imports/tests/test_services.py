"""An import through the services: upload, columns, check, preview, confirm, apply, cancel; idempotent re-import."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation

from sinergi.audit.models import AuditEvent
from sinergi.imports import services
from sinergi.imports.models import BatchStatus, ImportRow, RowAction
from sinergi.imports.tests.conftest import SAMPLE, apply, check, csv_bytes, person_row, start
from sinergi.registry.models import MigrationEpisode, Person
from sinergi.sources.models import DataSource, SourceRecord

S = BatchStatus


def test_it_imports_the_sample_export_end_to_end(olive, tasks, upload_dir):
    batch = start(olive, SAMPLE.read_bytes(), name="ekspor-sisko-p2mi.csv")
    assert batch.status == S.MAPPING
    assert batch.columns[:3] == ["No", "Nama Lengkap", "NIK"] and len(batch.samples) == 3
    assert batch.column_mapping == {  # "No" is a row counter, not the source's id: the row number is used
        "full_name": "Nama Lengkap",
        "nik": "NIK",
        "birth_place": "Tempat Lahir",
        "birth_date": "Tgl Lahir",
        "sex": "JK",
        "phone": "No HP",
        "address": "Alamat",
        "region_code": "Kode Wilayah",
        "destination_country": "Negara Penempatan",
    }
    stored = Path(batch.stored_path)
    assert stored.parent == upload_dir and stored.is_file()

    batch = check(tasks, olive, batch)
    assert batch.status == S.PREVIEW, batch.error
    assert batch.counts == {"CREATE": 8, "LINK": 0, "UPDATE": 0, "UNCHANGED": 0, "ERROR": 0}
    assert Person.objects.count() == 0  # the preview changes nothing

    batch = apply(tasks, olive, batch)
    assert batch.status == S.DONE and batch.rows_done == batch.total_rows == 8
    assert batch.counts["CREATE"] == 8 and batch.applied_by == olive
    assert not stored.exists() and batch.stored_path == ""
    assert Person.objects.filter(registered_by_agency=olive.agency).count() == 8
    for each in SourceRecord.objects.all():  # provenance on every record
        assert each.source.name == "Ekspor Sisko P2MI" and each.file_name == "ekspor-sisko-p2mi.csv"
        assert each.import_batch_id == batch.pk and each.row_number == int(each.external_id)
        assert each.imported_at >= batch.created_at
    record = SourceRecord.objects.get(external_id="4")
    assert (record.file_name, record.row_number, record.import_batch_id) == ("ekspor-sisko-p2mi.csv", 4, batch.pk)
    assert record.person.full_name == "Nurhayati" and record.values["birth_date"] == "1995-07-21"
    # "Negara Penempatan" becomes a stay abroad: Hong Kong, written as the file writes it, is HK.
    assert list(record.person.episodes.values_list("destination_country", flat=True)) == ["HK"]
    assert sorted(MigrationEpisode.objects.values_list("destination_country", flat=True)) == sorted(
        ["MY", "SA", "HK", "TW", "MY", "SG", "JP", "SA"]
    )
    assert not tasks.log.failed
    actions = set(AuditEvent.objects.filter(object_id=str(batch.pk)).values_list("action", flat=True))
    assert {"import.uploaded", "import.mapped", "import.analysed", "import.confirmed", "import.applied"} <= actions


def test_a_reimport_of_the_same_file_is_all_unchanged(olive, tasks):
    content = csv_bytes([person_row(n) for n in range(1, 6)])
    apply(tasks, olive, check(tasks, olive, start(olive, content)))
    persons = Person.objects.count()
    second = check(tasks, olive, start(olive, content, name="again.csv"))
    assert second.counts == {"CREATE": 0, "LINK": 0, "UPDATE": 0, "UNCHANGED": 5, "ERROR": 0}
    second = apply(tasks, olive, second)
    assert second.status == S.DONE and Person.objects.count() == persons
    assert not SourceRecord.objects.filter(file_name="again.csv").exists()  # unchanged rows keep their provenance


def test_a_file_with_one_edited_row_is_one_update(olive, tasks):
    rows = [person_row(n) for n in range(1, 6)]
    apply(tasks, olive, check(tasks, olive, start(olive, csv_bytes(rows))))
    rows[2] = person_row(3, Alamat="Jl. Baru No. 99")
    batch = check(tasks, olive, start(olive, csv_bytes(rows), name="edited.csv"))
    assert batch.counts == {"CREATE": 0, "LINK": 0, "UPDATE": 1, "UNCHANGED": 4, "ERROR": 0}
    update = ImportRow.objects.get(batch=batch, action=RowAction.UPDATE)
    assert update.row_number == 4 and update.changes == {"address": ["Jl. Contoh No. 3", "Jl. Baru No. 99"]}
    apply(tasks, olive, batch)
    assert Person.objects.get(pk=update.person_id).address_text == "Jl. Baru No. 99"
    assert SourceRecord.objects.get(external_id="4").file_name == "edited.csv"  # row 4 of both files


def test_a_country_is_added_once_and_a_wrong_one_is_named(olive, tasks):
    header = ["Id", "Nama Lengkap", "Negara Penempatan"]
    apply(
        tasks, olive, check(tasks, olive, start(olive, csv_bytes([["A1", "Siti Aminah", "Malaysia"]], header=header)))
    )
    person = Person.objects.get()
    assert list(person.episodes.values_list("destination_country", flat=True)) == ["MY"]

    # The next export names the same country in English and a new one by its code: one stay more, not two.
    rows = [["A1", "Siti Aminah", "SG"], ["A2", "Rahmat Hidayat", "Eropa"]]
    with translation.override("id"):
        batch = check(tasks, olive, start(olive, csv_bytes(rows, header=header), name="next.csv"))
    assert batch.counts == {"CREATE": 0, "LINK": 0, "UPDATE": 1, "UNCHANGED": 0, "ERROR": 1}
    error = ImportRow.objects.get(batch=batch, action=RowAction.ERROR)
    assert error.errors[0]["column"] == "Negara Penempatan"
    assert "'Eropa' bukan negara penempatan" in error.errors[0]["message"]
    apply(tasks, olive, batch)
    assert sorted(person.episodes.values_list("destination_country", flat=True)) == ["MY", "SG"]
    again = check(tasks, olive, start(olive, csv_bytes([["A1", "Siti Aminah", "Singapore"]], header=header)))
    apply(tasks, olive, again)
    assert person.episodes.count() == 2


def test_the_saved_mapping_is_used_for_the_next_file_of_the_source(olive, tasks):
    content = csv_bytes([["1", "Siti Aminah"]], header=["Kode", "Nama Pekerja Migran"])
    batch = start(olive, content)
    assert "full_name" not in batch.column_mapping  # no guess for this name
    with tasks():
        services.choose_mapping(
            actor=olive, batch_id=batch.pk, mapping={"id": "Kode", "full_name": "Nama Pekerja Migran"}, remember=True
        )
    assert DataSource.objects.get().column_mapping == {"id": "Kode", "full_name": "Nama Pekerja Migran"}
    assert start(olive, content).column_mapping == {"id": "Kode", "full_name": "Nama Pekerja Migran"}


def test_a_mapping_without_a_name_or_with_a_missing_column_is_refused(olive):
    batch = start(olive, csv_bytes([person_row(1)]))
    with translation.override("en"), pytest.raises(services.InvalidMapping) as refused:
        services.choose_mapping(actor=olive, batch_id=batch.pk, mapping={"nik": "NIK", "phone": "Telepon"})
    text = " ".join(refused.value.problems)
    assert "Telepon" in text and "name" in text
    batch.refresh_from_db()
    assert batch.status == S.MAPPING


def test_the_columns_can_be_changed_after_the_preview(olive, tasks):
    batch = check(tasks, olive, start(olive, csv_bytes([person_row(1), person_row(2)])))
    assert batch.status == S.PREVIEW and ImportRow.objects.filter(batch=batch).count() == 2
    mapping = {key: value for key, value in batch.column_mapping.items() if key != "nik"}
    batch = check(tasks, olive, batch, mapping)
    assert batch.status == S.PREVIEW and ImportRow.objects.filter(batch=batch).count() == 2
    assert all("nik" not in row.values for row in ImportRow.objects.filter(batch=batch))


def test_confirming_twice_starts_one_run(olive, sari, tasks):
    batch = check(tasks, olive, start(olive, csv_bytes([person_row(1)])))
    with tasks():
        assert services.confirm_import(actor=olive, batch_id=batch.pk) is True
        assert services.confirm_import(actor=sari, batch_id=batch.pk) is False  # a second operator, same moment
        assert services.confirm_import(actor=olive, batch_id=batch.pk) is False  # a double click
    assert tasks.log.finished.count("apply_import_task") == 1
    batch.refresh_from_db()
    assert batch.status == S.DONE and batch.applied_by == olive and Person.objects.count() == 1
    assert AuditEvent.objects.filter(action="import.confirmed").count() == 1


def test_cancelling_drops_the_file_and_the_preview(olive, tasks):
    batch = check(tasks, olive, start(olive, csv_bytes([person_row(1)])))
    stored = Path(batch.stored_path)
    with tasks():
        services.cancel_import(actor=olive, batch_id=batch.pk)
    batch.refresh_from_db()
    assert batch.status == S.CANCELLED and not stored.exists() and not ImportRow.objects.filter(batch=batch).exists()
    with pytest.raises(services.ImportRefused):
        services.choose_mapping(actor=olive, batch_id=batch.pk, mapping=batch.column_mapping)
    assert services.confirm_import(actor=olive, batch_id=batch.pk) is False


def test_a_done_import_cannot_be_cancelled(olive, tasks):
    batch = apply(tasks, olive, check(tasks, olive, start(olive, csv_bytes([person_row(1)]))))
    with pytest.raises(services.ImportRefused):
        services.cancel_import(actor=olive, batch_id=batch.pk)


def test_an_existing_source_can_be_chosen_by_id(olive, oscar):
    source = DataSource.objects.create(agency=olive.agency, name="Ekspor SIKS-NG")
    from sinergi.imports.tests.conftest import upload_file

    batch = services.start_import(
        actor=olive, upload=upload_file("a.csv", csv_bytes([person_row(1)])), source_id=source.pk
    )
    assert batch.source == source
    with pytest.raises(Http404):
        services.start_import(actor=oscar, upload=upload_file("a.csv", csv_bytes([person_row(1)])), source_id=source.pk)


@pytest.mark.parametrize("persona", ["alice", "bob", "carol"])
def test_only_data_officers_may_start_an_import(persona, request):
    with pytest.raises(PermissionDenied):
        start(request.getfixturevalue(persona), csv_bytes([person_row(1)]))


def test_another_agency_cannot_touch_the_batch(olive, oscar, alice, tasks):
    batch = check(tasks, olive, start(olive, csv_bytes([person_row(1)])))
    for step in (services.confirm_import, services.cancel_import, services.resume_import):
        with pytest.raises(Http404):
            step(actor=oscar, batch_id=batch.pk)
        with pytest.raises(PermissionDenied):
            step(actor=alice, batch_id=batch.pk)
    with pytest.raises(Http404):
        services.choose_mapping(actor=oscar, batch_id=batch.pk, mapping=batch.column_mapping)
    batch.refresh_from_db()
    assert batch.status == S.PREVIEW
