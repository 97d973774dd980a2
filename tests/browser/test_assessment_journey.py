"""Issue 10's acceptance in a real browser with the demo accounts, on a phone and on a desktop.

BP3MI has referred Siti Aminah (a returned PMI it registered) to Sentra Nipotowe. sentra.peksos assesses her;
the draft is kept on the server and on the device (a closed tab loses nothing), the network is cut mid-form and
restored, and the assessment is sent once. It recommends business capital and an entrepreneurship workshop, with
the reasons. She proposes the capital; sentra.kepala approves; the delivery is recorded with a receipt photo.
bp3mi.petugas then proposes BP3MI's business capital on BP3MI's record of Siti and is warned of Sentra
Nipotowe's delivery.
"""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from sinergi.accounts.models import User
from sinergi.assessments.models import Assessment, AssessmentDraft
from sinergi.benefits.models import AssistanceType, Benefit, BenefitStatus
from sinergi.demo.seeding import DEFAULT_PASSWORD
from sinergi.referrals.models import ReferralStatus
from sinergi.registry.models import Person
from sinergi.testing.assessments import answers
from sinergi.testing.referral_fixtures import open_case_for, referral_in
from tests.browser.dates import type_date

pytestmark = pytest.mark.browser
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 200

FIRST_HALF = (
    "monthly_income",
    "debts",
    "dependants",
    "returned_on",
    "work_sector",
    "years_abroad",
    "skills",
    "migrate_again",
    "education",
    "physical_health",
    "psychosocial_distress",
    "needs_treatment",
)


@pytest.fixture
def demo(regions_loaded: None) -> None:
    call_command("demo", persons=20, seed=5, stdout=io.StringIO())


