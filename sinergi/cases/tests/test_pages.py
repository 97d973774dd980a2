"""The case pages through the Django test client (force_login): list, intake, detail, its section forms,
attachments and status buttons, with the shared personas (alice BP3MI petugas, bob BP3MI auditor,
carol Sentra pekerja sosial, dave Dinsos petugas)."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.translation import gettext

from sinergi.accounts.models import User
from sinergi.cases import services, uploads
from sinergi.cases.models import (
    Assessment,
    Attachment,
    Case,
    CaseNote,
    CaseStatus,
    CaseTask,
    Consent,
    InterventionPlan,
)
from sinergi.directory.models import Service, ServiceCategory
from sinergi.referrals import services as referral_services
from sinergi.referrals.models import Deadline, Referral
from sinergi.registry.models import Person
from sinergi.registry.services import EpisodeData, add_migration_episode
from sinergi.sop.models import SopDocument
from sinergi.testing.factories import make_person
from sinergi.testing.referral_fixtures import service_of

LIST = "/kasus/"
CREATE = "/kasus/baru/"
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def files_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Uploaded files go to a temporary directory, never the developer's var/files."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }


@pytest.fixture
def siti(alice: User) -> Person:
    """BP3MI's record of Siti Aminah, living in Ulujadi (Kota Palu), last worked in Malaysia."""
    person = make_person(alice, full_name="Siti Aminah", region_code="72.71.05")
    add_migration_episode(
        actor=alice,
        person_id=person.pk,
        data=EpisodeData(
            destination_country="MY", employer="Syarikat Maju", placement_company="PT Jaya", procedural=False
        ),
    )
    return person


@pytest.fixture
def lamba(alice: User) -> Person:
    """Another BP3MI person, from Poso."""
    return make_person(alice, full_name="Yusuf Lamba", sex="L", birth_date=date(1985, 3, 17), region_code="72.02.01")


@pytest.fixture
def dinsos_person(dave: User) -> Person:
    return make_person(dave, full_name="Siti Aminah Lapasila", birth_date=date(1992, 5, 5))


def open_case(actor: User, person: Person, **changes: Any) -> Case:
    data = services.CaseData(
        person_id=person.pk,
        channel="HOTLINE",
        complainant_type="PMI",
        phase="SELAMA",
        category_codes=["gaji-tidak-dibayar"],
        destination_country="MY",
    )
    for name, value in changes.items():
        setattr(data, name, value)
    return services.open_case(actor=actor, data=data)


@pytest.fixture
def case(alice: User, siti: Person) -> Case:
    return open_case(alice, siti)


@pytest.fixture
def therapy(sop: SopDocument) -> Service:
    """Sentra Nipotowe's psychosocial therapy, which the demo joint SOP allows for every category."""
    return service_of("sentra-nipotowe", "atensi-a4")


def translated(message: str, **params: Any) -> str:
    """A service message as the page shows it (Indonesian, HTML-escaped), whether or not it is translated yet."""
    with translation.override("id"):
        return escape(gettext(message) % params if params else gettext(message))


def body(response: Any) -> str:
    return response.content.decode()


def field_errors(response: Any, field: str, prefix: str = "id") -> str:
    """The error list under a form field (`prefix` is the form's auto_id prefix on the detail page)."""
    found = re.search(rf'<ul class="errorlist" id="{prefix}_{field}_errors">(.*?)</ul>', body(response), re.S)
    return found.group(1) if found else ""


def case_numbers(response: Any) -> list[str]:
    return re.findall(r'<td class="case-number"><a href="/kasus/\d+/">([^<]+)</a>', body(response))


def pdf_bytes() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# --- list -------------------------------------------------------------------------------------------------


def test_it_lists_the_agencys_cases_newest_first(client, alice, dave, siti, lamba):
    first = open_case(alice, siti)
    second = open_case(alice, lamba)
    client.force_login(alice)
    response = client.get(LIST)
    assert response.status_code == 200
    assert case_numbers(response) == [second.number, first.number]
    page = body(response)
    assert "Yusuf Lamba" in page
    assert "Gaji tidak dibayar" in page
    assert "/kasus/baru/" in page

    client.force_login(dave)
    assert case_numbers(client.get(LIST)) == []


