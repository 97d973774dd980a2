"""The inbox's "semua" tab: closed referrals stay findable, filtered by status and direction, and the receiver
names a person it served only through its own record (take-in)."""

from __future__ import annotations

import pytest

from sinergi.referrals.models import Referral, ReferralStatus
from sinergi.sharing.models import TakeInBasis
from sinergi.sharing.services import take_into_registry
from sinergi.testing.referral_fixtures import referral_in, sent_referral

pytestmark = pytest.mark.django_db
R = ReferralStatus


def rows(client, user, **params):  # type: ignore[no-untyped-def]
    client.force_login(user)
    response = client.get("/rujukan/", {"tab": "semua", **params})
    assert response.status_code == 200
    return response.context["rows"]


def test_it_keeps_closed_referrals_in_the_history_tab(client, alice, carol, sop):
    done = referral_in(R.COMPLETED, sender=alice, receiver=carol)
    rejected = referral_in(R.REJECTED, sender=alice, receiver=carol)
    open_one = sent_referral(alice)
    for user in (alice, carol):
        assert {row.referral.pk for row in rows(client, user)} == {done.pk, rejected.pk, open_one.pk}


def test_it_filters_the_history_by_status_and_direction(client, alice, carol, sop):
    done = referral_in(R.COMPLETED, sender=alice, receiver=carol)
    referral_in(R.REJECTED, sender=alice, receiver=carol)
    assert [row.referral.pk for row in rows(client, alice, status="SELESAI")] == [done.pk]
    assert rows(client, alice, direction="masuk") == []
    assert len(rows(client, alice, direction="keluar")) == 2
    assert len(rows(client, carol, direction="masuk")) == 2


def test_it_names_a_served_person_only_through_the_receivers_own_record(client, alice, carol, sop):
    taken_in = referral_in(R.ACCEPTED, sender=alice, receiver=carol)
    own = take_into_registry(
        actor=carol, referral_id=taken_in.pk, basis=TakeInBasis.CONSENT, basis_note="Formulir persetujuan 12/2026"
    )
    not_taken_in = referral_in(R.COMPLETED, sender=alice, receiver=carol)
    Referral.objects.filter(pk=taken_in.pk).update(status=R.COMPLETED)
    names = {row.referral.pk: row.person_name for row in rows(client, carol)}
    assert names[taken_in.pk] == own.full_name  # its own record, made under a recorded lawful basis
    assert names[not_taken_in.pk] is None  # the closed referral shares nothing any more


def test_it_shows_nothing_of_other_agencies_referrals(client, alice, carol, dave, sop):
    referral_in(R.COMPLETED, sender=alice, receiver=carol)
    assert rows(client, dave) == []


def test_it_names_the_history_s_taken_in_persons_with_a_fixed_number_of_queries(client, alice, carol, sop):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def closed_and_taken_in() -> None:
        referral = referral_in(R.ACCEPTED, sender=alice, receiver=carol)
        take_into_registry(actor=carol, referral_id=referral.pk, basis=TakeInBasis.CONSENT, basis_note="Formulir")
        Referral.objects.filter(pk=referral.pk).update(status=R.COMPLETED)

    def queries() -> int:
        client.force_login(carol)
        with CaptureQueriesContext(connection) as captured:
            names = [row.person_name for row in client.get("/rujukan/", {"tab": "semua"}).context["rows"]]
        assert None not in names
        return len(captured)

    closed_and_taken_in()
    one = queries()
    for _ in range(3):
        closed_and_taken_in()
    assert queries() == one
