"""What a page costs (issue 14, parts 5 and 7): the person page's queries do not grow with the
person's sub-records, and the audit event of the read is still written — by one INSERT, linked into the chain
afterwards by the process's sealer thread when the web server asks for it (SINERGI_AUDIT_SEAL_DELAY_MS); select
widgets rendered in Python print what Django's templates print."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import pytest
from django import forms
from django.db import OperationalError, connection
from django.forms.renderers import DjangoTemplates
from django.test.utils import CaptureQueriesContext
from django.utils.safestring import mark_safe

from sinergi.audit.chain import verify_chain
from sinergi.audit.models import AuditEvent
from sinergi.cases.forms import CaseFilterForm
from sinergi.registry import services
from sinergi.registry.forms import EpisodeForm
from sinergi.registry.models import Person
from sinergi.sharing.access import record_access
from sinergi.sharing.sections import IDENTITY
from sinergi.testing.factories import make_person


def page_queries(client, person: Person) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/orang/{person.pk}/")
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def add_sub_records(actor, person: Person, count: int) -> None:
    for index in range(count):
        services.add_phone(actor=actor, person_id=person.pk, number=f"0812-4455-{6670 + index}", label="")
        services.add_identifier(actor=actor, person_id=person.pk, kind="PASPOR", value=f"C{1234560 + index}")
        services.add_family_link(actor=actor, person_id=person.pk, relationship="ANAK", name=f"Anak {index}")


def test_the_person_page_issues_as_many_queries_for_many_sub_records_as_for_one(client, alice):
    few = make_person(alice, full_name="Siti Aminah", sex="P", birth_date=date(1990, 10, 12), region_code="72.71.05")
    many = make_person(alice, full_name="Nur Aini", sex="P", birth_date=date(1991, 1, 2), region_code="72.71.05")
    add_sub_records(alice, few, 1)
    add_sub_records(alice, many, 6)
    client.force_login(alice)
    page_queries(client, few)  # the first request of a session reads a few things once
    assert len(page_queries(client, many)) == len(page_queries(client, few))


def test_a_read_is_audited_with_one_insert_when_the_server_seals_later(client, alice, settings):
    settings.SINERGI_AUDIT_SEAL_DELAY = 0.5
    person = make_person(alice, full_name="Siti Aminah", sex="P", birth_date=date(1990, 10, 12))
    client.force_login(alice)
    page_queries(client, person)
    queries = page_queries(client, person)
    audit_writes = [sql for sql in queries if "audit_auditevent" in sql and not sql.startswith("SELECT")]
    assert len(audit_writes) == 1
    assert audit_writes[0].startswith("INSERT")
    assert not [sql for sql in queries if "audit_auditchain" in sql]  # nobody waits for the chain's head
    views = AuditEvent.objects.filter(action="person.viewed", object_id=str(person.pk), actor=alice)
    assert views.count() == 2
    assert all(event.content_hash for event in views)


@pytest.mark.django_db(transaction=True)
def test_by_default_a_read_is_sealed_by_its_own_request(client, alice, settings):
    settings.SINERGI_AUDIT_SEAL_DELAY = 0
    person = make_person(alice, full_name="Siti Aminah", sex="P", birth_date=date(1990, 10, 12))
    client.force_login(alice)
    assert client.get(f"/orang/{person.pk}/").status_code == 200
    view = AuditEvent.objects.get(action="person.viewed", object_id=str(person.pk))
    assert view.seq is not None


@pytest.mark.django_db(transaction=True)
def test_the_sealer_thread_links_logged_reads_into_the_chain(alice, settings):
    settings.SINERGI_AUDIT_SEAL_DELAY = 0.05
    person = make_person(alice, full_name="Siti Aminah", sex="P", birth_date=date(1990, 10, 12))
    for _ in range(3):
        _past_table_locks(lambda: record_access(actor=alice, person=person, sections=(IDENTITY,)))
    views = AuditEvent.objects.filter(action="person.viewed", object_id=str(person.pk))
    deadline = time.monotonic() + 10
    while _past_table_locks(views.filter(seq__isnull=True).exists) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert views.count() == 3
    assert not views.filter(seq__isnull=True).exists()
    report = verify_chain(seal_first=False)
    assert report.intact, report.first_break


def _past_table_locks[T](ask: Callable[[], T]) -> T:
    """`ask()`, again while the sealer thread holds the table. SQLite's shared in-memory test database answers a
    reader "database table is locked" at once while another connection writes that table (CI saw it once with the
    suite in two processes); a file database, as served, waits instead (WAL and a busy timeout)."""
    for _ in range(100):
        try:
            return ask()
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.05)
    return ask()


class Choices(forms.Form):
    grouped = forms.ChoiceField(
        choices=[("Asia & more", [("HK", "Hong Kong"), ("TW", "<Taiwan>")]), ("SA", mark_safe("<b>Saudi</b>"))],
        initial="TW",
    )
    several = forms.MultipleChoiceField(choices=[("1", "satu"), ('"2', "dua's")], initial=["1", '"2'], required=False)
    radio = forms.ChoiceField(choices=[("1", "a"), ("2", "b")], widget=forms.RadioSelect)
    unknown = forms.NullBooleanField()


@pytest.mark.parametrize("form_class", [Choices, EpisodeForm, CaseFilterForm])
def test_select_widgets_render_exactly_as_djangos_own_templates(db, form_class):
    """templates/django/forms/widgets/select.html renders options in Python (sinergi.widgets) for speed."""
    assert str(form_class()) == str(form_class(renderer=DjangoTemplates()))
    assert str(form_class(data={})) == str(form_class(data={}, renderer=DjangoTemplates()))


def test_the_person_page_reads_the_person_once(client, alice):
    """The visibility rule's read is the page's read: its sub-records are added to it, not to a second read."""
    person = make_person(alice, full_name="Siti Aminah", sex="P", birth_date=date(1990, 10, 12), region_code="72.71.05")
    add_sub_records(alice, person, 2)
    client.force_login(alice)
    page_queries(client, person)
    reads = [
        sql
        for sql in page_queries(client, person)
        if sql.startswith("SELECT") and 'FROM "registry_person" ' in sql and '"registry_person"."nik"' in sql
    ]
    assert len(reads) == 1, reads


def test_the_agencys_own_person_is_read_without_the_referral_sub_select(alice, carol, dave, sop):
    """get_person_for_user asks the agency's own persons first; another agency's person shared by a referral is
    still found by the whole rule, and a person neither owned nor shared is still a 404."""
    from django.http import Http404

    from sinergi.referrals.models import ReferralStatus
    from sinergi.registry.selectors import get_person_for_user
    from sinergi.testing.referral_fixtures import referral_in

    shared = referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol).case.person
    own = make_person(alice, full_name="Nur Aini", sex="P", birth_date=date(1991, 1, 2))
    with CaptureQueriesContext(connection) as queries:
        assert get_person_for_user(alice, own.pk) == own
    assert len(queries.captured_queries) == 1
    assert "referrals_referral" not in queries.captured_queries[0]["sql"]
    assert get_person_for_user(carol, shared.pk) == shared
    for user, person in ((carol, own), (dave, shared), (dave, own)):
        with pytest.raises(Http404):
            get_person_for_user(user, person.pk)
    with pytest.raises(Http404):
        get_person_for_user(carol, shared.pk, write=True)  # a referral shares the record read-only


def test_a_search_logs_the_shared_persons_it_shows_with_one_insert(client, alice, carol, sop):
    """Each other agency's person a result list shows in full is a logged read, and the page writes them all in one
    statement: three shared namesakes cost what one does."""
    from sinergi.referrals.models import ReferralStatus
    from sinergi.testing.referral_fixtures import open_case_for, referral_in

    shared = []
    for day in (3, 4, 5):
        person = make_person(alice, full_name="Dewi Lestari", sex="P", birth_date=date(1990, 10, day))
        shared.append(person)
        referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol, case=open_case_for(alice, person=person))
    client.force_login(carol)
    client.get("/orang/?q=Dewi+Lestari")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/orang/?q=Dewi+Lestari")
    assert response.status_code == 200
    inserts = [q["sql"] for q in queries.captured_queries if 'INSERT INTO "audit_auditevent"' in q["sql"]]
    assert len(inserts) == 1
    logged = AuditEvent.objects.filter(action="person.viewed", actor=carol, detail__context="search")
    assert sorted(int(event.object_id) for event in logged) == sorted([p.pk for p in shared] * 2)
