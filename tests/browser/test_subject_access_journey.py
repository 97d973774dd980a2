"""A person asks BP3MI what it holds about them: the head of BP3MI opens the person, follows "Salinan data
pribadi" and downloads the PDF and the JSON, on a phone-sized screen."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sinergi.cases.models import Case
from sinergi.demo.seeding import DEFAULT_PASSWORD

PHONE = {"width": 390, "height": 844}
pytestmark = pytest.mark.browser


@pytest.fixture
def demo(regions_loaded: None) -> None:
    call_command("demo", persons=30, seed=11, stdout=io.StringIO())


def test_the_head_downloads_a_persons_data_as_pdf_and_json(
    page: Page, live_server: Any, demo: None, screenshot_dir: Path
) -> None:
    person = Case.objects.filter(agency__code="bp3mi-sulteng").order_by("pk").first().person  # type: ignore[union-attr]
    page.set_viewport_size(PHONE)
    base = live_server.url
    page.goto(f"{base}/akun/login/")
    page.get_by_label("Nama pengguna").fill("bp3mi.kepala")
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r":\d+/$"))

    page.goto(f"{base}/orang/{person.pk}/")
    page.get_by_role("link", name="Salinan data pribadi").click()
    expect(page.get_by_role("heading", name="Salinan data pribadi")).to_be_visible()
    page.screenshot(path=screenshot_dir / "subject-access-phone.png", full_page=True)

    with page.expect_download() as pdf:
        page.get_by_role("button", name="Unduh PDF").click()
    assert Path(pdf.value.path()).read_bytes().startswith(b"%PDF")
    with page.expect_download() as exported:
        page.get_by_role("button", name="Unduh JSON").click()
    data = json.loads(Path(exported.value.path()).read_text())
    assert data["person"][0]["id"] == person.pk
    assert {case["id"] for case in data["cases"]} >= {person.cases.first().pk}  # type: ignore[union-attr]
