"""Retention (issue 13, point 3): the dry run shows what would go and changes nothing; the run deletes or
anonymises exactly what expired, keeps what the law keeps (with the reason), is audited, and finishes what a
stopped run left."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from sinergi.assessments.models import AssessmentDraft
from sinergi.audit.models import AuditEvent
from sinergi.cases.models import Case
from sinergi.imports.models import ImportBatch, ImportRow
from sinergi.notifications.models import Notification
from sinergi.privacy.retention import expired_persons, policy, run_retention
from sinergi.registry.models import Person
from sinergi.sources.models import DataSource
from sinergi.testing.referral_fixtures import open_case_for, person_for

pytestmark = pytest.mark.usefixtures("sop")

YEARS_AGO = timezone.now() - timedelta(days=11 * 365)
LAST_YEAR = timezone.now() - timedelta(days=400)


@pytest.fixture
def old_data(alice, bp3mi):
    """One expired record of each kind, and a fresh one beside it."""
    forgotten = person_for(alice, full_name="Lama Sekali", nik="7271055210900003")
    recent = person_for(alice, full_name="Baru Saja")
    Person.objects.filter(pk=forgotten.pk).update(updated_at=YEARS_AGO)
    Notification.objects.create(
        recipient=alice, kind="TUGAS", title="lama", url="/", dedupe_key="a", created_at=LAST_YEAR
    )
    Notification.objects.create(recipient=alice, kind="TUGAS", title="baru", url="/", dedupe_key="b")
    AssessmentDraft.objects.create(person=recent, author=alice, values={"x": 1}, updated_at=LAST_YEAR)
    AssessmentDraft.objects.create(person=recent, author=alice, values={"y": 2})
    source = DataSource.objects.create(agency=bp3mi, name="Sisko")
    batch = ImportBatch.objects.create(
        source=source, agency=bp3mi, file_name="a.csv", file_sha256="0" * 64, created_by=alice, finished_at=LAST_YEAR
    )
    ImportRow.objects.create(batch=batch, row_number=1, values={"nama": "Lama Sekali"}, action="CREATE")
    return {"forgotten": forgotten, "recent": recent, "batch": batch}


def _by_key(report):
    return {outcome.rule.key: outcome for outcome in report.outcomes}


def test_the_dry_run_counts_and_changes_nothing(old_data):
    report = _by_key(run_retention(dry_run=True))
    assert (report["notifications"].expired, report["notifications"].done) == (1, 0)
    assert (report["assessment_drafts"].expired, report["import_rows"].expired) == (1, 1)
    assert report["persons"].expired == 1 and report["persons"].done == 0
    assert Notification.objects.count() == 2 and AssessmentDraft.objects.count() == 2
    assert ImportRow.objects.get().values == {"nama": "Lama Sekali"}
    assert Person.objects.get(pk=old_data["forgotten"].pk).full_name == "Lama Sekali"
    assert not AuditEvent.objects.filter(action="retention.applied").exists()


def test_the_run_deletes_and_anonymises_what_expired_only(old_data):
    report = _by_key(run_retention(dry_run=False))
    assert list(Notification.objects.values_list("title", flat=True)) == ["baru"]
    assert list(AssessmentDraft.objects.values_list("values", flat=True)) == [{"y": 2}]
    row = ImportRow.objects.get()
    assert row.values == {} and row.action == "CREATE"  # the outcome per row stays
    forgotten = Person.objects.get(pk=old_data["forgotten"].pk)
    assert forgotten.full_name.startswith("Dihapus #") and forgotten.nik == ""
    assert Person.objects.get(pk=old_data["recent"].pk).full_name == "Baru Saja"
    assert report["persons"].done == 1
    event = AuditEvent.objects.get(action="retention.applied")
    assert event.detail["persons"]["done"] == 1 and event.detail["notifications"]["done"] == 1
    # Run again: nothing is left to do, nothing audited twice.
    again = _by_key(run_retention(dry_run=False))
    assert all(outcome.done == 0 for outcome in again.values())
    assert AuditEvent.objects.filter(action="retention.applied").count() == 1


def test_a_person_the_law_keeps_is_reported_with_the_reason_and_untouched(alice):
    victim = person_for(alice, full_name="Korban Lama")
    case = open_case_for(alice, person=victim, flag_trafficking=True)
    Case.objects.filter(pk=case.pk).update(updated_at=YEARS_AGO)
    Person.objects.filter(pk=victim.pk).update(updated_at=YEARS_AGO)
    # Old activity only: expired by the rule, kept by the law (an open TPPO case file).
    assert list(expired_persons(timezone.now() - timedelta(days=3650))) == [Person.objects.get(pk=victim.pk)]
    report = _by_key(run_retention(dry_run=False))
    assert report["persons"].done == 0 and sum(report["persons"].kept.values()) >= 1
    assert any("TPPO" in reason for reason in report["persons"].kept)
    assert Person.objects.get(pk=victim.pk).full_name == "Korban Lama"


def test_recent_activity_keeps_an_old_person(alice):
    person = person_for(alice, full_name="Masih Ditangani")
    open_case_for(alice, person=person)
    Person.objects.filter(pk=person.pk).update(updated_at=YEARS_AGO)
    assert not expired_persons(timezone.now() - timedelta(days=3650)).exists()


def test_the_policy_is_configurable(settings):
    settings.SINERGI_RETENTION_DAYS = ["notifications=30", "persons=1825"]
    days = {rule.key: rule.days for rule in policy()}
    assert days["notifications"] == 30 and days["persons"] == 1825 and days["assessment_drafts"] == 30


def test_the_command_prints_the_policy_and_the_dry_run(old_data):
    out = StringIO()
    call_command("retention", "--policy", stdout=out)
    assert "persons: 3650 hari" in out.getvalue()
    out = StringIO()
    call_command("retention", "--dry-run", stdout=out)
    assert "Uji coba" in out.getvalue() and "1 kedaluwarsa" in out.getvalue()
    assert Notification.objects.count() == 2


def test_an_import_nobody_confirmed_goes_with_its_file(alice, bp3mi, tmp_path, django_capture_on_commit_callbacks):
    source = DataSource.objects.create(agency=bp3mi, name="Sisko")
    stored = tmp_path / "ekspor.csv"
    stored.write_text("nama\nLama Sekali\n")

    def upload(status, created_at, stored_path=""):
        return ImportBatch.objects.create(
            source=source, agency=bp3mi, file_name="ekspor.csv", file_sha256="0" * 64, created_by=alice,
            status=status, created_at=created_at, stored_path=stored_path,
        )  # fmt: skip

    old = upload("PREVIEW", LAST_YEAR, str(stored))
    ImportRow.objects.create(batch=old, row_number=1, values={"nama": "Lama Sekali"}, action="CREATE")
    fresh = upload("MAPPING", timezone.now())
    done = upload("DONE", LAST_YEAR)

    assert _by_key(run_retention(dry_run=True))["abandoned_imports"].expired == 1
    assert stored.exists() and ImportRow.objects.filter(batch=old).exists()

    with django_capture_on_commit_callbacks(execute=True):  # the file goes once the cancellation committed
        outcome = _by_key(run_retention(dry_run=False))["abandoned_imports"]
    assert (outcome.expired, outcome.done) == (1, 1)
    old.refresh_from_db()
    assert old.status == "CANCELLED" and old.stored_path == "" and not stored.exists()
    assert not ImportRow.objects.filter(batch=old).exists()
    assert ImportBatch.objects.get(pk=fresh.pk).status == "MAPPING"
    assert ImportBatch.objects.get(pk=done.pk).status == "DONE"
    event = AuditEvent.objects.get(action="import.cancelled")
    assert event.actor is None and event.detail["by"] == "retention"
