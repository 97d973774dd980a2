"""Issue 10, the administrator's part, on a phone: BP3MI's administrator makes a new version of the assessment
instrument, adds a question, publishes it; then makes an assistance type with an eligibility rule and sets its
budget (an overlapping period is refused in Indonesian)."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sinergi.assessments.models import InstrumentVersion, Question, VersionStatus
from sinergi.benefits.models import AssistanceType, Budget
from sinergi.demo.seeding import DEFAULT_PASSWORD
from tests.browser.dates import type_date

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def demo(regions_loaded: None) -> None:
    call_command("demo", persons=5, seed=5, stdout=io.StringIO())


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/akun/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("form[action='/akun/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r":\d+/$"))


def no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1, f"the page scrolls sideways on a phone ({width}px)"


def test_the_admin_edits_the_instrument_and_sets_an_assistance_type_with_a_budget_on_a_phone(
    page: Page, live_server: Any, demo: None, screenshot_dir: Path
) -> None:
    page.set_viewport_size(PHONE)
    base = live_server.url
    log_in(page, base, "admin")
    in_force = InstrumentVersion.objects.get(status=VersionStatus.ACTIVE)

    # The menu leads to the instrument; a new version is a draft copy of the one in force.
    page.locator(".nav-toggle-label").click()
    page.get_by_role("link", name="Instrumen asesmen").click()
    expect(page.locator("h1")).to_have_text("Instrumen asesmen")
    page.get_by_role("button", name="Versi baru (salinan versi yang berlaku)").click()
    expect(page.locator("#instrument-status")).to_have_text("Draf")
    draft = InstrumentVersion.objects.get(status=VersionStatus.DRAFT)
    assert draft.number == in_force.number + 1

    # Add a question: a number with its range and help text.
    page.locator("#add-question summary").click()
    domain = draft.domains.order_by("order", "id").first()
    assert domain is not None
    page.select_option("#id_question-domain_id", str(domain.pk))
    page.fill("#id_question-code", "remittance")
    page.select_option("#id_question-kind", "number")
    page.fill("#id_question-label", "Kiriman uang per bulan saat bekerja (Rp)")
    page.fill("#id_question-help_text", "Perkiraan rata-rata per bulan.")
    page.fill("#id_question-min_value", "0")
    page.fill("#id_question-max_value", "50000000")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Tambahkan pertanyaan").click()
    expect(page.locator("#question-remittance")).to_contain_text("Kiriman uang per bulan")
    page.screenshot(path=str(screenshot_dir / "admin-instrument-phone.png"), full_page=True)

    # Publish: the draft is in force, the version before is retired.
    page.locator("#publish").click()
    expect(page.locator("#instrument-status")).to_have_text("Berlaku")
    in_force.refresh_from_db()
    assert in_force.status == VersionStatus.RETIRED
    assert Question.objects.filter(domain__version=draft, code="remittance").exists()

    # An assistance type with an eligibility rule.
    page.goto(f"{base}/penyaluran/jenis/")
    page.get_by_role("button", name="Jenis bantuan baru").click()
    page.fill("#id_code", "paket_pemulihan")
    page.fill("#id_name", "Paket pemulihan ekonomi")
    page.fill("#id_default_amount", "1500000")
    page.fill("#id_max_decile", "4")
    page.check("#id_recommended")
    no_sideways_scroll(page)
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("h1")).to_have_text("Paket pemulihan ekonomi")
    kind = AssistanceType.objects.get(code="paket_pemulihan")
    assert kind.eligibility == [{"rule": "max_decile", "value": 4}, {"rule": "recommended"}]

    # Its budget for a period; an overlapping period is refused with a message saying what to do.
    year = date.today().year
    page.locator("#add-budget summary").click()
    type_date(page, "id_period_start", date(year, 1, 1))
    type_date(page, "id_period_end", date(year, 12, 31))
    page.fill("#id_amount", "60000000")
    page.get_by_role("button", name="Simpan anggaran").click()
    expect(page.locator("#budgets tbody")).to_contain_text("60.000.000")
    page.locator("#add-budget summary").click()
    type_date(page, "id_period_start", date(year, 6, 1))
    type_date(page, "id_period_end", date(year + 1, 5, 31))
    page.fill("#id_amount", "1000")
    page.get_by_role("button", name="Simpan anggaran").click()
    expect(page.locator("#add-budget")).to_contain_text("tumpang tindih")
    assert Budget.objects.filter(assistance_type=kind).count() == 1
    no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "admin-assistance-type-phone.png"), full_page=True)
