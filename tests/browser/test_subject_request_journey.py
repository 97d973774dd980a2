"""A person asks BP3MI to correct their birthplace: the head records the request from the person's page, sees
it with its legal clock on the home page, grants it (the record changes, the page shows what changed) and
the request leaves the inbox — on a phone-sized screen."""

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
    call_command("demo", persons=12, seed=5, stdout=io.StringIO())


def test_the_head_records_and_grants_a_correction_and_it_leaves_the_inbox(
    page: Page, live_server: Any, demo: None, screenshot_dir: Path
) -> None:
    person = Person.objects.filter(registered_by_agency__code="bp3mi-sulteng").order_by("pk").first()
    assert person is not None
    page.set_viewport_size(PHONE)
    base = live_server.url
    page.goto(f"{base}/akun/login/")
    page.get_by_label("Nama pengguna").fill("bp3mi.kepala")
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r":\d+/$"))
    inbox = page.locator("#home-subject-requests")
    expect(inbox).to_contain_text("Tidak ada permohonan yang menunggu jawaban.")

    page.goto(f"{base}/orang/{person.pk}/")
    page.get_by_role("button", name="Catat permohonan subjek data").click()
    page.get_by_label("Yang dimohon").select_option(label="Perbaikan")
    page.get_by_label("Cara permohonan diterima").select_option(label="Datang langsung")
    page.get_by_label("Cara identitas diperiksa").fill("KTP diperlihatkan di loket")
    page.get_by_label("Data yang diperbaiki").select_option(label="Tempat lahir")
    page.get_by_label("Nilai yang benar").fill("Donggala")
    page.get_by_role("button", name="Catat permohonan").click()
    expect(page.get_by_text("Permohonan dicatat.")).to_be_visible()

    page.goto(f"{base}/")
    expect(inbox).to_contain_text(person.full_name)
    expect(inbox).to_contain_text(re.compile(r"sisa 7[12] jam"))
    page.screenshot(path=screenshot_dir / "subject-request-inbox-phone.png", full_page=True)
    inbox.get_by_role("link", name=re.compile("Perbaikan")).click()

    page.get_by_label("Dikabulkan", exact=True).check()
    page.get_by_label("Jawaban kepada pemohon").fill("Tempat lahir sudah diperbaiki.")
    page.get_by_role("button", name="Catat jawaban").click()
    expect(page.locator("#what-changed")).to_contain_text("Donggala")
    page.screenshot(path=screenshot_dir / "subject-request-answered-phone.png", full_page=True)
    person.refresh_from_db()
    assert person.birth_place == "Donggala"

    page.goto(f"{base}/")
    expect(inbox).to_contain_text("Tidak ada permohonan yang menunggu jawaban.")
    expect(inbox).not_to_contain_text(person.full_name)