def test_it_filters_by_status_category_regency_destination_and_overdue(client, alice, siti, lamba, therapy):
    in_palu = open_case(alice, siti)
    in_poso = open_case(alice, lamba, category_codes=["tppo", "ingin-dipulangkan"], destination_country="SA")
    services.change_case_status(actor=alice, case_id=in_poso.pk, to_status=CaseStatus.VERIFICATION)
    client.force_login(alice)

    assert case_numbers(client.get(LIST, {"status": "VERIFIKASI"})) == [in_poso.number]
    assert case_numbers(client.get(LIST, {"status": "open"})) == [in_poso.number, in_palu.number]
    assert case_numbers(client.get(LIST, {"status": "SELESAI"})) == []
    assert case_numbers(client.get(LIST, {"category": "tppo"})) == [in_poso.number]
    assert case_numbers(client.get(LIST, {"regency": "72.71"})) == [in_palu.number]
    assert case_numbers(client.get(LIST, {"regency": "72.02"})) == [in_poso.number]
    assert case_numbers(client.get(LIST, {"destination": "SA"})) == [in_poso.number]
    assert case_numbers(client.get(LIST, {"overdue": "on"})) == []

    services.record_consent(
        actor=alice,
        case_id=in_palu.pk,
        data=services.ConsentData(scope="RUJUKAN", given_by="SENDIRI", giver_name="Siti Aminah", method="TERTULIS"),
    )
    referral = referral_services.create_referral(
        actor=alice, case_id=in_palu.pk, service_id=therapy.pk, reason="Trauma"
    )
    referral_services.send_referral(actor=alice, referral_id=referral.pk)
    Deadline.objects.filter(referral=referral).update(due_at=timezone.now() - timedelta(hours=1))
    response = client.get(LIST, {"overdue": "on"})
    assert case_numbers(response) == [in_palu.number]
    assert re.search(r'<td class="nowrap" data-label="[^"]+">1</td>', body(response))  # one open referral


def test_it_offers_the_home_provinces_regencies_as_filter(client, alice):
    client.force_login(alice)
    page = body(client.get(LIST))
    assert '<option value="72.71">Kota Palu</option>' in page
    assert '<option value="72.02">Kabupaten Poso</option>' in page
    assert 'value="31.71"' not in page  # Jakarta is not in Sulawesi Tengah


def test_it_shows_an_error_for_an_unknown_filter_value(client, alice, case):
    client.force_login(alice)
    response = client.get(LIST, {"status": "BOGUS"})
    assert response.status_code == 200
    assert case_numbers(response) == []
    assert 'class="message error"' in body(response)


def test_it_pages_by_keyset_with_a_fixed_number_of_queries(
    client, alice, siti, lamba, monkeypatch, django_assert_max_num_queries
):
    from sinergi.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    cases = [open_case(alice, siti if n % 2 else lamba) for n in range(5)]
    numbers = [c.number for c in reversed(cases)]
    client.force_login(alice)
    client.get(LIST)  # session and language warm-up

    with django_assert_max_num_queries(10):
        first = client.get(LIST)
    assert case_numbers(first) == numbers[:2]
    older = re.search(r'href="\?before=(\d+)"', body(first))
    assert older is not None
    second = client.get(LIST, {"before": older.group(1)})
    assert case_numbers(second) == numbers[2:4]
    third = client.get(LIST, {"before": cases[1].pk})
    assert case_numbers(third) == numbers[4:]
    assert "?before=" not in body(third).split('class="pager"')[1].split("</nav>")[0]

    # Ten times the page: the same number of queries (categories are prefetched, counts annotated).
    monkeypatch.setattr(views, "PAGE_SIZE", 20)
    with django_assert_max_num_queries(10):
        assert len(case_numbers(client.get(LIST))) == 5


def test_it_keeps_the_filters_in_the_next_page_link(client, alice, siti, monkeypatch):
    from sinergi.cases import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    open_case(alice, siti)
    open_case(alice, siti)
    client.force_login(alice)
    page = body(client.get(LIST, {"status": "open", "category": "gaji-tidak-dibayar"}))
    assert re.search(r'href="\?status=open&amp;category=gaji-tidak-dibayar&amp;before=\d+"', page)


