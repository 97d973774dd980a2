"""The README's "Try it", step by step as written, on a fresh demo database, at 390 px and at 1280 px.

Every step goes through the pages (links, menus, forms) a new user would use; the screenshots go to
docs/screenshots/ (the README shows some) and are the ones to look at for English, raw codes or text cut off.
Selectors use URLs and field names where they can; the Indonesian words checked are the ones the README names.
"""

from __future__ import annotations

import io
import re
import signal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from sinergi.cases.models import Case, CaseStatus
from sinergi.demo.seeding import DEFAULT_PASSWORD
from sinergi.directory.models import Service
from sinergi.imports.models import BatchStatus, ImportBatch
from sinergi.matching.models import Decision, MatchCandidate, Merge
from sinergi.referrals.models import Referral, ReferralStatus
from sinergi.registry.models import Person

pytestmark = pytest.mark.browser
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SAMPLE = Path(__file__).resolve().parents[2] / "sinergi" / "imports" / "samples" / "ekspor-sisko-p2mi.csv"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


@pytest.fixture
def demo(regions_loaded: None, settings: Any, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SINERGI_IMPORT_DIR = str(tmp_path / "imports")
    # As `make run` seeds it (100 persons instead of 300 keeps the test short; duplicates need 100).
    call_command("demo", persons=100, stdout=io.StringIO())


class Walk:
    def __init__(self, page: Page, base: str, viewport: str) -> None:
        self.page, self.base, self.viewport = page, base, viewport

    def shot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}-{self.viewport}.png", full_page=True)
        # Nothing wider than the screen: a page that scrolls sideways cuts something off.
        overflow = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{name}: {overflow}px wider than the screen"
        expect(self.page.locator("html")).to_have_attribute("lang", "id")

    def log_in(self, username: str) -> None:
        self.page.context.clear_cookies()
        self.page.goto(f"{self.base}/akun/login/")
        self.page.fill("#id_login", username)
        self.page.fill("#id_password", DEFAULT_PASSWORD)
        self.page.locator("form[action='/akun/login/'] button[type=submit]").click()
        expect(self.page).to_have_url(re.compile(r":\d+/$"))  # everyone lands on their home page

    def menu(self, href: str) -> None:
        """Follow a navigation link; on a phone the links fold behind "Menu" first."""
        toggle = self.page.locator("label[for=nav-toggle]")
        if toggle.is_visible():
            toggle.click()
        self.page.locator(f"header nav a[href='{href}']").first.click()
        expect(self.page).to_have_url(re.compile(re.escape(href) + r"(\?.*)?$"))

    def open_details(self, action: str) -> None:
        details = self.page.locator(f"details:has(form[action*='{action}'])").first
        if details.get_attribute("open") is None:
            details.locator("summary").first.click()

    def submit(self, action: str) -> None:
        self.page.locator(f"form[action*='{action}'] button[type=submit]").first.click()


