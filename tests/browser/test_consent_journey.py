"""A person withdraws her consent to share her data, on a phone: bp3mi.petugas opens her case, withdraws the
referral consent noting how she said it, and reads what stopped and what cannot be undone; sentra.peksos, who
received the referral, is told in the inbox and no longer sees her on the referral."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sinergi.cases.models import ConsentScope
from sinergi.demo.seeding import DEFAULT_PASSWORD
from sinergi.referrals.models import RECEIVER_SEES_CASE, Referral

PHONE = {"width": 390, "height": 844}
pytestmark = pytest.mark.browser


@pytest.fixture
def demo(regions_loaded: None) -> None:
    call_command("demo", persons=30, seed=11, stdout=io.StringIO())


def _login(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/akun/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page).to_have_url(re.compile(r":\d+/$"))


def test_a_withdrawal_stops_the_referral_and_tells_the_receiver(
    page: Page, live_server: Any, demo: None, screenshot_dir: Path
) -> None:
    referral = (
        Referral.objects.filter(
            from_agency__code="bp3mi-sulteng",
            to_agency__code="sentra-nipotowe",
            status__in=RECEIVER_SEES_CASE,
            consent__scope=ConsentScope.REFERRAL,
        )
        .select_related("case__person")
        .order_by("pk")
        .first()
    )
    assert referral is not None, "the demo has an open referral sent under consent"
    name = referral.case.person.full_name
    page.set_viewport_size(PHONE)
    base = live_server.url

    _login(page, base, "sentra.peksos")
    page.goto(f"{base}/rujukan/{referral.pk}/")
    expect(page.locator("main")).to_contain_text(name)
    page.context.clear_cookies()

    _login(page, base, "bp3mi.petugas")
    page.goto(f"{base}/kasus/{referral.case_id}/#consents")
    withdraw = page.locator(f"form[action*='/persetujuan/{referral.consent_id}/cabut/']")
    withdraw.locator("input[name=note]").fill("Lewat telepon kepada petugas, 6 Desember")
    page.once("dialog", lambda dialog: dialog.accept())
    withdraw.get_by_role("button", name="cabut persetujuan").click()
    report = page.locator(".withdrawal-effects")
    expect(report).to_contain_text("Berbagi data atas persetujuan ini telah dihentikan")
    expect(report).to_contain_text("Sentra")
    expect(report).to_contain_text("Tidak dapat dibatalkan")
    expect(page.locator("#consents")).to_contain_text("Lewat telepon kepada petugas")
    page.screenshot(path=screenshot_dir / "consent-withdrawn-phone.png", full_page=True)
    page.context.clear_cookies()

    _login(page, base, "sentra.peksos")
    page.goto(f"{base}/notifikasi/")
    expect(page.locator("main")).to_contain_text("Persetujuan dicabut")
    page.goto(f"{base}/rujukan/{referral.pk}/")
    expect(page.locator("main")).not_to_contain_text(name)
