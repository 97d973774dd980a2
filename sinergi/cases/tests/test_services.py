"""Case services: intake and numbering, validation per field, the status workflow, and the timeline's writes."""

from __future__ import annotations

import hashlib
import io
import zipfile
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from sinergi.audit.models import AuditEvent
from sinergi.cases import services
from sinergi.cases.models import (
    Attachment,
    AttachmentKind,
    Case,
    CaseCounter,
    CaseOutcome,
    CaseStatus,
    CaseStatusChange,
    CaseTask,
    ConsentGiver,
    InterventionPlan,
)
from sinergi.cases.services import AssessmentData, CaseData, ConsentData, InvalidData
from sinergi.notifications.models import Notification, NotificationKind
from sinergi.testing.referral_fixtures import consent_for, open_case_for, person_for, wita

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def audit_actions(case: Case) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def intake(person_id: int, **changes: object) -> CaseData:
    fields: dict[str, object] = {
        "person_id": person_id,
        "channel": "HOTLINE",
        "complainant_type": "PMI",
        "phase": "SELAMA",
        "category_codes": ["gaji-tidak-dibayar"],
    }
    fields.update(changes)
    return CaseData(**fields)  # type: ignore[arg-type]


# --- intake and numbering ------------------------------------------------------------------------------------


def test_it_numbers_cases_per_agency_and_year(alice, carol, clock):
    clock.set(wita(2026, 5, 4, 9, 0))
    first, second = open_case_for(alice), open_case_for(alice)
    assert (first.number, second.number) == ("BP3MI-SULTENG/2026/0001", "BP3MI-SULTENG/2026/0002")
    assert open_case_for(carol).number == "SENTRA-NIPOTOWE/2026/0001"  # each agency counts its own
    last_year = open_case_for(alice, received_at=wita(2025, 12, 31, 23, 30))
    assert last_year.number == "BP3MI-SULTENG/2025/0001"
    # New Year's Eve 16:30 UTC is already 1 January in Palu: the year is WITA's.
    new_year = open_case_for(alice, received_at=datetime(2025, 12, 31, 16, 30, tzinfo=UTC))
    assert new_year.number == "BP3MI-SULTENG/2026/0003"
    assert CaseCounter.objects.get(agency=alice.agency, year=2026, kind="KASUS").last == 3


def test_it_opens_a_case_with_what_the_intake_says(alice):
    person = person_for(alice, flag_trafficking=True)
    case = services.open_case(
        actor=alice,
        data=intake(
            person.pk,
            category_codes=["gaji-tidak-dibayar", "tppo"],
            complainant_type="KELUARGA",
            complainant_name="  Rahmat (suami) ",
            destination_country="MY",
            narrative="  Gaji tidak dibayar 6 bulan. ",
        ),
    )
    assert (case.status, case.agency, case.person, case.assigned_to, case.created_by) == (
        CaseStatus.RECEIVED,
        alice.agency,
        person,
        alice,
        alice,
    )
    assert sorted(case.categories.values_list("code", flat=True)) == ["gaji-tidak-dibayar", "tppo"]
    assert (case.complainant_name, case.narrative) == ("Rahmat (suami)", "Gaji tidak dibayar 6 bulan.")
    assert case.flag_trafficking  # carried over from the person's record
    [change] = CaseStatusChange.objects.filter(case=case)
    assert (change.from_status, change.to_status, change.by) == ("", CaseStatus.RECEIVED, alice)
    assert audit_actions(case) == ["case.opened"]


