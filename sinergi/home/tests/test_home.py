"""Each role lands on its work: the figures and lists of the home page, read through the owning selectors."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.test import Client

from sinergi.accounts.roles import Role
from sinergi.cases.models import ConsentScope
from sinergi.referrals.models import Deadline, ReferralStatus
from sinergi.testing.factories import UserFactory
from sinergi.testing.referral_fixtures import consent_for, open_case_for, referral_in, sent_referral

pytestmark = pytest.mark.django_db
R = ReferralStatus


def test_it_lands_on_the_home_page_after_login(client, alice):
    alice.set_password("rahasia-panjang-sekali")
    alice.save()
    response = client.post("/akun/login/", {"login": "alice", "password": "rahasia-panjang-sekali"})
    assert (response.status_code, response["Location"]) == (302, "/")
    assert client.get("/").templates[0].name == "home/home.html"


def test_it_shows_a_social_worker_the_referrals_waiting_for_her_agency(client, alice, carol, sop):
    referral = sent_referral(alice)
    client.force_login(carol)
    response = client.get("/")
    assert response.context["work"].inbox["menunggu"] == 1
    assert [row.referral for row in response.context["work"].waiting] == [referral]
    assert f"/rujukan/{referral.pk}/" in response.content.decode()
    assert '<a class="figure" href="/rujukan/?tab=menunggu"><strong>1</strong>' in response.content.decode()
    client.force_login(alice)  # the sender waits on nobody: her figure is 0
    assert client.get("/").context["work"].inbox["menunggu"] == 0


def test_it_shows_late_referrals_to_both_sides(client, alice, carol, sop):
    referral = sent_referral(alice)
    Deadline.objects.filter(referral=referral).update(due_at=F("due_at") - timedelta(days=30))
    for user in (alice, carol):
        client.force_login(user)
        response = client.get("/")
        assert [row.referral for row in response.context["work"].late] == [referral], user.username
        assert referral.case.number in response.content.decode()


def test_it_shows_a_case_worker_her_open_cases_and_not_another_agencys(client, alice, dave, sop):
    case = open_case_for(alice)
    client.force_login(alice)
    assert client.get("/").context["work"].my_cases == [case]
    client.force_login(dave)
    work = client.get("/").context["work"]
    assert (work.my_cases, work.my_open_cases, work.late, work.inbox["menunggu"]) == ([], 0, [], 0)
    assert case.number not in client.get("/").content.decode()


def test_it_shows_a_supervisor_what_waits_for_his_agreement(client, alice, carol, bp3mi, sop):
    from sinergi.assistance import services as assistance
    from sinergi.cases import services as cases

    head = UserFactory(username="kepala", agency=bp3mi, roles=[Role.SUPERVISOR])
    case = open_case_for(alice)
    cases.add_assessment(
        actor=alice,
        case_id=case.pk,
        data=cases.AssessmentData(summary="Butuh bantuan.", needs_special_assistance=True),
    )
    referral_in(R.ACCEPTED, sender=alice, receiver=carol, case=case)
    consent_for(alice, case, scope=ConsentScope.SPECIAL_ASSISTANCE)  # the list is a purpose of its own
    entry, _ = assistance.propose_entry(
        actor=alice,
        data=assistance.ProposalData(case_id=case.pk, partner_agency_id=carol.agency_pk, needs=["PSIKOSOSIAL"]),
    )
    client.force_login(head)
    assert client.get("/").context["work"].awaiting_agreement == [entry]
    assistance.agree_entry(actor=head, entry_id=entry.pk)
    assert client.get("/").context["work"].awaiting_agreement == []


def test_it_shows_the_data_officer_the_review_queue_and_not_the_auditor(client, olive, bob):
    client.force_login(olive)
    assert client.get("/").context["work"].pairs_to_review == 0
    client.force_login(bob)
    response = client.get("/")
    assert response.context["work"].pairs_to_review is None
    assert "/audit/" in response.content.decode()


def test_it_reads_the_home_page_in_a_fixed_number_of_queries(client, alice, carol, sop, django_assert_max_num_queries):
    for _ in range(3):
        sent_referral(alice)
    client.force_login(alice)
    with django_assert_max_num_queries(25):
        client.get("/")


def test_the_admin_names_third_party_apps_and_models_in_indonesian(client: Client) -> None:
    admin = UserFactory(username="admin-id", roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/", headers={"accept-language": "id"}).content.decode()
    assert "Tugas latar belakang" in page and "Penguncian login" in page
    assert "Task Results" not in page and ">Axes<" not in page and ">MFA<" not in page
