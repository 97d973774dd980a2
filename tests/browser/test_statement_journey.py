"""Issue 12's acceptance in a real browser, on a phone-sized screen, with the demo accounts and the demo case.

bp3mi.petugas drafts a statement about the demo case from its fact sheet; the privacy check flags the worker's
village and her husband's name, spelled differently from the registry; after the text is fixed bp3mi.kepala and
sentra.kepala approve; the public page shows it without login; a correction shows both versions. Then the
dashboard, the map and the monthly report page are photographed into docs/screenshots/.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, ViewportSize, expect

from sinergi.demo.seeding import DEFAULT_PASSWORD
from sinergi.registry.models import Person
from sinergi.statements.demo import DEMO_NIK, demo_village
from sinergi.statements.models import Statement, VersionStatus

PHONE: ViewportSize = {"width": 390, "height": 844}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
pytestmark = pytest.mark.browser


@pytest.fixture
def demo(regions_loaded: None) -> None:
    call_command("demo", persons=30, seed=5, stdout=io.StringIO())


@pytest.fixture
def full_demo(regions_loaded: None) -> None:
    """The demo `make run` seeds (300 persons, the default seed): programmes and assistance included."""
    call_command("demo", persons=300, stdout=io.StringIO())


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/akun/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("form[action='/akun/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r":\d+/$"))  # everyone lands on their home page


def approve_as(page: Page, base: str, username: str, version_url: str) -> None:
    log_in(page, base, username)
    page.goto(version_url)
    page.locator("#approve").click()
    expect(page.locator(".message.success")).to_be_visible()


def test_it_drafts_checks_approves_publishes_and_corrects_a_statement(page: Page, live_server: Any, demo: None) -> None:
    page.set_viewport_size(PHONE)
    base = live_server.url
    worker = Person.objects.get(nik=DEMO_NIK)
    case = worker.cases.get()
    village = demo_village()
    assert village is not None

    # The fact sheet: both posts named by the agencies, shown as disputed.
    log_in(page, base, "bp3mi.petugas")
    page.goto(f"{base}/pernyataan/kasus/{case.pk}/")
    expect(page.locator("tr[data-fact=post]")).to_contain_text("KBRI Kuala Lumpur")
    expect(page.locator("tr[data-fact=post]")).to_contain_text("KJRI Johor Bahru")
    expect(page.locator("#disputed")).to_be_visible()

    # Draft: the village and the husband's name, spelled "Rachmat Hidajat" (registry: Rahmat Hidayat).
    page.fill("input[name=title]", "Penanganan PMI asal Sigi")
    page.fill(
        "textarea[name=body]",
        f"Seorang PMI asal Desa {village.name}, istri Rachmat Hidajat, dipulangkan dari Malaysia.\n"
        "BP3MI Sulawesi Tengah dan Sentra Nipotowe Palu mendampingi pemulihannya.",
    )
    page.locator("form.statement-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/pernyataan/versi/\d+/$"))
    version_url = page.url
    expect(page.locator("#flags li[data-kind=DESA]")).to_contain_text(village.name)
    expect(page.locator("#flags li[data-kind=KELUARGA]")).to_contain_text("Rachmat Hidajat")
    expect(page.locator("#approve")).to_have_count(0)
    page.screenshot(path=str(DOCS / "statement-privacy-check.png"), full_page=True)

    # Remove both: the check runs again and finds nothing.
    page.fill(
        "textarea[name=body]",
        "Seorang PMI asal Kabupaten Sigi dipulangkan dari Malaysia.\n"
        "BP3MI Sulawesi Tengah dan Sentra Nipotowe Palu mendampingi pemulihannya.",
    )
    page.locator("form.statement-form button[type=submit]").click()
    expect(page.locator("#no-flags")).to_be_visible()

    approve_as(page, base, "bp3mi.kepala", version_url)
    expect(page.locator("#version-status")).to_have_text(re.compile("Draf|Draft"))
    approve_as(page, base, "sentra.kepala", version_url)
    statement = Statement.objects.get(case=case)
    assert statement.versions.get().status == VersionStatus.PUBLISHED
    code = statement.versions.get().code

    # The public page, without login.
    page.context.clear_cookies()
    page.goto(f"{base}/pernyataan/p/{statement.public_id}/")
    expect(page.locator("#current")).to_contain_text("Kabupaten Sigi")
    expect(page.locator("#current")).to_contain_text(code)
    expect(page.locator("#current")).not_to_contain_text(village.name)

    # A correction: a new version, approved again, and the old one stays public as superseded.
    log_in(page, base, "bp3mi.petugas")
    page.goto(version_url)
    page.locator("details:has(form[action$='/koreksi/']) summary").click()
    page.fill("textarea[name=change_note]", "Negara penempatan diperbaiki: Singapura, bukan Malaysia.")
    page.locator("form[action$='/koreksi/'] button[type=submit]").click()
    expect(page).not_to_have_url(version_url)
    correction_url = page.url
    page.fill(
        "textarea[name=body]",
        "Seorang PMI asal Kabupaten Sigi dipulangkan dari Singapura.\n"
        "BP3MI Sulawesi Tengah dan Sentra Nipotowe Palu mendampingi pemulihannya.",
    )
    page.locator("form.statement-form button[type=submit]").click()
    expect(page.locator("#changes")).to_contain_text("Singapura")
    approve_as(page, base, "bp3mi.kepala", correction_url)
    approve_as(page, base, "sentra.kepala", correction_url)

    page.context.clear_cookies()
    page.goto(f"{base}/pernyataan/p/{statement.public_id}/")
    expect(page.locator("#current")).to_contain_text("Singapura")
    expect(page.locator("#version-1")).to_contain_text("Malaysia")
    expect(page.locator("#version-1")).to_contain_text(code)
    page.screenshot(path=str(DOCS / "statement-public-corrected.png"), full_page=True)
    page.goto(f"{base}/pernyataan/cek/?kode={code}")
    expect(page.locator("#genuine")).to_be_visible()


def test_it_shows_the_dashboard_the_map_and_the_monthly_report(page: Page, live_server: Any, full_demo: None) -> None:
    base = live_server.url
    DOCS.mkdir(parents=True, exist_ok=True)
    log_in(page, base, "bp3mi.kepala")
    page.set_viewport_size(ViewportSize(width=1200, height=900))
    page.goto(f"{base}/laporan/")
    expect(page.locator("#fig-cases_by_regency table")).to_be_visible()
    # Chart.js drew on every canvas (served from node_modules through staticfiles, allowed by the CSP nonce).
    page.wait_for_function(
        "document.querySelectorAll('canvas[data-chart]').length > 0 && "
        "[...document.querySelectorAll('canvas[data-chart]')].every(c => window.Chart.getChart(c))"
    )
    # The demo of `make run` gives every figure numbers (sinergi/reports/tests/test_demo_figures.py checks each).
    empty = page.locator("[id^=fig-]:has(.empty-figure)")
    assert empty.evaluate_all("els => els.map(e => e.id)") == []
    page.screenshot(path=str(DOCS / "dashboard.png"), full_page=True)

    page.goto(f"{base}/laporan/peta/")
    shaded = page.locator("#regency-map path:not([data-shade='0'])")
    assert shaded.count() > 0
    expect(page.locator("figure.sulteng-map")).to_contain_text("Dukcapil")
    page.screenshot(path=str(DOCS / "map.png"), full_page=True)

    page.goto(f"{base}/laporan/bulanan/")
    month = page.locator("#bulan").input_value()
    page.goto(f"{base}/laporan/bulanan/?bulan={month}")
    assert page.locator("[id^=fig-]:has(.empty-figure)").count() == 0
    with page.expect_download() as download:
        page.locator("#download-pdf").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.screenshot(path=str(DOCS / "monthly-report.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.goto(f"{base}/laporan/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, "the dashboard scrolls sideways on a phone"

    page.context.clear_cookies()
    page.goto(f"{base}/laporan/statistik/")
    expect(page.locator("#by-regency")).to_be_visible()