def test_it_flags_a_child_from_the_persons_birth_date(alice):
    child = person_for(alice, full_name="Putri", birth_date=date(2012, 5, 1))
    assert open_case_for(alice, person=child).flag_child


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"channel": "FAX"}, {"channel"}),
        ({"complainant_type": "TETANGGA", "complainant_name": "Pak RT"}, {"complainant_type"}),
        ({"phase": "KAPAN"}, {"phase"}),
        ({"urgency": "SANGAT"}, {"urgency"}),
        ({"category_codes": []}, {"category_codes"}),
        ({"category_codes": ["gaji-tidak-dibayar", "tidak-ada"]}, {"category_codes"}),
        ({"destination_country": "ID"}, {"destination_country"}),
        ({"destination_country": "XX"}, {"destination_country"}),
        ({"received_at": wita(2099, 1, 1)}, {"received_at"}),
        ({"complainant_type": "PIHAK_KETIGA", "complainant_name": " "}, {"complainant_name"}),
        ({"channel": "", "phase": "", "category_codes": []}, {"channel", "phase", "category_codes"}),
    ],
)
def test_it_names_each_field_to_fix(changes, fields, alice):
    person = person_for(alice)
    with pytest.raises(InvalidData) as invalid:
        services.open_case(actor=alice, data=intake(person.pk, **changes))
    assert set(invalid.value.errors) == fields
    assert all(messages and all(messages) for messages in invalid.value.errors.values())
    assert not Case.objects.exists()
    assert not CaseCounter.objects.exists()  # no number is used up by a refused intake


def test_it_names_the_unknown_category(alice):
    with pytest.raises(InvalidData) as invalid:
        services.open_case(actor=alice, data=intake(person_for(alice).pk, category_codes=["tidak-ada"]))
    assert "tidak-ada" in invalid.value.errors["category_codes"][0]


def test_it_refuses_a_person_the_agency_cannot_see(alice, dave):
    daves_person = person_for(dave)
    with pytest.raises(Http404):
        services.open_case(actor=alice, data=intake(daves_person.pk))
    assert not Case.objects.exists()


def test_it_refuses_intake_by_a_read_only_role(alice, bob):
    person = person_for(alice)
    with pytest.raises(PermissionDenied):
        services.open_case(actor=bob, data=intake(person.pk))


# --- status workflow -----------------------------------------------------------------------------------------


def test_it_records_every_status_change(alice, sari):
    case = open_case_for(alice)
    services.change_case_status(actor=alice, case_id=case.pk, to_status=CaseStatus.VERIFICATION)
    services.change_case_status(
        actor=alice, case_id=case.pk, to_status=CaseStatus.HANDLING, reason=" Dokumen lengkap. "
    )
    case = services.change_case_status(
        actor=sari, case_id=case.pk, to_status=CaseStatus.DONE, reason="Gaji dibayar.", outcome=CaseOutcome.RESOLVED
    )
    assert (case.status, case.version) == (CaseStatus.DONE, 4)
    changes = list(CaseStatusChange.objects.filter(case=case).values_list("from_status", "to_status", "reason", "by"))
    assert changes == [
        ("", CaseStatus.RECEIVED, "", alice.pk),
        (CaseStatus.RECEIVED, CaseStatus.VERIFICATION, "", alice.pk),
        (CaseStatus.VERIFICATION, CaseStatus.HANDLING, "Dokumen lengkap.", alice.pk),
        (CaseStatus.HANDLING, CaseStatus.DONE, "Gaji dibayar.", sari.pk),
    ]
    assert audit_actions(case) == ["case.opened"] + ["case.status_changed"] * 3
    last = AuditEvent.objects.filter(action="case.status_changed").latest("id")
    assert last.detail == {
        "from": CaseStatus.HANDLING,
        "to": CaseStatus.DONE,
        "closure_reason": "",
        "outcome": CaseOutcome.RESOLVED,
    }
    assert (case.outcome, case.closing_summary) == (CaseOutcome.RESOLVED, "Gaji dibayar.")
    assert last.actor == sari


def test_it_closes_a_case_with_a_reason_from_the_rules(alice):
    case = open_case_for(alice)
    with pytest.raises(InvalidData) as invalid:
        services.change_case_status(actor=alice, case_id=case.pk, to_status=CaseStatus.CLOSED, reason="Dicabut.")
    assert set(invalid.value.errors) == {"closure_reason"}
    with pytest.raises(InvalidData) as invalid:
        services.change_case_status(
            actor=alice, case_id=case.pk, to_status=CaseStatus.CLOSED, closure_reason="DICABUT", reason=" "
        )
    assert set(invalid.value.errors) == {"reason"}
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED

    case = services.change_case_status(
        actor=alice, case_id=case.pk, to_status=CaseStatus.CLOSED, reason="Pengadu mencabut.", closure_reason="DICABUT"
    )
    assert (case.status, case.closure_reason) == (CaseStatus.CLOSED, "DICABUT")