def test_it_returns_only_the_results_for_an_htmx_filter(client, alice, case):
    client.force_login(alice)
    response = client.get(LIST, {"status": "open"}, HTTP_HX_TARGET="case-results", **HTMX)
    page = body(response)
    assert "<html" not in page
    assert page.lstrip().startswith('<section id="case-results"')
    assert case.number in page


# --- intake -----------------------------------------------------------------------------------------------


def intake(who: Person, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "person": str(who.pk),
        "channel": "WHATSAPP",
        "received_at": "2026-03-02T09:30",
        "complainant_type": "KELUARGA",
        "complainant_name": "Rahmat",
        "complainant_contact": "0812 1111 2222",
        "categories": ["gaji-tidak-dibayar", "penahanan-dokumen"],
        "phase": "SELAMA",
        "destination_country": "MY",
        "employer": "Syarikat Maju",
        "placement_company": "PT Jaya",
        "procedural": "false",
        "urgency": "TINGGI",
        "flag_trafficking": "on",
        "narrative": "Gaji 8 bulan belum dibayar; paspor ditahan majikan.",
    }
    data.update(changes)
    return data


def test_it_searches_the_registry_before_creating(client, alice, siti, dinsos_person):
    client.force_login(alice)
    response = client.get(CREATE, {"q": "siti aminah"})
    page = body(response)
    assert response.status_code == 200
    assert f'href="/kasus/baru/?person={siti.pk}"' in page
    # Another agency's person is not reached by a name alone (issue 9, finding 2), and never chosen.
    assert "Siti Aminah Lapasila" not in page
    assert f"?person={dinsos_person.pk}" not in page
    assert "/orang/baru/?q=siti%20aminah&amp;next=/kasus/baru/" in page


def test_it_answers_the_live_search_with_the_results_only(client, alice, siti):
    client.force_login(alice)
    response = client.get(CREATE, {"q": "Siti Aminah"}, HTTP_HX_TARGET="person-results", **HTMX)
    page = body(response)
    assert page.lstrip().startswith('<section id="person-results"')
    assert f"?person={siti.pk}" in page


def test_it_starts_the_intake_from_the_persons_record(client, alice, siti):
    client.force_login(alice)
    response = client.get(CREATE, {"person": siti.pk})
    page = body(response)
    assert response.status_code == 200
    assert f'name="person" value="{siti.pk}"' in page
    assert '<option value="MY" selected>' in page
    assert 'value="Syarikat Maju"' in page
    assert '<option value="false" selected>' in page
    now = timezone.localtime()
    assert f'value="{now:%Y-%m-%d}T' in page  # received at: now, WITA


def test_it_records_a_case_and_redirects_with_its_number(client, alice, siti):
    client.force_login(alice)
    response = client.post(CREATE, intake(siti))
    case = Case.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/kasus/{case.pk}/")
    assert case.number == "BP3MI-SULTENG/2026/0001"
    assert sorted(case.categories.values_list("code", flat=True)) == ["gaji-tidak-dibayar", "penahanan-dokumen"]
    assert (case.person, case.channel, case.complainant_type, case.complainant_name) == (
        siti,
        "WHATSAPP",
        "KELUARGA",
        "Rahmat",
    )
    assert (case.procedural, case.urgency, case.flag_trafficking, case.destination_country) == (
        False,
        "TINGGI",
        True,
        "MY",
    )
    received = timezone.localtime(case.received_at)
    assert (received.date(), received.hour, received.minute, str(received.tzinfo)) == (
        date(2026, 3, 2),
        9,
        30,
        "Asia/Makassar",
    )
    follow = client.get(response["Location"])
    assert case.number in body(follow).split("<main")[1].split("</main>")[0]


def test_it_shows_errors_under_the_fields_and_records_nothing(client, alice, siti):
    client.force_login(alice)
    response = client.post(
        CREATE, intake(siti, categories=["bogus"], complainant_name="", received_at="2099-01-01T10:00")
    )
    assert response.status_code == 400
    assert field_errors(response, "categories")
    assert not Case.objects.exists()
    # Once the category is right, the service's own checks show under their fields too.
    response = client.post(CREATE, intake(siti, complainant_name="", received_at="2099-01-01T10:00"))
    assert response.status_code == 400
    assert translated("Write the name of the person who complained.") in field_errors(response, "complainant_name")
    assert translated("The complaint cannot be received in the future: check the date.") in field_errors(
        response, "received_at"
    )
    assert not Case.objects.exists()


