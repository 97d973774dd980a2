"""Data synchronisation in a real browser, on a phone-sized screen, as BP3MI's data officer walks it.

alice has registered Siti Aminah (born 12-10-1990 in Palu, no NIK). olive imports a Sisko P2MI export in
which "Sitti Aminah" (same birth date, sex and district, born in Donggala, no NIK) is the same woman: the
import must not link her on its own (no NIK), so she becomes a new person and a pair to review. olive
decides "same" (merge), verifies Palu on the golden record, then undoes the merge: both records are back.

The import's check and apply are Django tasks on the database backend, as in production. The test runs
the real worker (`db_worker --batch`) while the browser sits on the progress page, so the page is seen
in its running state and must reach the finished state by its own htmx polling. (The immediate backend
would run the task inside the request that enqueues it: the progress page would never be shown, and
its polling never tested.) The worker runs in the test's thread: `db_worker` installs signal handlers,
which only the main thread may do, and the in-memory test database is one connection that the live
server thread already shares with this thread (the page's polls only read while the worker writes).

Selectors use URLs, ids and field names, so the test does not depend on the wording of the translation.
"""

from __future__ import annotations

import csv
import re
import signal
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Locator, Page, ViewportSize, expect

from sinergi.accounts.models import User
from sinergi.imports.models import BatchStatus, ImportBatch, ImportRow, RowAction
from sinergi.matching.models import Decision, FieldVerification, MatchCandidate, Merge
from sinergi.registry.models import Person
from sinergi.sources.models import DataSource, SourceRecord
from sinergi.testing.factories import TEST_PASSWORD, make_person

PHONE: ViewportSize = {"width": 390, "height": 844}
pytestmark = pytest.mark.browser

HEADER = ["No", "Nama Lengkap", "NIK", "Kota Kelahiran", "Tgl Lahir", "JK", "No HP", "Kode Wilayah", "Negara"]
ROWS = [
    [
        "1",
        "Rahmat Hidayat",
        "7271050503870012",
        "Donggala",
        "05/03/1987",
        "L",
        "081355501234",
        "72.71.05",
        "Arab Saudi",
    ],
    ["2", "Sitti Aminah", "", "Donggala", "12/10/1990", "P", "", "72.71.05", "Malaysia"],
    ["3", "Nurhayati", "7210016107950003", "Sigi", "21/07/1995", "P", "+62 852 4100 7788", "72.10.01", "Hong Kong"],
]
FILE_NAME = "ekspor-sisko-p2mi.csv"
SITTI_ROW = 3  # the file's own row number (the header is row 1)


@pytest.fixture
def upload_dir(settings: Any, tmp_path: Path) -> Path:
    """Uploads wait in this test's own folder, not in var/imports."""
    directory = tmp_path / "imports"
    settings.SINERGI_IMPORT_DIR = str(directory)
    return directory


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    path = tmp_path / FILE_NAME
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(HEADER)
        writer.writerows(ROWS)
    return path


