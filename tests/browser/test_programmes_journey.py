"""Issue 11's acceptance journey in a real browser.

bp3mi.petugas creates a quarterly entrepreneurship workshop in Desa Langaleso (Sigi, 72.10.12.2002), enrols three
PMI purna from their assessments' recommendations (a fourth, back seven years, is refused with the reason); the
facilitator ticks attendance on a 390 px phone; two complete and their certificates verify on the public page
behind the QR code; a mentor records a baseline and a 3-month follow-up; the outcomes page shows the completion
rate and the income change with their counts. Then an outreach follow-up opens a prefilled case intake and the
event lists the case.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from sinergi.accounts.models import User
from sinergi.cases.categories import ensure_default_categories
from sinergi.cases.models import Case
from sinergi.demo.seeding import DEFAULT_PASSWORD, seed_agencies_and_users
from sinergi.outreach import services as outreach
from sinergi.programmes import outcomes
from sinergi.programmes.models import Certificate, Enrolment, EnrolmentStatus
from sinergi.testing.assessments import assess
from sinergi.testing.programme_builders import returnee, years_ago
from tests.browser.dates import type_date
from tests.browser.picker import choose_region

PHONE = {"width": 390, "height": 844}
pytestmark = pytest.mark.browser


@pytest.fixture
def accounts(regions_loaded: None, settings: Any) -> dict[str, User]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_agencies_and_users(DEFAULT_PASSWORD)
    ensure_default_categories()  # a transactional test's flush empties the table the migration filled
    return {u.username: u for u in User.objects.filter(username__in=["bp3mi.petugas", "bp3mi.kepala"])}


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/akun/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r":\d+/$"))  # everyone lands on their home page


def test_it_runs_a_workshop_from_enrolment_to_outcomes(
    page: Page,
    browser: Browser,
    live_server: Any,
    accounts: dict[str, User],
    screenshot_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Three people are enough to read figures in this journey (the production minimum is larger).
    monkeypatch.setattr(outcomes, "MIN_COUNT", 1)
    base = live_server.url
    petugas = accounts["bp3mi.petugas"]
    people = [
        returnee(petugas, name, returned=years_ago(years))
        for name, years in (
            ("Ni Wayan Sukerti", 1),
            ("Hasnah Lamasituju", 2),
            ("Rahmawati Pakaya", 4),
            ("Made Rika", 7),
        )
    ]
    today = timezone.localdate()

    log_in(page, base, "bp3mi.petugas")
    page.goto(f"{base}/program/")
    page.get_by_role("button", name="Program baru").click()
    page.locator("#id_name").fill("Pelatihan Kewirausahaan Langaleso")
    page.locator("#id_programme_type").select_option("entrepreneurship_workshop")
    page.locator("#id_recurrence").select_option("FREQ=MONTHLY;INTERVAL=3")
    type_date(page, "id_first_start", today - timedelta(days=3))
    page.locator("#id_curriculum").fill("1; Rencana usaha; 6\n2; Pemasaran; 6\n3; Pembukuan; 6\n4; Perizinan; 6")
    page.get_by_role("button", name="Simpan program").click()
    expect(page.locator("#programme-facts")).to_contain_text("5 tahun")

    page.get_by_text("Rencanakan angkatan").click()
    choose_region(page, "72.10.12.2002")
    page.locator("#id_place").fill("Balai Desa Langaleso")
    page.get_by_label("Kepala BP3MI").check()
    page.get_by_role("button", name="Simpan rencana").click()
    expect(page.locator("#cohorts")).to_contain_text("Langaleso")
    page.locator("#cohorts a").first.click()
    cohort_url = page.url

    # Each was assessed; the assessment page links each recommended programme to its enrolment.
    for number, person in enumerate(people, 1):
        assessment = assess(petugas, person.pk)
        page.goto(f"{base}/asesmen-kebutuhan/{assessment.pk}/")
        page.locator("li[data-code=entrepreneurship_workshop] a.enrol-from-recommendation").click()
        page.get_by_role("button", name="Daftarkan").click()
        if number < 4:
            expect(page.locator("#participants")).to_contain_text(person.full_name)
    expect(page.locator("#refusal")).to_contain_text("Made Rika tidak memenuhi syarat")
    expect(page.locator("#refusal")).to_contain_text("7 tahun lalu")
    page.screenshot(path=screenshot_dir / "programme-refused.png", full_page=True)
    refs = set(Enrolment.objects.filter(origin_kind="assessment").values_list("origin_ref", flat=True))
    assert len(refs) == 3 and all(ref.startswith("asesmen-") for ref in refs)

    # The facilitator, on a phone, ticks each session; the third participant misses two of four.
    phone = browser.new_context(viewport=PHONE, locale="id-ID", timezone_id="Asia/Makassar")
    facilitator = phone.new_page()
    log_in(facilitator, base, "bp3mi.kepala")
    facilitator.goto(cohort_url)
    sessions = facilitator.locator("#sessions a")
    for index in range(4):
        facilitator.goto(cohort_url)
        sessions.nth(index).click()
        for position, person in enumerate(people[:3]):
            if position == 2 and index in (1, 2):
                continue
            facilitator.get_by_role("button", name=f"Belum dicentang: {person.full_name}").click()
            expect(facilitator.get_by_role("button", name=f"Hadir: {person.full_name}")).to_be_visible()
        if index == 0:
            facilitator.screenshot(path=screenshot_dir / "attendance-phone.png", full_page=True)
    width = facilitator.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the tick list scrolls sideways at 390 px ({width} px)"
    facilitator.goto(cohort_url)
    facilitator.get_by_role("button", name="Tetapkan kelulusan dan terbitkan sertifikat").click()
    expect(facilitator.locator(".messages")).to_contain_text("2 lulus")
    phone.close()

    # Certificates: downloaded, and the QR's page verifies without a login.
    page.goto(cohort_url)
    with page.expect_download() as download:
        page.locator("#participants").get_by_role("link", name="Sertifikat").first.click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    certificates = list(Certificate.objects.select_related("enrolment__person"))
    assert len(certificates) == 2
    anonymous = browser.new_context(locale="id-ID")
    check = anonymous.new_page()
    for certificate in certificates:
        check.goto(f"{base}/program/sertifikat/{certificate.verification_token}/")
        expect(check.locator("#verified")).to_contain_text(certificate.enrolment.person.full_name)
    check.screenshot(path=screenshot_dir / "certificate-verified.png", full_page=True)
    anonymous.close()

    # Mentoring: a business, its baseline three months ago and the 3-month follow-up today.
    completed = Enrolment.objects.filter(status=EnrolmentStatus.COMPLETED).order_by("pk").first()
    assert completed is not None
    page.goto(f"{base}/program/peserta/{completed.pk}/usaha/")
    page.locator("#id_name").fill("Kue Sukerti")
    page.locator("#id_sector").fill("Makanan")
    page.get_by_role("button", name="Simpan").click()
    for kind, day, income in (("BASELINE", today - timedelta(days=92), "1500000"), ("M3", today, "2100000")):
        page.get_by_text("Catat data awal atau pemantauan").click()
        page.locator("#id_kind").select_option(kind)
        type_date(page, "id_recorded_on", day)
        page.locator("#id_monthly_revenue").fill("900000")
        page.locator("#id_household_income").fill(income)
        page.get_by_role("button", name="Simpan catatan").click()
        expect(page.locator("#checks")).to_contain_text(day.strftime("%d-%m-%Y"))

    programme_id = completed.cohort.programme_id
    page.goto(f"{base}/program/{programme_id}/hasil/")
    total = page.locator("#outcome-total")
    expect(total.locator(".completion-rate")).to_contain_text("66,7 %")
    expect(total.locator(".completion-rate")).to_contain_text("n=3")
    expect(total.locator(".income-change")).to_contain_text("600.000")
    expect(total.locator(".income-change")).to_contain_text("n=1")
    page.screenshot(path=screenshot_dir / "programme-outcomes.png", full_page=True)


def test_it_turns_an_outreach_follow_up_into_a_case_the_event_lists(
    page: Page, live_server: Any, accounts: dict[str, User], screenshot_dir: Path
) -> None:
    base = live_server.url
    petugas = accounts["bp3mi.petugas"]
    son = returnee(petugas, "Andi Saputra", returned=None)
    event = outreach.record_event_held(
        actor=petugas,
        data=outreach.EventData(
            held_on=timezone.localdate() - timedelta(days=1),
            place="Balai Desa Langaleso",
            region_code="72.10.12.2002",
            topic="Migrasi aman dan pencegahan TPPO",
            target_group="KELUARGA",
            counsellor_id=petugas.pk,
            counts={("P", "36-55"): 9, ("L", "36-55"): 5},
        ),
    )
    log_in(page, base, "bp3mi.petugas")
    page.set_viewport_size(PHONE)
    page.goto(f"{base}/penyuluhan/{event.pk}/")
    page.get_by_text("Catat tindak lanjut").click()
    page.get_by_label("Masalah untuk kasus").check()
    page.locator("#id_description").fill("Ibunya melapor: anaknya hilang kontak di Malaysia sejak Maret.")
    page.locator("#id_reporter_name").fill("Ibu Rahma")
    page.locator("#id_reporter_contact").fill("0812 1111 2222")
    page.get_by_role("checkbox", name="Hilang kontak").check()
    page.get_by_role("button", name="Catat", exact=True).click()
    page.get_by_placeholder("Nama atau NIK").fill("Andi")
    page.get_by_role("button", name="Cari").click()
    page.get_by_role("button", name="Pilih").click()
    page.get_by_role("button", name="Buka kasus (formulir terisi)").click()
    expect(page.locator("#id_complainant_name")).to_have_value("Ibu Rahma")
    expect(page.locator("#id_narrative")).to_contain_text("hilang kontak di Malaysia")
    page.screenshot(path=screenshot_dir / "outreach-case-intake-phone.png", full_page=True)
    page.get_by_role("button", name="Catat kasus").click()
    case = Case.objects.get(person=son)
    expect(page).to_have_url(re.compile(rf"/kasus/{case.pk}/$"))
    page.goto(f"{base}/penyuluhan/{event.pk}/")
    expect(page.locator("#follow-ups .led-to")).to_have_text(case.number)
