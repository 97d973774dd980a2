"""Resolving a case: never one click; it says how the case ended (outcome) and sums up what was done."""

from __future__ import annotations

import pytest
from django.utils import translation

from sinergi.accounts.models import User
from sinergi.audit.models import AuditEvent
from sinergi.cases import services
from sinergi.cases.models import Case, CaseOutcome, CaseStatus
from sinergi.cases.tests.test_pages import body, field_errors
from sinergi.registry.services import InvalidData
from sinergi.testing.referral_fixtures import open_case_for

pytestmark = pytest.mark.django_db


def handled_case(actor: User) -> Case:
    case = open_case_for(actor)
    services.change_case_status(actor=actor, case_id=case.pk, to_status=CaseStatus.VERIFICATION)
    services.change_case_status(actor=actor, case_id=case.pk, to_status=CaseStatus.HANDLING)
    return case


def test_it_refuses_to_resolve_without_an_outcome_and_a_summary(alice):
    case = handled_case(alice)
    with pytest.raises(InvalidData) as refusal:
        services.change_case_status(actor=alice, case_id=case.pk, to_status=CaseStatus.DONE)
    assert set(refusal.value.errors) == {"outcome", "reason"}
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closing_summary) == (CaseStatus.HANDLING, "", "")
    assert not AuditEvent.objects.filter(action="case.status_changed", detail__to=CaseStatus.DONE).exists()


def test_it_keeps_the_outcome_and_the_closing_summary_on_the_case(alice):
    case = handled_case(alice)
    services.change_case_status(
        actor=alice,
        case_id=case.pk,
        to_status=CaseStatus.DONE,
        outcome=CaseOutcome.RETURNED_HOME,
        reason=" Dipulangkan ke Poso, diterima keluarga. ",
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closing_summary) == (
        CaseStatus.DONE,
        CaseOutcome.RETURNED_HOME,
        "Dipulangkan ke Poso, diterima keluarga.",
    )


def test_it_keeps_the_explanation_of_a_closed_case_without_an_outcome(alice):
    case = handled_case(alice)
    services.change_case_status(
        actor=alice,
        case_id=case.pk,
        to_status=CaseStatus.CLOSED,
        closure_reason="TIDAK_DAPAT_DIHUBUNGI",
        reason="Tiga kali ditelepon.",
        outcome=CaseOutcome.RESOLVED,  # an outcome belongs to resolving only
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closing_summary) == (CaseStatus.CLOSED, "", "Tiga kali ditelepon.")


def test_it_offers_resolving_only_behind_a_form_asking_outcome_and_summary(client, alice):
    case = handled_case(alice)
    client.force_login(alice)
    page = body(client.get(f"/kasus/{case.pk}/"))
    # No one-click button: the SELESAI value sits in a hidden field of the confirming form.
    assert 'type="submit" name="to_status" value="SELESAI"' not in page
    assert '<input type="hidden" name="to_status" value="SELESAI">' in page
    assert 'id="resolve_outcome"' in page and 'id="resolve_reason"' in page


def test_it_shows_what_is_missing_when_the_form_is_sent_empty(client, alice):
    case = handled_case(alice)
    client.force_login(alice)
    with translation.override("id"):
        response = client.post(f"/kasus/{case.pk}/status/", {"to_status": "SELESAI"}, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 400
    assert field_errors(response, "outcome", "resolve") and field_errors(response, "reason", "resolve")
    case.refresh_from_db()
    assert case.status == CaseStatus.HANDLING


def test_it_resolves_from_the_page_and_shows_the_summary(client, alice):
    case = handled_case(alice)
    client.force_login(alice)
    response = client.post(
        f"/kasus/{case.pk}/status/",
        {"to_status": "SELESAI", "outcome": "TERATASI", "reason": "Gaji dibayar penuh oleh majikan."},
    )
    assert response.status_code == 302
    page = body(client.get(f"/kasus/{case.pk}/"))
    assert "Gaji dibayar penuh oleh majikan." in page
    with translation.override("id"):
        assert str(CaseOutcome.RESOLVED.label) in page