def run_worker() -> None:
    """One pass of the task worker (the one `make run` starts) over the queue."""
    saved = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    try:
        call_command(
            "db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0, queue_name="*"
        )
    finally:
        for signum, handler in saved.items():
            signal.signal(signum, handler)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_it_walks_the_readme_try_it(page: Page, live_server: Any, demo: None, viewport: str) -> None:
    page.set_viewport_size(VIEWPORTS[viewport])
    walk = Walk(page, live_server.url, viewport)
    base = live_server.url
    siti = Person.objects.get(full_name="Siti Aminah")
    refused_by_csp: list[str] = []  # a script or style the Content-Security-Policy blocks breaks a page silently
    page.on(
        "console", lambda message: refused_by_csp.append(message.text) if "Content Security" in message.text else None
    )

    # 1. bp3mi.petugas: home, search Suharto, register "Sitti Aminah" (warned), check a NIK.
    walk.log_in("bp3mi.petugas")
    expect(page.locator("a.figure[href='/rujukan/?tab=terlambat'] strong")).not_to_have_text("0")
    walk.shot("1-home-petugas")
    walk.menu("/orang/")
    page.fill("input[name=q]", "Suharto")
    page.locator("form.search-form button[type=submit]").click()
    expect(page.locator("#search-results a", has_text="Soeharto")).to_be_visible()
    walk.shot("1-search")
    page.locator("#search-results a[href^='/orang/baru/']").click()
    page.fill("input[name=full_name]", "Sitti Aminah")
    born = page.get_by_label("Tanggal lahir", exact=True)  # typed day first, whatever the browser's language
    born.fill("12-10-1990")
    born.press("Tab")
    expect(page.locator("input[name=birth_date]")).to_have_value("1990-10-12")
    born.click()  # the calendar: Indonesian month and day names, Monday first
    expect(page.locator(".flatpickr-calendar.open .flatpickr-monthDropdown-months")).to_contain_text("Oktober")
    walk.shot("1-date-picker")
    page.keyboard.press("Escape")  # closes the calendar (a tap on the form with it open once scrolled the page away)
    expect(page.locator(".flatpickr-calendar.open")).to_have_count(0)
    expect(page.locator("#possible-matches")).to_contain_text("Siti Aminah")
    page.locator("form button[type=submit]", has_text="Daftarkan").first.click()
    expect(page.locator("#duplicate-warning")).to_contain_text("Siti Aminah")
    walk.shot("1-duplicate-warning")
    assert not Person.objects.filter(full_name="Sitti Aminah", registered_by_agency__code="bp3mi-sulteng").exists()
    walk.menu("/orang/")
    page.locator("main a[href='/orang/nik/']").click()
    page.fill("input[name=nik]", "7271055210900001")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text("1990")
    walk.shot("1-nik-check")

    # 2. Siti Aminah: complaint, verification, handling, consent, referral to ATENSI A4, letter and QR page.
    walk.menu("/orang/")
    page.fill("input[name=q]", "Siti Aminah")
    page.locator("form.search-form button[type=submit]").click()
    page.locator(f"#search-results a[href='/orang/{siti.pk}/']").click()
    page.locator(f"a[href='/kasus/baru/?person={siti.pk}']").first.click()
    page.select_option("select[name=channel]", "WHATSAPP")
    page.check("input[name=complainant_type][value=KELUARGA]")
    page.fill("input[name=complainant_name]", "Ibu Rahma (ibu kandung)")
    page.check("input[name=categories][value=kekerasan-fisik-psikis]")
    page.check("input[name=phase][value=SETELAH]")
    page.check("input[name=urgency][value=TINGGI]")
    page.fill("textarea[name=narrative]", "Dipulangkan dari Malaysia, mengalami kekerasan, trauma berat.")
    page.locator("form.case-form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/kasus/\d+/(#.*)?$"))
    case = Case.objects.get(person=siti)
    page.locator("form[action*='/status/'] button[name=to_status][value=VERIFIKASI]").click()
    page.locator("form[action*='/status/'] button[name=to_status][value=PENANGANAN]").click()
    expect(page.locator("#status")).to_contain_text("Penanganan")
    walk.open_details("/persetujuan/")
    consent = page.locator("form[action*='/persetujuan/']")
    consent.locator("select[name$=scope]").select_option("RUJUKAN")
    consent.locator("select[name$=given_by]").select_option("SENDIRI")
    consent.locator("input[name$=giver_name]").fill("Siti Aminah")
    consent.locator("select[name$=method]").select_option("TERTULIS")
    consent.locator("button[type=submit]").click()
    expect(page.locator("#consents")).to_contain_text("Siti Aminah")
    a4 = Service.objects.get(agency__code="sentra-nipotowe", code="atensi-a4")
    walk.open_details("/rujuk/")
    page.locator("form[action*='/rujuk/'] select[name$=service]").select_option(str(a4.pk))
    page.locator("form[action*='/rujuk/'] textarea[name$=reason]").fill("Trauma: perlu terapi psikososial.")
    walk.submit("/rujuk/")
    expect(page).to_have_url(re.compile(r"/rujukan/\d+/(#.*)?$"))
    referral = Referral.objects.get(case=case)
    walk.submit(f"/rujukan/{referral.pk}/send/")
    expect(page.locator(f"a[href='/rujukan/{referral.pk}/surat.pdf']").first).to_be_visible()
    walk.shot("2-referral-sent")
    letter = page.request.get(f"{base}/rujukan/{referral.pk}/surat.pdf")
    assert letter.status == 200 and letter.body().startswith(b"%PDF")
    referral.refresh_from_db()
    page.goto(f"{base}/verifikasi/{referral.verification_token}/")
    expect(page.locator("main")).to_contain_text(referral.letter_number)
    walk.shot("2-letter-verification")

    # 3. sentra.peksos: home counts it, inbox, accept, take in, service, complete; BP3MI sees the feedback and
    # resolves.
    walk.log_in("sentra.peksos")
    expect(page.locator("a.figure[href='/rujukan/?tab=menunggu'] strong")).not_to_have_text("0")
    walk.shot("3-home-sentra")
    walk.menu("/rujukan/")
    expect(page.locator(f"a[href='/rujukan/{referral.pk}/']").first).to_be_visible()
    walk.shot("3-inbox-sentra")
    page.locator(f"a[href='/rujukan/{referral.pk}/']").first.click()
    walk.submit(f"/rujukan/{referral.pk}/accept/")
    # While the referral is open, Sentra keeps its own record: what the referral shares, on a recorded basis.
    page.get_by_role("button", name="Masukkan ke registri kami").click()
    page.select_option("select[name=basis]", "PERSETUJUAN")
    page.fill("textarea[name=basis_note]", "Formulir persetujuan no. 7/2026")
    page.locator("main form button[type=submit]", has_text="Masukkan ke registri kami").click()
    expect(page.locator("main")).to_contain_text("Siti Aminah")
    assert Person.objects.filter(full_name="Siti Aminah", registered_by_agency__code="sentra-nipotowe").exists()
    page.goto(f"{base}/rujukan/{referral.pk}/")
    page.locator("#action-service summary").click()
    service = page.locator(f"form[action*='/rujukan/{referral.pk}/service/']")
    service.locator("textarea[name$=description]").fill("Konseling psikososial sesi pertama.")
    service.locator("button[type=submit]").click()
    page.locator("#action-complete summary").click()
    complete = page.locator(f"form[action*='/rujukan/{referral.pk}/complete/']")
    complete.locator("textarea[name$=outcome]").fill("Kondisi psikologis stabil.")
    complete.locator("textarea[name$=feedback]").fill("Lanjutkan pendampingan keluarga di Palu.")
    complete.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Lanjutkan pendampingan keluarga di Palu.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    walk.menu("/rujukan/")
    page.locator("a[href='?tab=semua']").click()
    expect(page.locator(f"a[href='/rujukan/{referral.pk}/']").first).to_be_visible()  # closed, still listed
    walk.shot("3-inbox-history-sentra")

    walk.log_in("bp3mi.petugas")
    walk.menu("/notifikasi/")
    expect(page.locator("main")).to_contain_text(case.number)
    page.goto(f"{base}/kasus/{case.pk}/")
    expect(page.locator("#referrals")).to_contain_text("Lanjutkan pendampingan keluarga di Palu.")
    page.goto(f"{base}/orang/{siti.pk}/")
    expect(page.locator("#cases")).to_contain_text("Lanjutkan pendampingan keluarga di Palu.")
    page.locator(f"#cases a[href='/kasus/{case.pk}/']").click()
    page.locator("details:has(input[name=to_status][value=SELESAI]) summary").click()
    page.select_option("#resolve_outcome", "TERATASI")
    page.fill("#resolve_reason", "Terapi selesai; kembali ke keluarga di Palu.")
    walk.shot("3-resolve")
    page.locator("form:has(input[name=to_status][value=SELESAI]) button[type=submit]").click()
    expect(page.locator("#status")).to_contain_text("Terapi selesai; kembali ke keluarga di Palu.")
    case.refresh_from_db()
    assert (case.status, case.outcome) == (CaseStatus.DONE, "TERATASI")
    page.goto(f"{base}/orang/{siti.pk}/")
    expect(page.locator("#cases")).to_contain_text("Terapi selesai")
    walk.shot("3-person-hub")

    # 4. dinsos.petugas: the case, the person and the referral answer 404, in Indonesian.
    walk.log_in("dinsos.petugas")
    for path in (f"/kasus/{case.pk}/", f"/orang/{siti.pk}/", f"/rujukan/{referral.pk}/"):
        response = page.goto(f"{base}{path}")
        assert response is not None and response.status == 404, path
        expect(page.locator("h1")).to_have_text("Tidak ditemukan")
    walk.shot("4-not-found")

    # 5. bp3mi.operator: import the sample, mapping, preview, confirm, progress; review a pair; golden; undo.
    walk.log_in("bp3mi.operator")
    walk.menu("/impor/")
    page.locator("a[href='/impor/baru/']").click()
    page.set_input_files("input[name=file]", SAMPLE)
    page.fill("input[name=new_source]", "Ekspor Sisko P2MI")
    page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/impor/\d+/kolom/$"))
    walk.shot("5-import-columns")
    page.locator("form button[type=submit][data-once]").click()
    batch = ImportBatch.objects.get(file_name=SAMPLE.name)  # the demo has a finished import of its own
    run_worker()
    confirm = page.locator(f"form[action='/impor/{batch.pk}/konfirmasi/'] button[type=submit]")
    expect(confirm).to_be_visible(timeout=20_000)
    walk.shot("5-import-preview")
    confirm.click()
    run_worker()
    expect(page.locator("#counts a[href='/pencocokan/']")).to_be_visible(timeout=20_000)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE
    walk.shot("5-import-result")
    walk.menu("/pencocokan/")
    pair = MatchCandidate.objects.filter(decision=Decision.PENDING).order_by("-probability", "pk").first()
    assert pair is not None
    page.locator(f"#pairs a[href='/pencocokan/pasangan/{pair.pk}/']").click()
    expect(page.locator("#weights progress").first).to_be_visible()
    walk.shot("5-pair")
    decision = page.locator("#decision")
    decision.locator(f"input[name=decision][value={Decision.SAME}]").check()
    decision.locator(f"input[name=survivor][value='{pair.person_id}']").check()
    decision.locator("button[type=submit]").click()
    expect(page.locator(f"#decision a[href='/orang/{pair.person_id}/']")).to_be_visible()
    merge = Merge.objects.get(undone_at__isnull=True)
    page.locator(f"#decision a[href='/orang/{pair.person_id}/']").click()
    page.locator(f"a[href='/pencocokan/orang/{merge.survivor_id}/rekaman-emas/']").click()
    expect(page.locator("main h1")).to_be_visible()
    walk.shot("5-golden-record")
    page.goto(f"{base}/orang/{merge.survivor_id}/")
    page.locator("#merged details.confirm summary").click()
    page.locator(f"#merged form[action='/pencocokan/gabungan/{merge.pk}/batalkan/'] button[type=submit]").click()
    expect(page.locator("#merged")).to_have_count(0)
    merge.refresh_from_db()
    assert merge.undone_at is not None

    # 6. bp3mi.kepala: home with what waits and what is late, the special-assistance list and export, KPIs.
    walk.log_in("bp3mi.kepala")
    expect(page.locator("main")).to_contain_text("Menunggu persetujuan Anda")
    walk.shot("6-home-kepala")
    walk.menu("/asistensi/")
    expect(page.locator("main a[href^='/asistensi/']").first).to_be_visible()
    walk.shot("6-assistance-list")
    export = page.request.get(f"{base}/asistensi/ekspor.xlsx")
    assert export.status == 200 and export.body()[:2] == b"PK"
    walk.menu("/rujukan/kpi/")
    walk.shot("6-kpi")
    assert not refused_by_csp