def log_in(page: Page, base: str, user: User) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/akun/login/")
    page.fill("#id_login", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("form[action='/akun/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r":\d+/$"))  # each role lands on its home page


def run_worker() -> None:
    """One pass of the task worker over the queue, as `sinergi db_worker` does, until the queue is empty."""
    # The worker installs its own SIGINT/SIGTERM/SIGQUIT handlers and leaves them; put pytest's back.
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0, queue_name="*"
        )
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


def count(page: Page, action: str) -> Locator:
    return page.locator(f"#counts dd[data-action={action}]")


def test_it_imports_a_duplicate_reviews_merges_verifies_and_undoes(
    page: Page,
    live_server: Any,
    regions_loaded: None,
    alice: User,
    olive: User,
    upload_dir: Path,
    export_file: Path,
    screenshot_dir: Path,
) -> None:
    page.set_viewport_size(PHONE)
    base = live_server.url
    siti = make_person(alice, birth_place="Palu", region_code="72.71.05")
    assert siti.nik == "" and siti.birth_date == date(1990, 10, 12)

    # --- Upload: a new source is named with the file. ------------------------------------------------------
    log_in(page, base, olive)
    page.locator("label[for=nav-toggle]").click()  # on a phone the navigation folds behind "Menu"
    page.locator("nav a[href='/impor/']").first.click()
    expect(page).to_have_url(re.compile(r"/impor/$"))
    page.locator("a[href='/impor/baru/']").click()
    page.set_input_files("input[name=file]", export_file)
    page.fill("input[name=new_source]", "Ekspor Sisko P2MI")
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/impor/\d+/kolom/$"))
    batch = ImportBatch.objects.get()
    assert batch.source.name == "Ekspor Sisko P2MI" and batch.status == BatchStatus.MAPPING

    # --- Columns: the guesses are right except the birthplace column, whose name is not a known one. ------
    column = {name: f"select[name=column_{index}]" for index, name in enumerate(HEADER)}
    expect(page.locator(column["No"])).to_have_value("")  # a row counter is not the source's id
    expect(page.locator(column["Nama Lengkap"])).to_have_value("full_name")
    expect(page.locator(column["Tgl Lahir"])).to_have_value("birth_date")
    expect(page.locator(column["Kode Wilayah"])).to_have_value("region_code")
    expect(page.locator(column["Kota Kelahiran"])).to_have_value("")
    expect(page.locator(column["Negara"])).to_have_value("destination_country")  # becomes a stay abroad
    page.select_option(column["Kota Kelahiran"], "birth_place")
    expect(page.locator("input[name=remember]")).to_be_checked()
    page.screenshot(path=screenshot_dir / "sync-1-columns.png", full_page=True)
    page.locator("form button[type=submit][data-once]").click()

    # --- Check: the page shows the running check, the worker runs it, the page reloads into the preview. ---
    expect(page).to_have_url(re.compile(rf"/impor/{batch.pk}/$"))
    progress = page.locator("section#progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_attribute("hx-get", re.compile(r"/status/\?seen=ANALYSING"))
    page.screenshot(path=screenshot_dir / "sync-2-checking.png", full_page=True)
    run_worker()
    confirm = page.locator(f"form[action='/impor/{batch.pk}/konfirmasi/'] button[type=submit]")
    expect(confirm).to_be_visible(timeout=15_000)  # the page reloaded itself: PREVIEW
    expect(progress).to_have_count(0)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PREVIEW
    assert DataSource.objects.get(pk=batch.source_id).column_mapping["birth_place"] == "Kota Kelahiran"
    # Three new persons: Sitti Aminah has no NIK, so she is not linked to Siti on the model's word alone.
    expect(count(page, "CREATE")).to_have_text("3")
    for action in ("LINK", "UPDATE", "UNCHANGED", "ERROR"):
        expect(count(page, action)).to_have_text("0")
    planned = page.locator("#rows .result-list > li")
    expect(planned).to_have_count(3)
    # Only Sitti Aminah's row announces a possible duplicate ("1 possible duplicate to review").
    expect(planned.locator(".meta")).to_have_count(1)
    expect(planned.filter(has_text="Sitti Aminah").locator(".meta")).to_have_text(re.compile(r"^\s*1\D"))
    planned_row = ImportRow.objects.get(batch=batch, row_number=SITTI_ROW)
    assert planned_row.action == RowAction.CREATE and planned_row.person_id is None
    assert [candidate["person_id"] for candidate in planned_row.candidates] == [siti.pk]
    assert Person.objects.count() == 1  # the preview changed nothing
    page.screenshot(path=screenshot_dir / "sync-3-preview.png", full_page=True)

    # --- Import: confirm, watch the progress, the worker applies, the page reloads into the result. -------
    confirm.click()
    expect(page.locator("section#progress progress[max]")).to_be_visible()
    run_worker()
    review_link = page.locator("#counts a[href='/pencocokan/']")
    expect(review_link).to_be_visible(timeout=15_000)  # DONE
    expect(page.locator("section#progress")).to_have_count(0)
    expect(count(page, "CREATE")).to_have_text("3")
    expect(count(page, "LINK")).to_have_text("0")
    expect(count(page, "REVIEW")).to_have_text("1")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and batch.stored_path == ""
    assert not any(upload_dir.iterdir())  # the stored file is deleted once imported
    page.screenshot(path=screenshot_dir / "sync-4-done.png", full_page=True)

    sitti = Person.objects.get(full_name="Sitti Aminah")
    assert (sitti.birth_place, sitti.nik, sitti.region_id, sitti.merged_into_id) == ("Donggala", "", "72.71.05", None)
    record = SourceRecord.objects.get(person=sitti)
    assert (record.file_name, record.row_number, record.source.name) == (FILE_NAME, SITTI_ROW, "Ekspor Sisko P2MI")
    pair = MatchCandidate.objects.get()
    assert {pair.person_id, pair.other_person_id} == {siti.pk, sitti.pk}
    assert pair.decision == Decision.PENDING and pair.origin == "import"
    assert 0.2 <= pair.probability < 0.999

    # --- Review: the queue shows the pair; its page shows both records and the evidence per field. -------
    review_link.click()
    expect(page).to_have_url(re.compile(r"/pencocokan/$"))
    queued = page.locator(f"#pairs a[href='/pencocokan/pasangan/{pair.pk}/']")
    expect(queued).to_contain_text("Siti Aminah")
    expect(queued).to_contain_text("Sitti Aminah")
    queued.click()
    expect(page).to_have_url(re.compile(rf"/pencocokan/pasangan/{pair.pk}/$"))
    compare = page.locator("#compare")
    expect(compare.locator(f".pair-records a[href='/orang/{siti.pk}/']")).to_be_visible()
    expect(compare.locator(f".pair-records a[href='/orang/{sitti.pk}/']")).to_be_visible()
    birthplace = compare.locator("tbody tr").filter(has_text="Donggala")
    expect(birthplace).to_contain_text("Palu")
    expect(birthplace.locator(".badge.sensitive")).to_have_count(1)  # the two records differ here
    evidence = page.locator("#weights tbody tr")
    expect(evidence.first).to_be_visible()
    assert evidence.count() >= 4  # name, birth date, sex, region at least
    expect(page.locator("#weights progress").first).to_be_visible()
    expect(page.locator("#weights")).to_contain_text("mendukung")  # evidence for the same person, in words
    page.screenshot(path=screenshot_dir / "sync-5-pair.png", full_page=True)

    # Same person: keep alice's registry entry, merge the imported one into it.
    decision = page.locator("#decision")
    decision.locator(f"input[name=decision][value={Decision.SAME}]").check()
    decision.locator(f"input[name=survivor][value='{siti.pk}']").check()
    decision.locator("button[type=submit]").click()
    expect(page.locator("#decision form")).to_have_count(0)  # htmx swapped in the decided state
    expect(page.locator(f"#decision a[href='/orang/{siti.pk}/']")).to_be_visible()
    merge = Merge.objects.get()
    assert (merge.survivor_id, merge.absorbed_id, merge.undone_at) == (siti.pk, sitti.pk, None)
    pair.refresh_from_db()
    sitti.refresh_from_db()
    assert pair.decision == Decision.SAME and sitti.merged_into_id == siti.pk
    record.refresh_from_db()
    assert record.person_id == siti.pk  # the import's record moved to the survivor

    # The absorbed person's page leads to the survivor.
    page.goto(f"{base}/orang/{sitti.pk}/")
    expect(page).to_have_url(re.compile(rf"/orang/{siti.pk}/$"))

    # --- Golden record: the birthplace conflict, with each value's source; verify Palu. -----------------
    page.locator(f"a[href='/pencocokan/orang/{siti.pk}/rekaman-emas/']").click()
    expect(page).to_have_url(re.compile(rf"/pencocokan/orang/{siti.pk}/rekaman-emas/$"))
    field = page.locator("#field-birth_place")
    expect(field.locator("header .badge.sensitive")).to_have_count(1)  # sources disagree
    entries = field.locator(".result-list > li")
    palu = entries.filter(has_text="Palu")
    expect(palu).to_have_count(1)
    expect(palu).to_contain_text("Registri Sinergi")
    from_file = entries.filter(has_text=FILE_NAME)
    expect(from_file).to_contain_text("Donggala")
    expect(from_file).to_contain_text("Ekspor Sisko P2MI")
    expect(from_file).to_contain_text(str(SITTI_ROW))
    page.screenshot(path=screenshot_dir / "sync-6-golden-conflict.png", full_page=True)

    field.locator("input[name=value][value=Palu]").check()
    field.locator("button[type=submit]").click()
    field = page.locator("#field-birth_place")  # swapped in place by htmx
    expect(field.locator("[role=status]")).to_be_visible()
    expect(field.locator("header .badge.sensitive")).to_have_count(0)
    expect(field.locator("header .badge")).to_have_count(1)  # verified
    expect(field.locator("header")).to_contain_text("Palu")
    verification = FieldVerification.objects.get(person=siti, field="birth_place")
    assert verification.value == "Palu" and verification.verified_by_id == olive.pk
    siti.refresh_from_db()
    assert siti.birth_place == "Palu"
    page.screenshot(path=screenshot_dir / "sync-7-golden-verified.png", full_page=True)

    # --- Undo the merge from the survivor's page: both persons are back as they were. -------------------
    page.goto(f"{base}/orang/{siti.pk}/")
    page.locator("#merged details.confirm summary").click()  # undoing asks first
    undo = page.locator(f"#merged form[action='/pencocokan/gabungan/{merge.pk}/batalkan/'] button[type=submit]")
    expect(undo).to_be_visible()
    undo.click()
    expect(page).to_have_url(re.compile(rf"/orang/{siti.pk}/$"))
    expect(page.locator("#merged")).to_have_count(0)
    merge.refresh_from_db()
    assert merge.undone_at is not None and merge.undone_by_id == olive.pk
    restored = Person.objects.in_bulk([siti.pk, sitti.pk])
    assert (restored[siti.pk].birth_place, restored[siti.pk].merged_into_id) == ("Palu", None)
    assert (restored[sitti.pk].birth_place, restored[sitti.pk].merged_into_id) == ("Donggala", None)
    assert Person.objects.filter(merged_into__isnull=True).count() == 4
    record.refresh_from_db()
    assert record.person_id == sitti.pk  # back on the imported person
    assert not SourceRecord.objects.filter(person=siti).exists()
    pair.refresh_from_db()
    assert pair.decision == Decision.PENDING  # waits for review again

    # Both are reachable: the absorbed person's page no longer redirects.
    page.goto(f"{base}/orang/{sitti.pk}/")
    expect(page).to_have_url(re.compile(rf"/orang/{sitti.pk}/$"))
    expect(page.locator("h1")).to_have_text("Sitti Aminah")
    expect(page.locator("article dl.facts")).to_contain_text("Donggala")
    page.screenshot(path=screenshot_dir / "sync-8-undone.png", full_page=True)
    page.goto(f"{base}/orang/{siti.pk}/")
    expect(page.locator("h1")).to_have_text("Siti Aminah")
    expect(page.locator("article dl.facts")).to_contain_text("Palu")
    page.goto(f"{base}/pencocokan/")
    expect(page.locator(f"#pairs a[href='/pencocokan/pasangan/{pair.pk}/']")).to_be_visible()
