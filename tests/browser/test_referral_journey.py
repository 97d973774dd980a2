"""Issue 3's story in a real browser with the demo accounts, on a phone-sized screen.

bp3mi.petugas records a complaint, verifies it, records consent and refers the PMI to Sentra Nipotowe;
sentra.peksos accepts it from the inbox, logs a service and completes it with feedback; bp3mi.petugas sees
every step, downloads the referral letter whose QR code points to a public verification page, and closes
the case. dinsos.petugas gets 404 for the case, the person and the referral, in pages and the API.

Selectors use URLs and field names, so the test does not depend on the wording of the translation.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sinergi.cases.models import Case, CaseStatus
from sinergi.demo.seeding import DEFAULT_PASSWORD
from sinergi.directory.models import Service
from sinergi.referrals.models import Referral, ReferralStatus
from sinergi.registry.models import Person

PHONE = {"width": 390, "height": 844}
pytestmark = pytest.mark.browser


@pytest.fixture
def demo(regions_loaded: None) -> None:
    call_command("demo", persons=20, seed=5, stdout=io.StringIO())


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/akun/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("form[action='/akun/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r":\d+/$"))  # each role lands on its home page


def open_details(page: Page, action: str) -> None:
    """Forms on the case page sit in collapsed <details>: open the one holding this form, if closed."""
    details = page.locator(f"details:has(form[action*='{action}'])").first
    if details.count() and details.get_attribute("open") is None:
        details.locator("summary").first.click()


def submit(page: Page, action_suffix: str) -> None:
    page.locator(f"form[action*='{action_suffix}'] button[type=submit]").first.click()


def test_it_walks_a_referral_from_bp3mi_to_sentra_and_back(
    page: Page, live_server: Any, demo: None, screenshot_dir: Path
) -> None:
    page.set_viewport_size(PHONE)
    base = live_server.url
    siti = Person.objects.get(full_name="Siti Aminah")

    # BP3MI records the complaint about a person it registered.
    log_in(page, base, "bp3mi.petugas")
    page.goto(f"{base}/kasus/baru/?person={siti.pk}")
    page.select_option("select[name=channel]", "WHATSAPP")
    page.check("input[name=complainant_type][value=KELUARGA]")
    page.fill("input[name=complainant_name]", "Ibu Rahma (ibu kandung)")
    page.check("input[name=categories][value=kekerasan-fisik-psikis]")
    page.check("input[name=categories][value=ingin-dipulangkan]")
    page.check("input[name=phase][value=SETELAH]")
    page.check("input[name=urgency][value=TINGGI]")
    page.fill("textarea[name=narrative]", "Dipulangkan dari Malaysia, mengalami kekerasan, trauma berat.")
    page.locator("form.case-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/kasus/\d+/(#.*)?$"))
    case = Case.objects.get(person=siti)
    expect(page.locator("body")).to_contain_text(case.number)
    assert re.fullmatch(r"BP3MI-SULTENG/\d{4}/\d{4}", case.number)

    # Verify, then handle.
    page.locator("form[action*='/status/'] button[name=to_status][value=VERIFIKASI]").click()
    page.locator("form[action*='/status/'] button[name=to_status][value=PENANGANAN]").click()
    expect(page.locator("form[action*='/status/'] input[name=to_status][value=SELESAI]")).to_be_attached()

    # Draft the referral; sending is refused until consent is recorded.
    a4 = Service.objects.get(agency__code="sentra-nipotowe", code="atensi-a4")
    open_details(page, "/rujuk/")
    page.locator("form[action*='/rujuk/'] select[name$=service]").select_option(str(a4.pk))
    page.locator("form[action*='/rujuk/'] textarea[name$=reason]").fill("Trauma: perlu terapi psikososial.")
    submit(page, "/rujuk/")
    expect(page).to_have_url(re.compile(r"/rujukan/\d+/(#.*)?$"))
    referral = Referral.objects.get(case=case)
    expect(page.locator("#consent-gate")).to_be_visible()  # the SOP route needs consent: no send button yet
    expect(page.locator(f"form[action*='/rujukan/{referral.pk}/send/']")).to_have_count(0)
    page.screenshot(path=screenshot_dir / "referral-consent-gate-phone.png", full_page=True)

    page.goto(f"{base}/kasus/{case.pk}/")
    open_details(page, "/persetujuan/")
    consent = page.locator("form[action*='/persetujuan/']")
    consent.locator("select[name$=scope]").select_option("RUJUKAN")
    consent.locator("select[name$=given_by]").select_option("SENDIRI")
    consent.locator("input[name$=giver_name]").fill("Siti Aminah")
    consent.locator("select[name$=method]").select_option("TERTULIS")
    consent.locator("button[type=submit]").click()
    expect(page.locator("#consents")).to_contain_text("Siti Aminah")

    page.goto(f"{base}/rujukan/{referral.pk}/")
    submit(page, f"/rujukan/{referral.pk}/send/")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert referral.letter_number and referral.verification_token
    page.screenshot(path=screenshot_dir / "referral-sent-phone.png", full_page=True)

    # The letter is a PDF and its QR code's address confirms it without personal data.
    letter = page.request.get(f"{base}/rujukan/{referral.pk}/surat.pdf")
    assert letter.status == 200 and letter.body().startswith(b"%PDF")
    verification = page.request.get(f"{base}/verifikasi/{referral.verification_token}/")
    assert verification.status == 200
    assert referral.letter_number in verification.text()
    assert "Siti Aminah" not in verification.text() and (siti.nik or "NIK?") not in verification.text()

    # Sentra's social worker finds it in the inbox with its deadline, and accepts it.
    log_in(page, base, "sentra.peksos")
    page.goto(f"{base}/rujukan/")
    expect(page.locator(f"a[href='/rujukan/{referral.pk}/']").first).to_be_visible()
    page.screenshot(path=screenshot_dir / "sentra-inbox-phone.png", full_page=True)
    page.goto(f"{base}/rujukan/{referral.pk}/")
    expect(page.locator("body")).to_contain_text("Siti Aminah")  # identity is shared by the SOP route
    submit(page, f"/rujukan/{referral.pk}/accept/")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED

    page.locator("#action-service summary").click()
    service = page.locator(f"form[action*='/rujukan/{referral.pk}/service/']")
    service.locator("textarea[name$=description]").fill("Konseling psikososial sesi pertama.")
    service.locator("button[type=submit]").click()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.IN_SERVICE

    page.locator("#action-complete summary").click()
    complete = page.locator(f"form[action*='/rujukan/{referral.pk}/complete/']")
    complete.locator("textarea[name$=outcome]").fill("Kondisi psikologis stabil.")
    complete.locator("textarea[name$=feedback]").fill("Lanjutkan pendampingan keluarga di Palu.")
    complete.locator("button[type=submit]").click()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    page.screenshot(path=screenshot_dir / "sentra-completed-phone.png", full_page=True)

    # Back at BP3MI: the feedback is there, a notification says so, and the case can be closed.
    log_in(page, base, "bp3mi.petugas")
    page.goto(f"{base}/notifikasi/")
    expect(page.locator("main")).to_contain_text(case.number)
    # Opening it (the page's one form posts to the row's own address) marks it read and goes to its page.
    page.locator("#notifications button", has_text=case.number).first.click()
    expect(page).not_to_have_url(f"{base}/notifikasi/")
    expect(page.locator("main")).to_contain_text(case.number)
    page.goto(f"{base}/rujukan/{referral.pk}/")
    expect(page.locator("body")).to_contain_text("Lanjutkan pendampingan keluarga di Palu.")
    page.goto(f"{base}/kasus/{case.pk}/")
    # Resolving asks how it ended and for a summary first (no one-click close).
    page.locator("details:has(input[name=to_status][value=SELESAI]) summary").click()
    page.select_option("#resolve_outcome", "TERATASI")
    page.fill("#resolve_reason", "Terapi selesai; kembali ke keluarga.")
    page.locator("form:has(input[name=to_status][value=SELESAI]) button[type=submit]").click()
    expect(page.locator("#status")).to_contain_text("Terapi selesai; kembali ke keluarga.")
    case.refresh_from_db()
    assert case.status == CaseStatus.DONE
    page.screenshot(path=screenshot_dir / "case-done-phone.png", full_page=True)

    # An agency that is not involved sees none of it, in pages and in the API.
    log_in(page, base, "dinsos.petugas")
    for path in (
        f"/kasus/{case.pk}/",
        f"/orang/{siti.pk}/",
        f"/rujukan/{referral.pk}/",
        f"/rujukan/{referral.pk}/surat.pdf",
        f"/api/v1/cases/{case.pk}",
        f"/api/v1/persons/{siti.pk}",
        f"/api/v1/referrals/{referral.pk}",
    ):
        response = page.request.get(f"{base}{path}")
        assert response.status == 404, path
