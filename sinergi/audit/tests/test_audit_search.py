"""/audit/: auditors search the trail and export what they found (CSV/XLSX); each export is itself recorded."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from sinergi.audit.events import record_event
from sinergi.audit.models import AuditEvent
from sinergi.registry.services import record_person_view
from sinergi.testing.factories import make_person


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def trail(alice, olive, dave):
    siti = make_person(alice, full_name="Siti Aminah", sex="P", birth_date=date(1990, 10, 12))
    record_person_view(actor=alice, person=siti)
    record_event(actor=olive, action="import.uploaded", summary="sisko-januari.csv")
    record_event(actor=olive, action="import.applied", summary="sisko-januari.csv")
    record_event(actor=dave, action="import.uploaded", summary="dinsos.csv")  # another agency's
    return siti


def found(client, **query: str) -> list[AuditEvent]:
    response = client.get("/audit/", query)
    assert response.status_code == 200
    return list(response.context["events"])


def test_it_finds_events_by_kind_user_text_and_dates(client, bob, olive, trail):
    client.force_login(bob)
    assert {e.action for e in found(client, action="import.")} == {"import.uploaded", "import.applied"}
    assert {e.actor for e in found(client, actor="oliv")} == {olive}
    assert [e.action for e in found(client, text="januari", action="import.applied")] == ["import.applied"]
    today = timezone.localdate()
    assert (
        len(found(client, date_from=str(today), date_to=str(today)))
        == AuditEvent.objects.exclude(actor__username="dave").count()
    )
    assert found(client, date_to=str(today - timedelta(days=1))) == []


def test_it_shows_a_bad_date_as_an_error_and_searches_with_the_rest(client, bob, trail):
    client.force_login(bob)
    response = client.get("/audit/", {"date_from": "kemarin", "action": "import.applied"})
    assert response.status_code == 200
    assert response.context["form"].errors["date_from"]
    assert [e.action for e in response.context["events"]] == ["import.applied"]


def test_it_exports_what_the_search_found_as_csv(client, bob, trail):
    client.force_login(bob)
    response = client.get("/audit/ekspor.csv", {"action": "import."})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3  # header + the two BP3MI import events, not Dinas Sosial's
    assert {row[5] for row in rows[1:]} == {"import.uploaded", "import.applied"}
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor == bob and exported.detail["action"] == "import."


def test_it_exports_xlsx(client, bob, trail):
    client.force_login(bob)
    response = client.get("/audit/ekspor.xlsx", {"person": str(trail.pk)})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert {row[5] for row in rows[1:]} == {"person.registered", "person.viewed"}


def test_it_refuses_the_export_to_a_petugas(client, alice, trail):
    client.force_login(alice)
    assert client.get("/audit/ekspor.csv").status_code == 403
    assert not AuditEvent.objects.filter(action="audit.exported").exists()


def test_it_neutralises_formulas_in_the_export(client, bob, olive):
    record_event(actor=olive, action="import.uploaded", summary='=HYPERLINK("http://x","klik")')
    client.force_login(bob)
    response = client.get("/audit/ekspor.csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body
