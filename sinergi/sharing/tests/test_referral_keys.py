"""A referral records its person and whether its sender registered that person when it is made, and the sharing
rule reads those two instead of joining every open referral to its case and person (issue 14, part 4: at 10,000
open referrals the joins cost 250–300 ms per search and person page on PostgreSQL)."""

from __future__ import annotations

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sinergi.accounts.models import User
from sinergi.referrals.models import Referral, ReferralStatus, sharing_keys
from sinergi.registry.models import Person
from sinergi.sharing import rules
from sinergi.sharing.sections import IDENTITY
from sinergi.testing.referral_fixtures import open_case_for, person_for, referral_in

pytestmark = pytest.mark.usefixtures("sop")


def _case(agency_id: int, registered_by: int) -> Any:
    person = SimpleNamespace(registered_by_agency_id=registered_by)
    return SimpleNamespace(person_id=7, agency_id=agency_id, person=person)


def test_its_sender_owns_the_person_only_when_it_opened_the_case_and_registered_the_person() -> None:
    assert sharing_keys(_case(agency_id=1, registered_by=1), from_agency_id=1) == (7, True)
    assert sharing_keys(_case(agency_id=1, registered_by=2), from_agency_id=1) == (7, False)
    assert sharing_keys(_case(agency_id=2, registered_by=2), from_agency_id=1) == (7, False)


def test_a_referral_records_its_cases_person_and_that_the_sender_registered_them(alice: User, carol: User) -> None:
    referral = referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol)
    assert referral.person_id == referral.case.person_id
    assert referral.sender_owns_person is True
    assert rules.persons_visible_to(carol).filter(pk=referral.person_id).exists()
    assert IDENTITY in rules.granted_by(referral)


def test_a_referral_whose_sender_does_not_own_the_person_shares_no_person_section(alice: User, carol: User) -> None:
    referral = referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol)
    Referral.objects.filter(pk=referral.pk).update(sender_owns_person=False)
    referral.refresh_from_db()
    person = Person.objects.get(pk=referral.person_id)
    assert not rules.persons_visible_to(carol).filter(pk=person.pk).exists()
    assert rules.person_ids_shared_with(carol) == set()
    assert rules.person_relation(carol, person) == rules.Relation.NONE
    assert rules.person_sections_for(carol, person) == rules.NOTHING
    assert IDENTITY not in rules.granted_by(referral)
    assert rules.granted_by(referral)  # the case sections still travel: the sender opened the case


def test_it_lists_the_shared_persons_from_the_referrals_alone(alice: User, carol: User) -> None:
    referral = referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol)
    with CaptureQueriesContext(connection) as queries:
        shared = Person.objects.filter(rules.visible_persons_q(carol)).values_list("pk", flat=True)
        assert list(shared) == [referral.person_id]
    statements = " ".join(query["sql"] for query in queries.captured_queries)
    assert "cases_case" not in statements


def test_the_migration_fills_the_keys_of_referrals_made_before_it(alice: User, carol: User) -> None:
    own = referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol)
    other = referral_in(ReferralStatus.SENT, sender=alice, receiver=carol, case=open_case_for(alice))
    stranger = person_for(carol)
    Referral.objects.filter(pk__in=[own.pk, other.pk]).update(person_id=stranger.pk, sender_owns_person=False)
    migration = importlib.import_module("sinergi.referrals.migrations.0005_fill_referral_person_shares")
    migration.fill_sharing_keys(apps, None)
    for before in (own, other):
        after = Referral.objects.get(pk=before.pk)
        assert (after.person_id, after.sender_owns_person) == (before.case.person_id, True)


@pytest.mark.django_db(transaction=True)
def test_the_migrations_upgrade_a_database_that_already_holds_referrals(alice: User, carol: User) -> None:
    """Run back to before the keys and forward again with a referral stored: on PostgreSQL, filling the column and
    altering the table in one transaction failed ("pending trigger events"), which an empty test database never
    showed (bench_pg_scale found it on 1,000,000 referrals)."""
    from django.db.migrations.executor import MigrationExecutor

    referral = referral_in(ReferralStatus.ACCEPTED, sender=alice, receiver=carol)
    MigrationExecutor(connection).migrate([("referrals", "0003_deadline_running")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    after = Referral.objects.get(pk=referral.pk)
    assert (after.person_id, after.sender_owns_person) == (referral.case.person_id, True)
    assert rules.persons_visible_to(carol).filter(pk=after.person_id).exists()