def test_it_asks_for_the_person_when_none_is_posted(client, alice, siti):
    client.force_login(alice)
    response = client.post(CREATE, intake(siti, person=""))
    assert response.status_code == 400
    assert 'id="person-results"' in body(response)
    assert not Case.objects.exists()


def test_it_answers_404_for_another_agencys_person(client, alice, dinsos_person):
    client.force_login(alice)
    assert client.get(CREATE, {"person": dinsos_person.pk}).status_code == 404
    assert client.get(CREATE, {"person": "abc"}).status_code == 404
    assert client.post(CREATE, intake(dinsos_person)).status_code == 404
    assert client.post(CREATE, intake(dinsos_person, person="999999")).status_code == 404
    assert not Case.objects.exists()


def test_it_does_not_let_read_only_bob_open_a_case(client, bob, siti):
    client.force_login(bob)
    assert client.get(CREATE).status_code == 403
    assert client.post(CREATE, intake(siti)).status_code == 403
    assert not Case.objects.exists()
    assert "/kasus/baru/" not in body(client.get(LIST))


# --- detail -----------------------------------------------------------------------------------------------


def test_it_shows_the_case_to_its_own_agency_only(client, alice, bob, carol, dave, case):
    url = f"/kasus/{case.pk}/"
    for user in (carol, dave):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(alice)
    page = body(client.get(url))
    assert case.number in page
    assert f'href="/orang/{case.person_id}/"' in page
    assert "Gaji tidak dibayar" in page
    assert 'name="to_status" value="VERIFIKASI"' in page
    assert f'action="/kasus/{case.pk}/catatan/#timeline"' in page
    client.force_login(bob)
    response = client.get(url)
    assert response.status_code == 200
    assert case.number in body(response)
    assert '<form method="post" action="/kasus/' not in body(response)  # read-only: no forms
    assert client.get("/kasus/999999/").status_code == 404