def test_it_refuses_an_unknown_status_naming_it(alice):
    case = open_case_for(alice)
    with pytest.raises(services.CaseError) as refusal:
        services.change_case_status(actor=alice, case_id=case.pk, to_status="DIARSIPKAN")
    assert "DIARSIPKAN" in str(refusal.value)
    assert str(CaseStatus.RECEIVED.label) in str(refusal.value)


# --- notes, tasks, assessments, plan ------------------------------------------------------------------------


def test_it_adds_notes(alice):
    case = open_case_for(alice)
    with pytest.raises(InvalidData) as invalid:
        services.add_note(actor=alice, case_id=case.pk, text="  ")
    assert set(invalid.value.errors) == {"text"}
    note = services.add_note(actor=alice, case_id=case.pk, text=" Keluarga dihubungi. ")
    assert (note.text, note.agency, note.by) == ("Keluarga dihubungi.", alice.agency, alice)
    assert audit_actions(case)[-1] == "case.note_added"


@pytest.mark.parametrize("username", ["bob", "carol", "dave"])
def test_it_refuses_timeline_writes_from_outside_the_owning_agencys_workers(username, request, alice, bob, carol, dave):
    case = open_case_for(alice)
    user = request.getfixturevalue(username)
    # The auditor reads the case, so is told it is the role (403); other agencies cannot see it (404).
    refusal = PermissionDenied if username == "bob" else Http404
    with pytest.raises(refusal):
        services.add_note(actor=user, case_id=case.pk, text="Catatan.")
    with pytest.raises(refusal):
        services.add_task(actor=user, case_id=case.pk, title="Tugas.", due_date=None, assignee_id=None)
    assert not case.notes.exists()
    assert not case.tasks.exists()


def test_it_assigns_tasks_within_the_agency_and_notifies_once(alice, sari, carol):
    case = open_case_for(alice)
    with pytest.raises(InvalidData) as invalid:
        services.add_task(actor=alice, case_id=case.pk, title=" ", due_date=None, assignee_id=carol.pk)
    assert set(invalid.value.errors) == {"title", "assignee"}

    task = services.add_task(
        actor=alice, case_id=case.pk, title="Hubungi P3MI", due_date=date(2026, 12, 1), assignee_id=sari.pk
    )
    mine = services.add_task(actor=alice, case_id=case.pk, title="Arsipkan surat", due_date=None, assignee_id=alice.pk)
    assert (task.assignee, task.due_date, task.created_by) == (sari, date(2026, 12, 1), alice)
    [notification] = Notification.objects.all()  # none for assigning oneself
    assert (notification.recipient, notification.kind) == (sari, NotificationKind.TASK)
    assert notification.url == f"/kasus/{case.pk}/#tasks"

    services.complete_task(actor=sari, case_id=case.pk, task_id=task.pk)
    services.complete_task(actor=sari, case_id=case.pk, task_id=task.pk)  # twice: recorded once
    assert CaseTask.objects.get(pk=task.pk).done_at is not None
    assert CaseTask.objects.get(pk=mine.pk).done_at is None
    assert audit_actions(case).count("case.task_done") == 1


def test_it_records_assessments(alice):
    case = open_case_for(alice)
    with pytest.raises(InvalidData) as invalid:
        services.add_assessment(actor=alice, case_id=case.pk, data=AssessmentData(summary=" ", risk="GAWAT"))
    assert set(invalid.value.errors) == {"summary", "risk"}
    assessment = services.add_assessment(
        actor=alice,
        case_id=case.pk,
        data=AssessmentData(
            summary=" Trauma ringan. ", needs="Konseling", risk="TINGGI", needs_special_assistance=True
        ),
    )
    assert (assessment.summary, assessment.risk, assessment.agency, assessment.referral) == (
        "Trauma ringan.",
        "TINGGI",
        alice.agency,
        None,
    )
    assert audit_actions(case)[-1] == "case.assessed"


def test_it_keeps_one_plan_per_agency(alice, sari):
    case = open_case_for(alice)
    with pytest.raises(InvalidData):
        services.save_plan(actor=alice, case_id=case.pk, goals=" ", activities="")
    services.save_plan(actor=alice, case_id=case.pk, goals="Pulang ke Poso.", activities="Koordinasi KBRI.")
    plan = services.save_plan(actor=sari, case_id=case.pk, goals="Pulang dan pulih.", activities="Rujuk ke Sentra.")
    assert InterventionPlan.objects.filter(case=case).count() == 1
    assert (plan.goals, plan.updated_by) == ("Pulang dan pulih.", sari)
    assert plan.history.count() == 2
    assert audit_actions(case).count("case.plan_saved") == 2


