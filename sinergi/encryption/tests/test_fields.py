"""Sensitive fields are ciphertext in the database and plaintext in the application; keys rotate; a missing key
is a clear error, never a silent wrong answer."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from sinergi.cases import services as case_services
from sinergi.cases.models import Assessment, Case, CaseNote
from sinergi.encryption import keys
from sinergi.encryption.rotation import raw_value, rotate_all
from sinergi.testing.referral_fixtures import open_case_for

NARRATIVE = "Dipukul majikan di Johor, gaji tiga bulan tidak dibayar."
K1, K2 = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def case(alice) -> Case:
    case = open_case_for(alice, narrative=NARRATIVE)
    case_services.add_note(actor=alice, case_id=case.pk, text="Trauma berat; tidur terganggu.")
    case_services.add_assessment(
        actor=alice,
        case_id=case.pk,
        data=case_services.AssessmentData(summary="Depresi sedang", needs="Konseling psikolog"),
    )
    return case


def test_every_sensitive_field_is_ciphertext_in_the_database(case):
    note = CaseNote.objects.get(case=case)
    assessment = Assessment.objects.get(case=case)
    stored = {
        "narrative": raw_value(Case, case.pk, "narrative"),
        "note": raw_value(CaseNote, note.pk, "text"),
        "summary": raw_value(Assessment, assessment.pk, "summary"),
        "needs": raw_value(Assessment, assessment.pk, "needs"),
    }
    for name, value in stored.items():
        assert value is not None and value.startswith(keys.PREFIX), name
    assert "majikan" not in stored["narrative"] and "Trauma" not in stored["note"]
    # The application reads plaintext; the history table holds ciphertext too.
    assert Case.objects.get(pk=case.pk).narrative == NARRATIVE
    history = case.history.model
    history_row = history.objects.filter(id=case.pk).order_by("history_id").first()
    assert raw_value(history, history_row.pk, "narrative").startswith(keys.PREFIX)
    assert history_row.narrative == NARRATIVE


def test_the_list_of_encrypted_fields_is_what_the_docs_promise():
    from sinergi.encryption.rotation import encrypted_fields

    labels = {f"{model._meta.label_lower}.{name}" for model, names in encrypted_fields().items() for name in names}
    assert {
        "cases.case.narrative",
        "cases.case.closing_summary",
        "cases.casenote.text",
        "cases.assessment.summary",
        "cases.assessment.needs",
        "assessments.assessment.sensitive_answers",
        "assessments.assessment.sensitive_scores",
        "assessments.assessmentdraft.values",
    } <= labels


@pytest.mark.django_db
def test_json_fields_round_trip_and_are_ciphertext(alice):
    from sinergi.assessments.models import AssessmentDraft
    from sinergi.testing.referral_fixtures import person_for

    person = person_for(alice, full_name="Rina")
    values = {"kesehatan": {"depresi": 3, "catatan": "Sering menangis"}, "list": [1, "dua"]}
    draft = AssessmentDraft.objects.create(person=person, author=alice, values=values)
    assert AssessmentDraft.objects.get(pk=draft.pk).values == values
    stored = raw_value(AssessmentDraft, draft.pk, "values")
    assert "menangis" not in stored and keys.PREFIX in stored
    assert list(AssessmentDraft.objects.filter(pk=draft.pk).values_list("values", flat=True)) == [values]


@settings(max_examples=40, deadline=None)
@given(st.text())
def test_any_text_round_trips(text):
    assert keys.decrypt(keys.encrypt(text)) == text


def test_keys_rotate_and_the_old_key_can_go(case, settings):
    settings.SINERGI_FIELD_KEYS = [K1, *keys.configured_keys()]  # K1 first, the demo's generated key still opens
    case_services.add_note(actor=case.created_by, case_id=case.pk, text="Ditulis dengan kunci pertama.")
    rotate_all()  # everything (also what the generated demo key wrote) now under K1
    settings.SINERGI_FIELD_KEYS = [K2, K1]
    counts = rotate_all(dry_run=True)
    assert counts["cases.casenote.text"] == 2 and counts["cases.case.narrative"] >= 1
    assert sum(rotate_all().values()) == sum(counts.values())
    assert sum(rotate_all().values()) == 0  # run again: nothing left to do
    settings.SINERGI_FIELD_KEYS = [K2]
    assert Case.objects.get(pk=case.pk).narrative == NARRATIVE
    assert {note.text for note in CaseNote.objects.filter(case=case)} >= {"Ditulis dengan kunci pertama."}


def test_a_missing_key_is_a_clear_error(case, settings):
    settings.SINERGI_FIELD_KEYS = [K1, *keys.configured_keys()]
    rotate_all()
    settings.SINERGI_FIELD_KEYS = [K2]
    with pytest.raises(keys.UndecryptableValue, match="SINERGI_FIELD_KEYS"):
        Case.objects.get(pk=case.pk).narrative  # noqa: B018


def test_a_value_written_before_encryption_is_read_and_then_encrypted(case):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_case SET narrative = %s WHERE id = %s", ["Teks lama tanpa enkripsi", case.pk])
    assert Case.objects.get(pk=case.pk).narrative == "Teks lama tanpa enkripsi"
    assert rotate_all()["cases.case.narrative"] == 1
    assert raw_value(Case, case.pk, "narrative").startswith(keys.PREFIX)


def test_the_command_makes_a_key_and_rotates(case, capsys):
    call_command("rotate_field_keys", "--new-key")
    Fernet(capsys.readouterr().out.strip().encode())  # a valid key
    call_command("rotate_field_keys")
    assert "values in all" in capsys.readouterr().out


def test_the_deploy_check_warns_without_configured_keys(settings):
    from sinergi.encryption.checks import field_keys_configured

    settings.SINERGI_FIELD_KEYS = []
    assert [warning.id for warning in field_keys_configured()] == ["sinergi.W001"]
    settings.SINERGI_FIELD_KEYS = [K1]
    assert field_keys_configured() == []
