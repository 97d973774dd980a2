"""A suspected personal-data breach, on a phone: alice (BP3MI petugas) reports that a list of PMI went to the
wrong WhatsApp group; sari (BP3MI head) sees the 3×24-hour clock on her home page, confirms the breach with the
data involved, records the notices to the data subjects and to the authority, and downloads the report."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sinergi.accounts.models import User
from sinergi.breaches.models import Breach, BreachStatus
from sinergi.testing.factories import TEST_PASSWORD

PHONE = {"width": 390, "height": 844}
pytestmark = pytest.mark.browser


def log_in(page: Page, base: str, user: User) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/akun/login/")
    page.fill("#id_login", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.locator("form[action='/akun/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r":\d+/$"))


def test_a_breach_is_reported_assessed_notified_and_its_report_downloaded(
    page: Page, live_server: Any, regions_loaded: None, alice: User, sari: User, screenshot_dir: Path
) -> None:
    page.set_viewport_size(PHONE)
    base = live_server.url

    log_in(page, base, alice)
    page.goto(f"{base}/insiden-data/")
    page.get_by_role("button", name="Laporkan dugaan insiden data").click()
    page.get_by_label("Apa yang terjadi").fill("Daftar 40 PMI purna terkirim ke grup WhatsApp desa.")
    page.get_by_label("Bagaimana diketahui").fill("Kepala desa menelepon kantor.")
    page.screenshot(path=screenshot_dir / "breach-report-phone.png", full_page=True)
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.locator("#breach-status")).to_have_text("Diduga")
    expect(page.locator("#breach-deadline")).to_contain_text("72 jam kalender")
    breach = Breach.objects.get()

    log_in(page, base, sari)
    expect(page.locator("#breach-clocks")).to_contain_text(breach.reference)
    page.locator("#breach-clocks").get_by_role("link", name=breach.reference).click()
    assess = page.locator("#assess form")
    assess.get_by_label("Terkonfirmasi: data pribadi terungkap").check()
    assess.get_by_label("Identitas (nama, tanggal lahir, alamat)").check()
    assess.get_by_label("Status korban TPPO").check()
    assess.get_by_label("Jumlah orang terdampak (perkiraan)").fill("40")
    assess.get_by_label("Penanganan: apa yang dilakukan untuk menghentikannya").fill(
        "Pesan ditarik; admin grup menghapus salinan."
    )
    assess.get_by_role("button", name="Simpan penilaian").click()
    expect(page.locator("#breach-status")).to_have_text("Terkonfirmasi")

    for recipient, how in (("Subjek data", "Surat tercatat ke 40 orang"), ("Lembaga PDP", "Portal lembaga PDP")):
        notice = page.locator("#notice form")
        notice.get_by_label(recipient, exact=True).check()
        notice.get_by_label("Cara").fill(how)
        notice.get_by_role("button", name="Catat pemberitahuan").click()
        expect(page.locator("#breach-deadline")).to_contain_text(how)
    page.screenshot(path=screenshot_dir / "breach-detail-phone.png", full_page=True)

    with page.expect_download() as report:
        page.get_by_role("button", name="Unduh surat pemberitahuan (PDF)").click()
    assert Path(report.value.path()).read_bytes().startswith(b"%PDF")
    assert report.value.suggested_filename == f"pemberitahuan-{breach.reference}.pdf"

    page.get_by_role("button", name="Tutup insiden").click()
    expect(page.locator("#breach-status")).to_contain_text("Selesai")
    breach.refresh_from_db()
    assert breach.status == BreachStatus.CLOSED and breach.fully_notified