# --- consent -------------------------------------------------------------------------------------------------


def test_it_records_and_withdraws_consent(alice):
    case = open_case_for(alice)
    with pytest.raises(InvalidData) as invalid:
        services.record_consent(
            actor=alice,
            case_id=case.pk,
            data=ConsentData(scope="SEMUA", given_by="TETANGGA", giver_name=" ", method="TELEPATI"),
        )
    assert set(invalid.value.errors) == {"scope", "given_by", "giver_name", "method"}
    with pytest.raises(InvalidData) as invalid:
        consent_for(alice, case, given_at=wita(2099, 1, 1))
    assert set(invalid.value.errors) == {"given_at"}

    consent = consent_for(alice, case)
    assert (consent.is_active, consent.recorded_by, consent.given_by) == (True, alice, ConsentGiver.SELF)
    services.withdraw_consent(actor=alice, case_id=case.pk, consent_id=consent.pk)
    consent.refresh_from_db()
    assert not consent.is_active
    assert audit_actions(case)[-2:] == ["case.consent_recorded", "case.consent_withdrawn"]


def test_it_needs_a_parent_or_guardian_for_a_childs_consent(alice):
    case = open_case_for(alice, flag_child=True)
    with pytest.raises(InvalidData) as invalid:
        consent_for(alice, case, given_by=ConsentGiver.FAMILY)
    assert set(invalid.value.errors) == {"given_by"}
    assert consent_for(alice, case, given_by=ConsentGiver.GUARDIAN).given_by == ConsentGiver.GUARDIAN


# --- attachments ---------------------------------------------------------------------------------------------


@pytest.fixture
def file_store(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    return buffer.getvalue()


def test_it_stores_a_checked_file_outside_the_web_root(alice, file_store):
    case = open_case_for(alice)
    upload = SimpleUploadedFile("../../Surat Pernyataan.pdf", PDF, content_type="application/octet-stream")
    attachment = services.add_attachment(actor=alice, case_id=case.pk, kind=AttachmentKind.STATEMENT, upload=upload)
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "Surat Pernyataan.pdf",
        "application/pdf",
        len(PDF),
    )
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    stored = file_store / attachment.file.name
    assert stored.read_bytes() == PDF
    assert ".." not in attachment.file.name
    assert audit_actions(case)[-1] == "case.attachment_added"


def test_it_accepts_a_real_word_document(alice, file_store):
    case = open_case_for(alice)
    upload = SimpleUploadedFile("kontrak.docx", docx())
    assert services.add_attachment(actor=alice, case_id=case.pk, kind=AttachmentKind.CONTRACT, upload=upload).pk


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 60),
        ("foto.pdf", PNG),  # a PNG named .pdf
        ("kontrak.docx", b"PK\x03\x04" + b"\x00" * 60),  # a zip that is not a Word document
        ("kosong.pdf", b""),
        ("besar.pdf", PDF + b"\x00" * (10 * 1024 * 1024)),  # just over 10 MB
        ("tanpa-ekstensi", PDF),
    ],
)
def test_it_refuses_a_file_of_the_wrong_type_content_or_size(name, content, alice, file_store):
    case = open_case_for(alice)
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(InvalidData) as invalid:
        services.add_attachment(actor=alice, case_id=case.pk, kind=AttachmentKind.OTHER, upload=upload)
    assert set(invalid.value.errors) == {"file"}
    assert not Attachment.objects.exists()
    assert not any(file_store.rglob("*.*"))


def test_it_accepts_a_file_of_exactly_ten_megabytes(alice, file_store):
    case = open_case_for(alice)
    content = PDF + b"\x00" * (10 * 1024 * 1024 - len(PDF))
    upload = SimpleUploadedFile("pas.pdf", content)
    assert services.add_attachment(actor=alice, case_id=case.pk, kind=AttachmentKind.OTHER, upload=upload).size == (
        10 * 1024 * 1024
    )
