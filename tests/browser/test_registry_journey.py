"""The foundation's journey in a real browser, on a phone-sized screen.

bp3mi.petugas logs in (Indonesian by default), searches "Suharto" and finds "Soeharto", registers a person
and is warned about an existing match; dinsos.petugas then sees only name, birth year and regency.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sinergi.demo.seeding import DEFAULT_PASSWORD
from sinergi.registry.models import Person

PHONE = {"width": 390, "height": 844}
pytestmark = pytest.mark.browser


@pytest.fixture
def demo(regions_loaded: None) -> None:
    call_command("demo", persons=30, seed=11, stdout=io.StringIO())


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/akun/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r":\d+/$"))  # each role lands on its home page
    page.goto(f"{base}/orang/")


def test_it_walks_search_and_register_with_duplicate_warning(
    page: Page, live_server: Any, demo: None, screenshot_dir: Path
) -> None:
    page.set_viewport_size(PHONE)
    base = live_server.url
    page.goto(f"{base}/")
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name="Masuk ke Sinergi")).to_be_visible()
    page.screenshot(path=screenshot_dir / "login-phone.png", full_page=True)

    log_in(page, base, "bp3mi.petugas")
    page.get_by_label("Nama atau NIK").fill("Suharto")
    page.get_by_role("button", name="Cari").click()
    results = page.locator("#search-results")
    expect(results.get_by_role("link", name="Soeharto")).to_be_visible()
    page.screenshot(path=screenshot_dir / "search-suharto-phone.png", full_page=True)

    # Register someone who is already in the demo data (Siti Aminah, born 12-10-1990).
    # The synthetic demo persons may include other "Sitti Aminah"s: count, do not assume none.
    before = Person.objects.filter(full_name="Sitti Aminah").count()
    page.goto(f"{base}/orang/baru/")
    page.get_by_label("Nama lengkap").fill("Sitti Aminah")
    page.get_by_label("Tanggal lahir", exact=True).fill("1990-10-12")
    # The live panel warns while typing (htmx) ...
    expect(page.locator("#possible-matches")).to_contain_text("Siti Aminah")
    page.get_by_label("Jenis kelamin").select_option("P")
    page.get_by_label("Telepon / WhatsApp").fill("0813 9988 7766")
    page.get_by_role("button", name="Daftarkan").click()
    # ... and the server refuses to register until the worker confirms it is someone else.
    warning = page.locator("#duplicate-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Siti Aminah")
    page.screenshot(path=screenshot_dir / "register-duplicate-warning-phone.png", full_page=True)
    assert Person.objects.filter(full_name="Sitti Aminah").count() == before

    page.get_by_role("button", name="Tetap daftarkan").click()
    expect(page.get_by_role("heading", name="Sitti Aminah")).to_be_visible()
    expect(page.get_by_text("+6281399887766")).to_be_visible()
    page.screenshot(path=screenshot_dir / "person-detail-phone.png", full_page=True)
    assert Person.objects.filter(full_name="Sitti Aminah").count() == before + 1


def test_it_shows_another_agency_only_what_avoids_duplicates(page: Page, live_server: Any, demo: None) -> None:
    base = live_server.url
    soeharto = Person.objects.get(full_name="Soeharto")
    log_in(page, base, "dinsos.petugas")
    page.get_by_label("Nama atau NIK").fill("Suharto")
    page.get_by_role("button", name="Cari").click()
    results = page.locator("#search-results")
    expect(results).not_to_contain_text("Soeharto")  # another agency's person: a name alone finds nobody
    page.locator("summary").filter(has_text="Saringan lain").click()
    page.get_by_label("Tahun lahir").fill("1984")
    page.get_by_role("button", name="Cari").click()
    expect(results).to_contain_text("Soeharto")
    expect(results).to_contain_text("1984")
    expect(results).to_contain_text("didaftarkan oleh instansi lain")
    expect(results.get_by_role("link", name="Soeharto")).to_have_count(0)
    assert soeharto.nik not in results.inner_text()
    response = page.goto(f"{base}/orang/{soeharto.pk}/")
    assert response is not None and response.status == 404


def test_it_rejects_a_wrong_nik_naming_the_digit_group(page: Page, live_server: Any, demo: None) -> None:
    base = live_server.url
    log_in(page, base, "bp3mi.petugas")
    page.goto(f"{base}/orang/baru/")
    page.get_by_label("Nama lengkap").fill("Rahmat Lapasere")
    page.get_by_label("NIK", exact=True).fill("7271053510900001")
    page.get_by_role("button", name="Daftarkan").click()
    expect(page.locator(".errorlist").first).to_contain_text("7-8")
    assert not Person.objects.filter(full_name="Rahmat Lapasere").exists()