def test_it_refuses_every_form_to_read_only_bob(client, alice, bob, case):
    task = services.add_task(actor=alice, case_id=case.pk, title="Telepon keluarga", due_date=None, assignee_id=None)
    consent = services.record_consent(
        actor=alice,
        case_id=case.pk,
        data=services.ConsentData(scope="RUJUKAN", given_by="SENDIRI", giver_name="Siti", method="LISAN"),
    )
    client.force_login(bob)
    base = f"/kasus/{case.pk}"
    posts = {
        f"{base}/status/": {"to_status": "VERIFIKASI"},
        f"{base}/catatan/": {"text": "x"},
        f"{base}/tugas/": {"title": "x"},
        f"{base}/tugas/{task.pk}/selesai/": {},
        f"{base}/asesmen/": {"summary": "x", "risk": "SEDANG"},
        f"{base}/rencana/": {"goals": "x"},
        f"{base}/persetujuan/": {"scope": "RUJUKAN", "given_by": "SENDIRI", "giver_name": "x", "method": "LISAN"},
        f"{base}/persetujuan/{consent.pk}/cabut/": {},
        f"{base}/lampiran/": {"kind": "LAINNYA", "file": SimpleUploadedFile("a.pdf", pdf_bytes())},
        f"{base}/rujuk/": {"service": "1", "reason": "x"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code in (403, 404), url
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED
    assert not CaseNote.objects.exists()
    assert CaseTask.objects.get().done_at is None
    assert not Assessment.objects.exists() and not InterventionPlan.objects.exists()
    assert Consent.objects.get().withdrawn_at is None
    assert not Attachment.objects.exists() and not Referral.objects.exists()


def test_it_refuses_the_forms_to_other_agencies_with_404(client, carol, dave, case):
    for user in (carol, dave):
        client.force_login(user)
        assert client.post(f"/kasus/{case.pk}/catatan/", {"text": "x"}).status_code == 404
        assert client.post(f"/kasus/{case.pk}/status/", {"to_status": "VERIFIKASI"}).status_code == 404
    assert not CaseNote.objects.exists()


def test_it_adds_a_note_to_the_timeline(client, alice, case):
    client.force_login(alice)
    response = client.post(f"/kasus/{case.pk}/catatan/", {"text": "Keluarga sudah dihubungi."})
    assert (response.status_code, response["Location"]) == (302, f"/kasus/{case.pk}/#timeline")
    note = CaseNote.objects.get()
    assert (note.text, note.by, note.agency_id) == ("Keluarga sudah dihubungi.", alice, alice.agency_id)
    timeline = body(client.get(f"/kasus/{case.pk}/")).split('id="timeline"')[1].split("</section>")[0]
    assert "Keluarga sudah dihubungi." in timeline
    assert alice.display_name in timeline


def test_it_adds_a_note_in_place_with_htmx(client, alice, case):
    client.force_login(alice)
    response = client.post(f"/kasus/{case.pk}/catatan/", {"text": "Lewat htmx."}, **HTMX)
    page = body(response)
    assert response.status_code == 200
    assert "<html" not in page
    assert page.lstrip().startswith('<section id="timeline"')
    assert "Lewat htmx." in page


def test_it_returns_a_section_with_the_timeline_out_of_band_for_htmx(client, alice, case):
    client.force_login(alice)
    response = client.post(f"/kasus/{case.pk}/tugas/", {"title": "Kunjungi keluarga"}, **HTMX)
    page = body(response)
    assert page.lstrip().startswith('<section id="tasks"')
    assert '<section id="timeline" class="case-section" hx-swap-oob="true">' in page
    assert page.count("Kunjungi keluarga") >= 2  # in the task list and in the timeline


def test_it_shows_a_notes_error_and_saves_nothing(client, alice, case):
    client.force_login(alice)
    response = client.post(f"/kasus/{case.pk}/catatan/", {"text": "   "})
    assert response.status_code == 400
    assert field_errors(response, "text")
    response = client.post(f"/kasus/{case.pk}/catatan/", {"text": ""}, **HTMX)
    assert response.status_code == 200  # htmx swaps only 2xx: the errors come back in the section
    assert field_errors(response, "text")
    assert not CaseNote.objects.exists()


def test_it_adds_a_task_for_a_colleague_and_marks_it_done(client, alice, bob, case):
    client.force_login(alice)
    response = client.post(
        f"/kasus/{case.pk}/tugas/", {"title": "Minta salinan paspor", "due_date": "2026-12-01", "assignee": bob.pk}
    )
    assert response.status_code == 302
    task = CaseTask.objects.get()
    assert (task.title, task.due_date, task.assignee, task.created_by) == (
        "Minta salinan paspor",
        date(2026, 12, 1),
        bob,
        alice,
    )
    page = body(client.get(f"/kasus/{case.pk}/"))
    assert f'action="/kasus/{case.pk}/tugas/{task.pk}/selesai/#tasks"' in page
    response = client.post(f"/kasus/{case.pk}/tugas/{task.pk}/selesai/")
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_at is not None
    assert f"/tugas/{task.pk}/selesai/" not in body(client.get(f"/kasus/{case.pk}/"))


def test_it_offers_only_colleagues_as_assignees(client, alice, dave, case):
    client.force_login(alice)
    page = body(client.get(f"/kasus/{case.pk}/"))
    assert f'<option value="{alice.pk}">' in page
    assert f'<option value="{dave.pk}">' not in page
    response = client.post(f"/kasus/{case.pk}/tugas/", {"title": "x", "assignee": dave.pk})
    assert response.status_code == 400
    assert field_errors(response, "assignee")
    assert not CaseTask.objects.exists()


def test_it_adds_an_assessment(client, alice, case):
    client.force_login(alice)
    data = {"summary": "Trauma ringan", "needs": "Konseling", "risk": "TINGGI", "needs_special_assistance": "on"}
    assert client.post(f"/kasus/{case.pk}/asesmen/", data).status_code == 302
    assessment = Assessment.objects.get()
    assert (assessment.summary, assessment.needs, assessment.risk, assessment.needs_special_assistance) == (
        "Trauma ringan",
        "Konseling",
        "TINGGI",
        True,
    )
    assert client.post(f"/kasus/{case.pk}/asesmen/", {"summary": "", "risk": "X"}).status_code == 400
    assert Assessment.objects.count() == 1


def test_an_assessment_needing_special_assistance_links_to_the_proposal(client, alice, bob, case):
    client.force_login(alice)
    data = {"summary": "Trauma berat", "risk": "TINGGI", "needs_special_assistance": "on"}
    assert client.post(f"/kasus/{case.pk}/asesmen/", data).status_code == 302
    proposal = f'href="/asistensi/usul/{case.pk}/"'
    assert proposal in body(client.get(f"/kasus/{case.pk}/"))
    client.force_login(bob)  # the auditor reads the case but proposes nothing
    assert proposal not in body(client.get(f"/kasus/{case.pk}/"))


def test_it_writes_and_then_edits_the_agencys_plan(client, alice, case):
    client.force_login(alice)
    assert client.post(f"/kasus/{case.pk}/rencana/", {"goals": "Pulang", "activities": "Tiket"}).status_code == 302
    page = body(client.get(f"/kasus/{case.pk}/"))
    assert "Pulang</textarea>" in page  # the edit form starts from the saved plan
    assert client.post(f"/kasus/{case.pk}/rencana/", {"goals": "Pulang dan pulih", "activities": ""}).status_code == 302
    plan = InterventionPlan.objects.get()
    assert (plan.goals, plan.activities, plan.agency_id) == ("Pulang dan pulih", "", alice.agency_id)
    response = client.post(f"/kasus/{case.pk}/rencana/", {"goals": ""})
    assert response.status_code == 400
    assert field_errors(response, "goals")


def test_it_records_and_withdraws_consent(client, alice, case):
    client.force_login(alice)
    data = {"scope": "RUJUKAN", "given_by": "SENDIRI", "giver_name": "Siti Aminah", "method": "TERTULIS"}
    assert client.post(f"/kasus/{case.pk}/persetujuan/", data).status_code == 302
    consent = Consent.objects.get()
    assert (consent.scope, consent.given_by, consent.giver_name, consent.recorded_by) == (
        "RUJUKAN",
        "SENDIRI",
        "Siti Aminah",
        alice,
    )
    # Without JavaScript the page itself comes back, showing what the withdrawal stopped (to tell the person).
    response = client.post(f"/kasus/{case.pk}/persetujuan/{consent.pk}/cabut/")
    assert response.status_code == 200 and "withdrawal-effects" in response.content.decode()
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


def test_it_requires_a_parent_or_guardian_for_a_childs_consent(client, alice, siti):
    child_case = open_case(alice, siti, flag_child=True)
    client.force_login(alice)
    data = {"scope": "RUJUKAN", "given_by": "SENDIRI", "giver_name": "Siti", "method": "LISAN"}
    response = client.post(f"/kasus/{child_case.pk}/persetujuan/", data)
    assert response.status_code == 400
    assert translated("The person is a child: consent must come from a parent or guardian.") in field_errors(
        response, "given_by"
    )
    assert not Consent.objects.exists()
    data.update(given_by="ORANG_TUA", giver_name="Rahmat")
    assert client.post(f"/kasus/{child_case.pk}/persetujuan/", data).status_code == 302
    assert Consent.objects.get().given_by == "ORANG_TUA"


# --- attachments ------------------------------------------------------------------------------------------


def upload(client: Any, case: Case, name: str, content: bytes, **extra: Any) -> Any:
    return client.post(
        f"/kasus/{case.pk}/lampiran/", {"kind": "PERJANJIAN", "file": SimpleUploadedFile(name, content)}, **extra
    )


def test_it_uploads_a_pdf_and_serves_it_only_through_the_checked_view(client, alice, dave, case):
    client.force_login(alice)
    response = upload(client, case, "kontrak kerja.pdf", pdf_bytes())
    assert (response.status_code, response["Location"]) == (302, f"/kasus/{case.pk}/#attachments")
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.kind, attachment.size) == (
        "kontrak kerja.pdf",
        "PERJANJIAN",
        len(pdf_bytes()),
    )
    url = f"/kasus/{case.pk}/lampiran/{attachment.pk}/"
    assert url in body(client.get(f"/kasus/{case.pk}/"))
    download = client.get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == pdf_bytes()
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "kontrak" in download["Content-Disposition"]
    assert "no-store" in download["Cache-Control"]

    client.force_login(dave)
    assert client.get(url).status_code == 404


def test_it_answers_404_for_an_attachment_of_another_case(client, alice, siti, case):
    other = open_case(alice, siti)
    client.force_login(alice)
    upload(client, other, "a.pdf", pdf_bytes())
    attachment = Attachment.objects.get()
    assert client.get(f"/kasus/{case.pk}/lampiran/{attachment.pk}/").status_code == 404
    assert client.get(f"/kasus/{other.pk}/lampiran/{attachment.pk + 1}/").status_code == 404


def test_it_refuses_a_forbidden_file_type(client, alice, case):
    client.force_login(alice)
    response = upload(client, case, "setup.exe", b"MZ\x90\x00" + b"\x00" * 100)
    assert response.status_code == 400
    assert translated(
        "Files of type %(ext)s are not accepted. Use PDF, JPG, PNG, DOCX or XLSX.", ext=".exe"
    ) in field_errors(response, "file")
    assert not Attachment.objects.exists()


def test_it_refuses_a_file_over_the_limit(client, alice, case):
    client.force_login(alice)
    response = upload(client, case, "scan.pdf", b"%PDF-1.4\n" + b"0" * uploads.MAX_BYTES)
    assert response.status_code == 400
    assert "10 MB" in field_errors(response, "file")
    assert not Attachment.objects.exists()


def test_it_refuses_content_that_does_not_match_the_extension(client, alice, case):
    client.force_login(alice)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = upload(client, case, "kontrak.pdf", png)
    assert response.status_code == 400
    assert translated(
        "The content of this file is not a %(ext)s file. Save it in the right format and upload it again.", ext="PDF"
    ) in field_errors(response, "file")
    # A zip that is not a Word document, named .docx.
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("hello.txt", "hi")
    assert upload(client, case, "surat.docx", archive.getvalue()).status_code == 400
    assert not Attachment.objects.exists()


def test_it_uploads_in_place_with_htmx(client, alice, case):
    client.force_login(alice)
    response = upload(client, case, "foto.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, **HTMX)
    page = body(response)
    assert page.lstrip().startswith('<section id="attachments"')
    assert "foto.png" in page
    assert Attachment.objects.get().content_type == "image/png"


# --- status -----------------------------------------------------------------------------------------------


def change(client: Any, case: Case, **data: str) -> Any:
    return client.post(f"/kasus/{case.pk}/status/", data)


def test_it_moves_the_case_along_its_workflow(client, alice, case):
    client.force_login(alice)
    response = change(client, case, to_status="VERIFIKASI")
    assert (response.status_code, response["Location"]) == (302, f"/kasus/{case.pk}/")
    case.refresh_from_db()
    assert case.status == CaseStatus.VERIFICATION
    page = body(client.get(f"/kasus/{case.pk}/"))
    assert 'name="to_status" value="PENANGANAN"' in page
    assert 'name="to_status" value="VERIFIKASI"' not in page
    assert 'name="to_status" value="SELESAI"' not in page
    assert case.status_changes.last().by == alice


def test_it_refuses_a_transition_not_allowed_from_the_current_status(client, alice, case):
    client.force_login(alice)
    response = change(client, case, to_status="SELESAI")
    assert response.status_code == 400
    with translation.override("id"):
        expected = translated(
            "A case cannot go from %(from)s to %(to)s.",
            **{"from": CaseStatus.RECEIVED.label, "to": CaseStatus.DONE.label},
        )
    assert expected in body(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED


def test_it_refuses_a_transition_the_role_may_not_make(client, alice, pia, case):
    """pia, a BP3MI pekerja sosial, handles cases but may not resolve or close them."""
    services.change_case_status(actor=alice, case_id=case.pk, to_status=CaseStatus.VERIFICATION)
    services.change_case_status(actor=alice, case_id=case.pk, to_status=CaseStatus.HANDLING)
    client.force_login(pia)
    page = body(client.get(f"/kasus/{case.pk}/"))
    assert 'value="SELESAI"' not in page and "DITUTUP" not in page  # no button she may not use
    response = change(client, case, to_status="SELESAI")
    assert response.status_code == 400
    with translation.override("id"):
        expected = translated(
            "Your role may not move a case from %(from)s to %(to)s.",
            **{"from": CaseStatus.HANDLING.label, "to": CaseStatus.DONE.label},
        )
    assert expected in body(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.HANDLING


def test_it_needs_a_closure_reason_and_an_explanation_to_close(client, alice, case):
    client.force_login(alice)
    response = change(client, case, to_status="DITUTUP", closure_reason="", reason="")
    assert response.status_code == 400
    assert field_errors(response, "closure_reason", "close")
    response = change(client, case, to_status="DITUTUP", closure_reason="DUPLIKAT", reason="")
    assert field_errors(response, "reason", "close")
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED

    response = change(client, case, to_status="DITUTUP", closure_reason="DUPLIKAT", reason="Sama dengan kasus 0003")
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closure_reason) == (CaseStatus.CLOSED, "DUPLIKAT")
    page = body(client.get(f"/kasus/{case.pk}/"))
    assert "Sama dengan kasus 0003" in page
    assert 'name="to_status"' not in page


def test_it_refuses_to_close_a_case_with_an_open_referral(client, alice, case, therapy):
    referral_services.create_referral(actor=alice, case_id=case.pk, service_id=therapy.pk, reason="Konseling")
    client.force_login(alice)
    response = change(client, case, to_status="DITUTUP", closure_reason="DICABUT", reason="Pengadu mencabut")
    assert response.status_code == 400
    assert translated(
        "This case still has open referrals (%(agencies)s). Complete, revoke or wait for them first.",
        agencies="Sentra Nipotowe Palu",
    ) in body(response)
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED


# --- referrals --------------------------------------------------------------------------------------------


def test_it_offers_the_services_the_sop_allows_grouped_by_agency(client, alice, case, therapy):
    client.force_login(alice)
    page = body(client.get(f"/kasus/{case.pk}/"))
    assert '<optgroup label="Sentra Nipotowe Palu">' in page
    assert f'<option value="{therapy.pk}">{therapy.name}</option>' in page
    assert '<optgroup label="Dinas Sosial Kota Palu">' in page
    assert "Mediasi dengan P3MI" not in page  # BP3MI's own services are not a referral


def test_it_drafts_a_referral_and_continues_on_its_page(client, alice, case, therapy):
    client.force_login(alice)
    response = client.post(f"/kasus/{case.pk}/rujuk/", {"service": therapy.pk, "reason": "Butuh konseling"})
    referral = Referral.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/rujukan/{referral.pk}/")
    assert (referral.case, referral.to_agency, referral.status, referral.reason) == (
        case,
        therapy.agency,
        "DRAFT",
        "Butuh konseling",
    )
    page = body(client.get(f"/kasus/{case.pk}/"))
    referrals = page.split('id="referrals"')[1]
    assert f'href="/rujukan/{referral.pk}/"' in referrals
    timeline = page.split('id="timeline"')[1].split("</section>")[0]
    assert "Sentra Nipotowe Palu" in timeline


def test_it_refuses_a_service_the_sop_does_not_allow(client, alice, case, therapy, sentra):
    unlisted = Service.objects.create(agency=sentra, code="baru", name="Layanan baru", category=ServiceCategory.OTHER)
    client.force_login(alice)
    response = client.post(f"/kasus/{case.pk}/rujuk/", {"service": unlisted.pk, "reason": "x"})
    assert response.status_code == 400
    assert field_errors(response, "service", "refer")
    response = client.post(f"/kasus/{case.pk}/rujuk/", {"service": therapy.pk, "reason": ""})
    assert field_errors(response, "reason", "refer")
    assert not Referral.objects.exists()


def test_it_shows_the_detail_with_a_fixed_number_of_queries(
    client, alice, case, therapy, django_assert_max_num_queries
):
    client.force_login(alice)

    def add_one_of_each(n: int) -> None:
        services.add_note(actor=alice, case_id=case.pk, text=f"catatan {n}")
        services.add_task(actor=alice, case_id=case.pk, title=f"tugas {n}", due_date=None, assignee_id=alice.pk)
        referral_services.create_referral(actor=alice, case_id=case.pk, service_id=therapy.pk, reason=f"r{n}")

    add_one_of_each(0)
    client.get(f"/kasus/{case.pk}/")
    with django_assert_max_num_queries(30) as baseline:
        client.get(f"/kasus/{case.pk}/")
    for n in range(1, 5):
        add_one_of_each(n)
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        client.get(f"/kasus/{case.pk}/")