def log_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/akun/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.locator("form[action='/akun/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r":\d+/$"))  # everyone lands on their home page


def answer(page: Page, code: str, value: str) -> None:
    field = page.locator(f"[name={code}]").first
    kind = field.get_attribute("type")
    tag = field.evaluate("el => el.tagName")
    if kind == "radio":
        page.check(f'input[name={code}][value="{value}"]')
    elif tag == "SELECT":
        page.select_option(f"select[name={code}]", value)
    elif kind == "hidden":  # a date: typed day/month/year into the visible field beside it
        type_date(page, f"id_{code}", date.fromisoformat(value))
    else:
        page.fill(f"[name={code}]", value)


def test_it_assesses_offline_proposes_approves_delivers_and_flags_the_duplicate(
    page: Page, live_server: Any, demo: None, screenshot_dir: Path, viewport: str
) -> None:
    page.set_viewport_size(VIEWPORTS[viewport])
    base = live_server.url
    siti = Person.objects.get(full_name="Siti Aminah", registered_by_agency__code="bp3mi-sulteng")
    petugas, peksos = User.objects.get(username="bp3mi.petugas"), User.objects.get(username="sentra.peksos")
    referral = referral_in(
        ReferralStatus.ACCEPTED, sender=petugas, receiver=peksos, case=open_case_for(petugas, person=siti)
    )
    values = answers()

    # sentra.peksos starts the assessment; the server keeps a draft as she types.
    log_in(page, base, "sentra.peksos")
    form_url = f"{base}/asesmen-kebutuhan/orang/{siti.pk}/baru/"
    page.goto(form_url)
    for code in FIRST_HALF[:6]:
        answer(page, code, values[code])
    expect(page.locator("#draft-status")).to_contain_text("WITA", timeout=10_000)
    assert AssessmentDraft.objects.filter(person=siti, author=peksos).exists()

    # The tab is closed and opened again: nothing typed is lost.
    context = page.context
    page.close()
    page = context.new_page()
    page.set_viewport_size(VIEWPORTS[viewport])
    page.goto(form_url)
    expect(page.locator("[name=skills]")).to_have_value("")
    expect(page.locator("[name=monthly_income]")).to_have_value(values["monthly_income"])
    for code in FIRST_HALF[6:]:
        answer(page, code, values[code])

    # The network goes down mid-form; she keeps typing and submits; nothing is sent yet.
    context.set_offline(True)
    expect(page.locator("#offline-banner")).to_be_visible()
    for code, value in values.items():
        if code not in FIRST_HALF:
            answer(page, code, value)
    page.select_option("select[name=consent_by]", "SENDIRI")
    page.fill("input[name=consent_name]", "Siti Aminah")
    page.screenshot(path=screenshot_dir / f"assessment-offline-{viewport}.png", full_page=True)
    page.locator("form.assessment-form button[type=submit]").click()
    expect(page.locator("#pending-banner")).to_be_visible()
    assert not Assessment.objects.filter(person=siti).exists()

    # The connection comes back: the form is sent once, with every answer.
    context.set_offline(False)
    expect(page).to_have_url(re.compile(r"/asesmen-kebutuhan/\d+/$"), timeout=15_000)
    assessment = Assessment.objects.get(person=siti)
    assert assessment.answers["skills"] == values["skills"]  # typed before the tab was closed
    assert assessment.answers["business_interest"] == "planning"  # typed offline
    assert assessment.sensitive_answers["psychosocial_distress"] == 4
    capital = page.locator("li[data-code=business_capital]")
    expect(capital).to_contain_text("desil")
    expect(page.locator("li[data-code=entrepreneurship_workshop]")).to_contain_text("usaha")
    page.screenshot(path=screenshot_dir / f"assessment-recommendations-{viewport}.png", full_page=True)

    # Assistance is Sentra's own record: she takes Siti into Sentra's registry from the referral first (what
    # the referral shares, on a recorded basis), then proposes the business capital on that record.
    page.goto(f"{base}/rujukan/{referral.pk}/")
    page.get_by_role("button", name="Masukkan ke registri kami").click()
    page.select_option("select[name=basis]", "PERSETUJUAN")
    page.fill("textarea[name=basis_note]", "Formulir persetujuan no. 12/2026")
    page.locator("form button[type=submit]", has_text="Masukkan ke registri kami").click()
    expect(page.locator("main")).to_contain_text("Siti Aminah")
    own = Person.objects.get(full_name="Siti Aminah", registered_by_agency__code="sentra-nipotowe")
    sentra_capital = AssistanceType.objects.get(agency__code="sentra-nipotowe", code="business_capital")
    page.goto(f"{base}/penyaluran/orang/{own.pk}/usul/")
    page.select_option("select[name=type_id]", str(sentra_capital.pk))
    page.fill("textarea[name=reason]", "Modal usaha kue kering sesuai asesmen.")
    page.locator("form[action*='/usul/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/penyaluran/\d+/$"))
    benefit = Benefit.objects.get(person=own, agency__code="sentra-nipotowe")
    page.locator("form.benefit-step[data-action=verify] button").click()
    expect(page.locator("#benefit-status")).to_have_attribute("data-status", "VERIFIKASI")

    # sentra.kepala approves.
    log_in(page, base, "sentra.kepala")
    page.goto(f"{base}/penyaluran/{benefit.pk}/")
    page.locator("form.benefit-step[data-action=approve] button").click()
    expect(page.locator("#benefit-status")).to_have_attribute("data-status", "DISETUJUI")

    # The delivery is recorded with a receipt photo.
    log_in(page, base, "sentra.peksos")
    page.goto(f"{base}/penyaluran/{benefit.pk}/")
    page.set_input_files("input[name=proof]", {"name": "kwitansi.jpg", "mimeType": "image/jpeg", "buffer": JPEG})
    page.locator("#deliver-form button[type=submit]").click()
    expect(page.locator("#benefit-status")).to_have_attribute("data-status", "DISALURKAN")
    benefit.refresh_from_db()
    assert benefit.status == BenefitStatus.DELIVERED and benefit.delivered_on == timezone.localdate()

    # bp3mi.petugas proposes BP3MI's business capital on its own record of Siti: flagged, naming Sentra's delivery.
    log_in(page, base, "bp3mi.petugas")
    bp3mi_capital = AssistanceType.objects.get(agency__code="bp3mi-sulteng", code="business_capital")
    page.goto(f"{base}/penyaluran/orang/{siti.pk}/usul/")
    page.select_option("select[name=type_id]", str(bp3mi_capital.pk))
    page.locator("form[action*='/usul/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/penyaluran/\d+/$"))
    warning = page.locator("#duplicate-warning")
    expect(warning).to_contain_text("Sentra Nipotowe Palu")
    expect(warning).to_contain_text(timezone.localdate().isoformat())
    page.screenshot(path=screenshot_dir / f"assistance-duplicate-{viewport}.png", full_page=True)
    # BP3MI's petugas sees the recommendation but not the health answers.
    page.goto(f"{base}/asesmen-kebutuhan/{assessment.pk}/")
    expect(page.locator("body")).not_to_contain_text("Sulit tidur")


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)
