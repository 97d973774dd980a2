"""The import pages with the test client: upload -> columns -> preview -> confirm -> progress -> result, and
who may see what (olive imports; alice and bob may not; oscar, another agency's data officer, gets 404)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sinergi.imports import services
from sinergi.imports.models import BatchStatus, ImportBatch
from sinergi.imports.tests.conftest import SAMPLE, check, csv_bytes, person_row, start
from sinergi.registry.models import Person
from sinergi.sources.models import DataSource, SourceRecord

S = BatchStatus


def selected(html: str, column_index: int) -> str:
    """The value chosen in the select of one column of the mapping form."""
    select = re.search(rf'<select name="column_{column_index}".*?</select>', html, re.S)
    assert select, html
    option = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return option.group(1) if option else ""


def test_the_whole_journey_in_the_pages(client, olive, tasks):
    client.force_login(olive)
    response = client.get(reverse("imports:list"))
    assert response.status_code == 200 and 'id="imports"' in response.text
    assert f'href="{reverse("imports:list")}"' in client.get(reverse("registry:search")).text  # the menu item

    upload = SimpleUploadedFile("ekspor-sisko-p2mi.csv", SAMPLE.read_bytes())
    response = client.post(reverse("imports:new"), {"file": upload, "new_source": "Ekspor Sisko P2MI"})
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("imports:mapping", args=[batch.pk])

    page = client.get(response.url).text
    assert selected(page, 0) == "" and selected(page, 1) == "full_name" and selected(page, 2) == "nik"
    assert selected(page, 4) == "birth_date" and selected(page, 9) == "destination_country"
    assert "Siti Aminah" in page  # example values help choosing

    form = {f"column_{i}": selected(page, i) for i in range(10)} | {"remember": "on"}
    with tasks():
        response = client.post(reverse("imports:mapping", args=[batch.pk]), form)
    assert response.status_code == 302 and response.url == reverse("imports:detail", args=[batch.pk])
    assert DataSource.objects.get().column_mapping["full_name"] == "Nama Lengkap"

    page = client.get(response.url).text
    assert 'data-action="CREATE">8<' in page and reverse("imports:confirm", args=[batch.pk]) in page
    assert Person.objects.count() == 0

    with tasks():
        response = client.post(reverse("imports:confirm", args=[batch.pk]))
    assert response.status_code == 302
    page = client.get(reverse("imports:detail", args=[batch.pk])).text
    batch.refresh_from_db()
    assert batch.status == S.DONE
    assert 'data-action="CREATE">8<' in page and "/pencocokan/" in page
    assert SourceRecord.objects.count() == 8
    # The list shows who and when.
    listing = client.get(reverse("imports:list")).text
    assert "ekspor-sisko-p2mi.csv" in listing and olive.display_name in listing


def test_the_mapping_form_refuses_a_field_chosen_twice(client, olive):
    batch = start(olive, csv_bytes([person_row(1)]))
    client.force_login(olive)
    form = {"column_1": "full_name", "column_2": "full_name"}
    response = client.post(reverse("imports:mapping", args=[batch.pk]), form)
    assert response.status_code == 200 and "Nama Lengkap" in response.text
    batch.refresh_from_db()
    assert batch.status == S.MAPPING


def test_the_mapping_form_refuses_a_mapping_without_a_name(client, olive):
    batch = start(olive, csv_bytes([person_row(1)]))
    client.force_login(olive)
    response = client.post(reverse("imports:mapping", args=[batch.pk]), {"column_2": "nik"})
    assert response.status_code == 200 and 'class="message error"' in response.text
    batch.refresh_from_db()
    assert batch.status == S.MAPPING


def test_the_upload_form_says_what_is_wrong(client, olive):
    client.force_login(olive)
    response = client.post(
        reverse("imports:new"),
        {"file": SimpleUploadedFile("foto.jpg", b"\xff\xd8\xff\xe0"), "new_source": "Sisko"},
    )
    assert response.status_code == 200 and "CSV" in response.text
    response = client.post(reverse("imports:new"), {"file": SimpleUploadedFile("a.csv", b"No,Nama\n1,Siti\n")})
    assert response.status_code == 200 and "Ekspor Sisko P2MI" in response.text  # name a source
    assert not ImportBatch.objects.exists()


def test_a_refused_file_shows_why(client, olive):
    client.force_login(olive)
    upload = SimpleUploadedFile("dup.csv", csv_bytes([["1", "a", "b"]], header=["No", "Nama", "Nama"]))
    response = client.post(reverse("imports:new"), {"file": upload, "new_source": "Sisko"}, follow=True)
    assert 'id="batch-error"' in response.text and "Nama" in response.text


def test_progress_polls_every_second_and_reloads_when_done(client, olive, tasks):
    batch = check(tasks, olive, start(olive, csv_bytes([person_row(n) for n in range(1, 5)])))
    ImportBatch.objects.filter(pk=batch.pk).update(status=S.APPLYING, rows_done=2, applied_by=olive)
    from django.utils import timezone

    ImportBatch.objects.filter(pk=batch.pk).update(heartbeat_at=timezone.now())
    client.force_login(olive)
    page = client.get(reverse("imports:detail", args=[batch.pk])).text
    assert '<progress value="2" max="4"' in page
    assert 'hx-trigger="every 1s"' in page and "?seen=APPLYING" in page
    assert "<script" not in page.split("<main", 1)[1]  # no inline script: CSP
    fragment = client.get(
        reverse("imports:status", args=[batch.pk]), {"seen": "APPLYING"}, headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and '<progress value="2" max="4"' in fragment.text
    ImportBatch.objects.filter(pk=batch.pk).update(status=S.DONE)
    fragment = client.get(reverse("imports:status", args=[batch.pk]), {"seen": "APPLYING"})
    assert fragment.status_code == 204 and fragment["HX-Refresh"] == "true"


def test_a_stopped_run_offers_resume(client, olive, tasks):
    batch = check(tasks, olive, start(olive, csv_bytes([person_row(1)])))
    ImportBatch.objects.filter(pk=batch.pk).update(status=S.APPLYING, applied_by=olive, heartbeat_at=None)
    client.force_login(olive)
    page = client.get(reverse("imports:detail", args=[batch.pk])).text
    assert reverse("imports:resume", args=[batch.pk]) in page and "every 1s" not in page
    with tasks():
        client.post(reverse("imports:resume", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == S.DONE


def test_a_double_confirm_imports_once(client, olive, tasks):
    batch = check(tasks, olive, start(olive, csv_bytes([person_row(1)])))
    client.force_login(olive)
    with tasks():
        first = client.post(reverse("imports:confirm", args=[batch.pk]))
        second = client.post(reverse("imports:confirm", args=[batch.pk]))
    assert first.status_code == second.status_code == 302
    assert tasks.log.finished.count("apply_import_task") == 1 and Person.objects.count() == 1


def test_the_preview_lists_errors_with_row_column_and_what_to_fix(client, olive, tasks):
    rows = [person_row(1), person_row(2, NIK="7.27106E+15")]
    batch = check(tasks, olive, start(olive, csv_bytes(rows)))
    client.force_login(olive)
    page = client.get(reverse("imports:detail", args=[batch.pk])).text
    assert "<strong>NIK</strong>" in page and "Excel" in page and "3" in page
    changes = client.get(reverse("imports:detail", args=[batch.pk]), {"show": "changes"}).text
    assert "Pekerja Migran" in changes


def test_the_list_has_a_fixed_number_of_queries(client, olive, tasks, django_assert_max_num_queries):
    for n in range(3):
        check(tasks, olive, start(olive, csv_bytes([person_row(n + 1)]), name=f"f{n}.csv"))
    client.force_login(olive)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("imports:list"))
    assert response.text.count('href="/impor/') >= 4


# --- who may see what -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_workers_and_auditors_may_not_import(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("imports:list")).status_code == 403
    assert client.get(reverse("imports:new")).status_code == 403
    upload = SimpleUploadedFile("a.csv", csv_bytes([person_row(1)]))
    assert client.post(reverse("imports:new"), {"file": upload, "new_source": "Sisko"}).status_code == 403
    assert not ImportBatch.objects.exists()
    assert f'href="{reverse("imports:list")}"' not in client.get(reverse("registry:search")).text


def test_another_agencys_data_officer_gets_404_everywhere(client, olive, oscar, alice, tasks):
    batch = check(tasks, olive, start(olive, csv_bytes([person_row(1)])))
    client.force_login(oscar)
    for name in ("detail", "mapping", "status"):
        assert client.get(reverse(f"imports:{name}", args=[batch.pk])).status_code == 404
    for name in ("confirm", "resume", "cancel"):
        assert client.post(reverse(f"imports:{name}", args=[batch.pk])).status_code == 404
    assert "sisko.csv" not in client.get(reverse("imports:list")).text
    client.force_login(alice)
    assert client.get(reverse("imports:detail", args=[batch.pk])).status_code == 404
    assert client.post(reverse("imports:confirm", args=[batch.pk])).status_code == 403
    batch.refresh_from_db()
    assert batch.status == S.PREVIEW and not services.can_resume(batch)


def test_it_answers_in_indonesian_by_default(client, olive):
    client.force_login(olive)
    page = client.get(reverse("imports:list")).text
    assert 'lang="id"' in page


def test_the_list_makes_as_many_queries_for_three_times_the_imports(client, olive, tasks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("imports:list")).status_code == 200
        return len(captured)

    for n in range(2):
        check(tasks, olive, start(olive, csv_bytes([person_row(n + 1)]), name=f"few{n}.csv"))
    client.force_login(olive)
    client.get(reverse("imports:list"))
    few = queries()
    for n in range(4):
        check(tasks, olive, start(olive, csv_bytes([person_row(n + 10)]), name=f"more{n}.csv"))
    assert queries() == few
