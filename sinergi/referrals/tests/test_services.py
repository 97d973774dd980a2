"""The referral loop through the services: consent gate, letter, SLA clocks, notifications, visibility, races."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils import timezone

from sinergi.audit.models import AuditEvent
from sinergi.cases.models import CaseStatus, ConsentGiver, ConsentScope
from sinergi.cases.selectors import cases_visible_to, get_case_for_user
from sinergi.cases.services import CaseError, change_case_status
from sinergi.demo.sop_seeding import DEFAULT_SECTIONS, TPPO_SECTIONS
from sinergi.notifications.models import Notification, NotificationKind
from sinergi.referrals import services
from sinergi.referrals.models import LawfulBasis, Referral, ReferralEvent, ReferralStatus, SlaStep
from sinergi.referrals.selectors import get_referral_for_user, referrals_visible_to, shared_sections_for
from sinergi.referrals.workflow import REFERRAL_TRANSITIONS
from sinergi.registry import services as registry_services
from sinergi.registry.selectors import get_person_for_user, person_sections_for, persons_visible_to
from sinergi.registry.services import InvalidData
from sinergi.testing.referral_fixtures import (
    consent_for,
    draft_referral,
    open_case_for,
    person_for,
    referral_in,
    sent_referral,
    service_of,
    wita,
)

pytestmark = pytest.mark.usefixtures("sop")

R = ReferralStatus


def deadlines_of(referral: Referral) -> dict[str, object]:
    return {d.step: d for d in referral.deadlines.all()}


def notified(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


# --- the whole loop ------------------------------------------------------------------------------------------


def test_it_runs_the_whole_loop_from_draft_to_completed(alice, carol, sari, yusuf, dave, clock):
    clock.set(wita(2026, 3, 17, 10, 0))  # Tuesday; 19-20 March are Nyepi and Idul Fitri, then a weekend
    case = open_case_for(alice)
    referral = draft_referral(alice, case)
    assert (referral.status, referral.to_agency.code, referral.sop_route.category.code) == (
        R.DRAFT,
        "sentra-nipotowe",
        "kekerasan-fisik-psikis",
    )

    # Consent gate: no consent recorded, no sending.
    with pytest.raises(services.ReferralError) as refusal:
        services.send_referral(actor=alice, referral_id=referral.pk)
    assert str(ConsentScope.REFERRAL.label) in str(refusal.value)
    referral.refresh_from_db()
    assert (referral.status, referral.letter_number, referral.sent_at) == (R.DRAFT, "", None)
    assert not referral.deadlines.exists()

    consent = consent_for(alice, case)
    referral = services.send_referral(actor=alice, referral_id=referral.pk)
    referral.refresh_from_db()
    assert referral.status == R.SENT
    assert referral.letter_number == "001/RUJ/BP3MI-SULTENG/III/2026"
    assert len(referral.verification_token) >= 16
    assert referral.consent == consent
    assert referral.shared_sections == [str(section) for section in DEFAULT_SECTIONS]
    assert referral.sent_at == wita(2026, 3, 17, 10, 0)
    clocks = deadlines_of(referral)
    assert set(clocks) == {SlaStep.ACKNOWLEDGE, SlaStep.DECIDE}
    assert clocks[SlaStep.ACKNOWLEDGE].due_at == wita(2026, 3, 18, 10, 0)
    assert clocks[SlaStep.DECIDE].due_at == wita(2026, 3, 24, 10, 0)  # 18, (19, 20 off, weekend) 23, 24
    assert notified(NotificationKind.REFERRAL_NEW) == {"carol", "yusuf"}

    clock.advance(hours=2)
    services.accept_referral(actor=carol, referral_id=referral.pk)
    referral.refresh_from_db()
    assert (referral.status, referral.decided_by, referral.assigned_to) == (R.ACCEPTED, carol, carol)
    clocks = deadlines_of(referral)
    assert clocks[SlaStep.ACKNOWLEDGE].met_at == clocks[SlaStep.DECIDE].met_at == wita(2026, 3, 17, 12, 0)
    assert clocks[SlaStep.FIRST_SERVICE].met_at is None
    assert clocks[SlaStep.FIRST_SERVICE].started_at == wita(2026, 3, 17, 12, 0)
    assert clocks[SlaStep.FIRST_SERVICE].due_at == wita(2026, 3, 30, 12, 0)  # 7 working days
    assert notified(NotificationKind.REFERRAL_ACCEPTED) == {"alice", "sari"}

    clock.advance(days=1)
    record = services.log_service(
        actor=carol, referral_id=referral.pk, delivered_on=date(2026, 3, 18), description="Konseling pertama."
    )
    referral.refresh_from_db()
    assert (referral.status, record.agency.code) == (R.IN_SERVICE, "sentra-nipotowe")
    assert deadlines_of(referral)[SlaStep.FIRST_SERVICE].met_at == wita(2026, 3, 18, 12, 0)
    assert referral.first_service_at == wita(2026, 3, 18, 12, 0)

    with pytest.raises(InvalidData) as missing:
        services.complete_referral(actor=carol, referral_id=referral.pk, outcome=" ", feedback="")
    assert set(missing.value.errors) == {"outcome", "feedback"}
    assert Referral.objects.get(pk=referral.pk).status == R.IN_SERVICE

    services.complete_referral(
        actor=carol,
        referral_id=referral.pk,
        outcome="Kondisi psikis membaik.",
        feedback="Lanjut pendampingan keluarga.",
    )
    referral.refresh_from_db()
    assert (referral.status, referral.outcome, referral.feedback) == (
        R.COMPLETED,
        "Kondisi psikis membaik.",
        "Lanjut pendampingan keluarga.",
    )
    assert referral.closed_at is not None
    assert not referral.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True).exists()
    assert list(referral.events.values_list("to_status", flat=True)) == [
        R.DRAFT,
        R.SENT,
        R.ACCEPTED,
        R.IN_SERVICE,
        R.COMPLETED,
    ]

    # Each user heard of each step once; dave (not involved) of nothing.
    per_user = Counter(Notification.objects.values_list("recipient__username", "kind"))
    assert per_user == {
        ("carol", NotificationKind.REFERRAL_NEW): 1,
        ("yusuf", NotificationKind.REFERRAL_NEW): 1,
        ("alice", NotificationKind.REFERRAL_ACCEPTED): 1,
        ("sari", NotificationKind.REFERRAL_ACCEPTED): 1,
        ("alice", NotificationKind.REFERRAL_COMPLETED): 1,
        ("sari", NotificationKind.REFERRAL_COMPLETED): 1,
    }
    actions = Counter(AuditEvent.objects.filter(object_type="referrals.referral").values_list("action", flat=True))
    assert actions == {"referral.created": 1, "referral.status_changed": 4, "referral.service_logged": 1}


def test_it_acknowledges_then_accepts(alice, carol, clock):
    clock.set(wita(2026, 3, 17, 10, 0))
    referral = sent_referral(alice)
    clock.advance(hours=1)
    services.acknowledge_referral(actor=carol, referral_id=referral.pk)
    clocks = deadlines_of(referral)
    assert clocks[SlaStep.ACKNOWLEDGE].met_at == wita(2026, 3, 17, 11, 0)
    assert clocks[SlaStep.DECIDE].met_at is None
    clock.advance(hours=1)
    services.accept_referral(actor=carol, referral_id=referral.pk)
    referral.refresh_from_db()
    assert (referral.acknowledged_at, referral.accepted_at) == (wita(2026, 3, 17, 11, 0), wita(2026, 3, 17, 12, 0))
    assert deadlines_of(referral)[SlaStep.ACKNOWLEDGE].met_at == wita(2026, 3, 17, 11, 0)  # not moved by accepting


def test_it_needs_a_reason_to_reject(alice, carol):
    referral = sent_referral(alice)
    with pytest.raises(InvalidData) as missing:
        services.reject_referral(actor=carol, referral_id=referral.pk, reason="   ")
    assert set(missing.value.errors) == {"reason"}
    assert Referral.objects.get(pk=referral.pk).status == R.SENT

    services.reject_referral(actor=carol, referral_id=referral.pk, reason="Kuota shelter penuh.")
    referral.refresh_from_db()
    assert (referral.status, referral.status_reason, referral.decided_by) == (R.REJECTED, "Kuota shelter penuh.", carol)
    assert not referral.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True).exists()
    assert notified(NotificationKind.REFERRAL_REJECTED) == {"alice"}
    assert ReferralEvent.objects.get(referral=referral, to_status=R.REJECTED).note == "Kuota shelter penuh."


def test_it_needs_a_reason_to_fail(alice, carol):
    referral = referral_in(R.ACCEPTED, sender=alice, receiver=carol)
    with pytest.raises(InvalidData):
        services.fail_referral(actor=carol, referral_id=referral.pk, reason="")
    services.fail_referral(actor=carol, referral_id=referral.pk, reason="Klien tidak bisa dihubungi.")
    assert Referral.objects.get(pk=referral.pk).status == R.FAILED
    assert notified(NotificationKind.REFERRAL_FAILED) == {"alice"}


REVOCABLE = sorted(frm for (frm, to) in REFERRAL_TRANSITIONS if to == R.REVOKED)


@pytest.mark.parametrize("status", REVOCABLE)
def test_it_revokes_from_each_open_state(status, alice, carol):
    referral = referral_in(status, sender=alice, receiver=carol)
    with pytest.raises(InvalidData):
        services.revoke_referral(actor=alice, referral_id=referral.pk, reason="")
    services.revoke_referral(actor=alice, referral_id=referral.pk, reason="Klien memilih layanan lain.")
    referral.refresh_from_db()
    assert (referral.status, referral.status_reason) == (R.REVOKED, "Klien memilih layanan lain.")
    assert referral.closed_at is not None
    assert not referral.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True).exists()
    # The receiver hears of it once it had been sent to them; a draft never reached them.
    assert notified(NotificationKind.REFERRAL_REVOKED) == (set() if status == R.DRAFT else {"carol"})


def test_it_covers_every_open_state_with_revoke():
    assert set(REVOCABLE) == {R.DRAFT, R.SENT, R.ACKNOWLEDGED, R.ACCEPTED, R.IN_SERVICE}


# --- consent gate and override -------------------------------------------------------------------------------


def test_it_lets_a_supervisor_send_without_consent_on_a_lawful_basis(alice, sari, carol):
    referral = draft_referral(alice)
    override = services.ConsentOverride(basis=LawfulBasis.VITAL_INTEREST, reason="Korban dirawat, keluarga belum ada.")
    services.send_referral(actor=sari, referral_id=referral.pk, override=override)
    referral.refresh_from_db()
    assert referral.status == R.SENT
    assert (referral.override_basis, referral.override_reason, referral.override_by) == (
        LawfulBasis.VITAL_INTEREST,
        "Korban dirawat, keluarga belum ada.",
        sari,
    )
    assert referral.consent is None
    [event] = AuditEvent.objects.filter(action="referral.consent_overridden")
    assert (event.actor, event.object_id) == (sari, str(referral.pk))
    assert event.detail == {"basis": LawfulBasis.VITAL_INTEREST, "reason": "Korban dirawat, keluarga belum ada."}


@pytest.mark.parametrize(
    ("basis", "reason"), [("KONTRAK", "Ada kontrak."), (LawfulBasis.PUBLIC_TASK, "  "), ("", "Darurat.")]
)
def test_it_refuses_an_override_without_a_lawful_basis_and_reason(basis, reason, alice, sari):
    referral = draft_referral(alice)
    with pytest.raises(InvalidData) as invalid:
        services.send_referral(
            actor=sari, referral_id=referral.pk, override=services.ConsentOverride(basis=basis, reason=reason)
        )
    assert "override_reason" in invalid.value.errors
    assert Referral.objects.get(pk=referral.pk).status == R.DRAFT
    assert not AuditEvent.objects.filter(action="referral.consent_overridden").exists()


def test_it_does_not_let_a_petugas_override_consent(alice):
    referral = draft_referral(alice)
    override = services.ConsentOverride(basis=LawfulBasis.VITAL_INTEREST, reason="Darurat.")
    with pytest.raises(PermissionDenied):
        services.send_referral(actor=alice, referral_id=referral.pk, override=override)
    referral.refresh_from_db()
    assert (referral.status, referral.override_basis, referral.override_by) == (R.DRAFT, "", None)
    assert not AuditEvent.objects.filter(action="referral.consent_overridden").exists()


def test_it_needs_a_parent_or_guardian_to_consent_for_a_child(alice):
    child = person_for(alice, full_name="Putri Lestari", birth_date=date(2012, 5, 1))
    case = open_case_for(alice, person=child)
    assert case.flag_child
    with pytest.raises(InvalidData) as invalid:
        consent_for(alice, case, given_by=ConsentGiver.SELF, giver_name="Putri Lestari")
    assert "given_by" in invalid.value.errors
    referral = draft_referral(alice, case)
    with pytest.raises(services.ReferralError):
        services.send_referral(actor=alice, referral_id=referral.pk)

    consent_for(alice, case, given_by=ConsentGiver.PARENT, giver_name="Lestari (ibu)")
    services.send_referral(actor=alice, referral_id=referral.pk)
    assert Referral.objects.get(pk=referral.pk).status == R.SENT


def test_it_does_not_count_a_withdrawn_consent(alice):
    from sinergi.cases.services import withdraw_consent

    case = open_case_for(alice)
    consent = consent_for(alice, case)
    withdraw_consent(actor=alice, case_id=case.pk, consent_id=consent.pk)
    referral = draft_referral(alice, case)
    with pytest.raises(services.ReferralError):
        services.send_referral(actor=alice, referral_id=referral.pk)


# --- what the SOP allows -------------------------------------------------------------------------------------


def test_it_offers_only_other_agencies_services_the_sop_routes(alice):
    case = open_case_for(alice)
    offered = services.allowed_services(case)
    assert offered
    assert {service.agency.code for service in offered} == {"sentra-nipotowe", "dinsos-palu"}


def test_it_refuses_a_service_the_sop_does_not_route(alice):
    from sinergi.sop.models import SopRoute

    case = open_case_for(alice)
    SopRoute.objects.get(category__code="kekerasan-fisik-psikis").services.remove(service_of())
    with pytest.raises(InvalidData) as invalid:
        draft_referral(alice, case)
    assert "service" in invalid.value.errors


def test_it_refuses_a_referral_to_the_senders_own_agency(alice):
    case = open_case_for(alice)
    with pytest.raises(InvalidData):
        draft_referral(alice, case, service=service_of("bp3mi-sulteng", "pemulangan"))


def test_it_refuses_a_referral_of_a_closed_case(alice):
    case = open_case_for(alice)
    change_case_status(
        actor=alice, case_id=case.pk, to_status=CaseStatus.CLOSED, reason="Dicabut.", closure_reason="DICABUT"
    )
    with pytest.raises(services.ReferralError):
        draft_referral(alice, case)


def test_it_shares_only_the_sections_of_the_route(alice, carol):
    case = open_case_for(alice, categories=("tppo",))
    referral = sent_referral(alice, case)
    assert referral.shared_sections == [str(section) for section in TPPO_SECTIONS]
    assert shared_sections_for(carol, referral) == frozenset(TPPO_SECTIONS)
    # Trafficking: the person's identity travels, contacts and family do not (UU 21/2007 Pasal 44).
    assert person_sections_for(carol, case.person) == {"IDENTITAS"}


# --- visibility ----------------------------------------------------------------------------------------------


def test_it_hides_the_case_the_person_and_the_referral_from_an_uninvolved_agency(alice, carol, dave):
    referral = referral_in(R.ACCEPTED, sender=alice, receiver=carol)
    with pytest.raises(Http404):
        get_case_for_user(dave, referral.case_id)
    with pytest.raises(Http404):
        get_person_for_user(dave, referral.case.person_id)
    with pytest.raises(Http404):
        get_referral_for_user(dave, referral.pk)
    assert not cases_visible_to(dave).exists()
    assert not referrals_visible_to(dave).exists()
    assert not persons_visible_to(dave).filter(pk=referral.case.person_id).exists()
    assert shared_sections_for(dave, referral) == frozenset()


def test_it_shows_the_person_to_the_receiver_only_while_the_referral_is_open(alice, carol):
    case = open_case_for(alice)
    person = case.person
    referral = draft_referral(alice, case)
    with pytest.raises(Http404):
        get_referral_for_user(carol, referral.pk)  # a draft stays with the sender
    assert not persons_visible_to(carol).filter(pk=person.pk).exists()

    consent_for(alice, case)
    services.send_referral(actor=alice, referral_id=referral.pk)
    assert persons_visible_to(carol).filter(pk=person.pk).exists()
    assert get_person_for_user(carol, person.pk) == person
    services.accept_referral(actor=carol, referral_id=referral.pk)
    services.log_service(
        actor=carol, referral_id=referral.pk, delivered_on=timezone.localdate(), description="Konseling."
    )
    services.complete_referral(actor=carol, referral_id=referral.pk, outcome="Selesai.", feedback="Terima kasih.")

    assert not persons_visible_to(carol).filter(pk=person.pk).exists()
    with pytest.raises(Http404):
        get_person_for_user(carol, person.pk)
    with pytest.raises(Http404):
        get_case_for_user(carol, case.pk)
    closed = get_referral_for_user(carol, referral.pk)  # the receiver keeps its own records
    assert shared_sections_for(carol, closed) == frozenset()
    assert closed.service_records.count() == 1


def test_it_never_lets_the_receiver_edit_the_person(alice, carol):
    referral = sent_referral(alice)
    person = referral.case.person
    assert get_person_for_user(carol, person.pk) == person
    with pytest.raises(Http404):
        get_person_for_user(carol, person.pk, write=True)
    with pytest.raises(Http404):
        registry_services.add_phone(actor=carol, person_id=person.pk, number="0812-1111-2222", label="")
    assert not person.phones.filter(number__endswith="11112222").exists()


def test_it_never_shows_the_receiver_the_case_itself(alice, carol):
    referral = sent_referral(alice)
    with pytest.raises(Http404):
        get_case_for_user(carol, referral.case_id)
    assert not cases_visible_to(carol).exists()


# --- cases with open referrals -------------------------------------------------------------------------------


@pytest.mark.parametrize("to_status", [CaseStatus.DONE, CaseStatus.CLOSED])
def test_it_refuses_to_end_a_case_with_open_referrals(to_status, alice, carol):
    case = open_case_for(alice)
    change_case_status(actor=alice, case_id=case.pk, to_status=CaseStatus.VERIFICATION)
    change_case_status(actor=alice, case_id=case.pk, to_status=CaseStatus.HANDLING)
    referral = referral_in(R.ACCEPTED, sender=alice, receiver=carol, case=case)
    with pytest.raises(CaseError) as refusal:
        change_case_status(
            actor=alice, case_id=case.pk, to_status=to_status, reason="Selesai.", closure_reason="DILIMPAHKAN"
        )
    assert "Sentra Nipotowe Palu" in str(refusal.value)
    assert get_case_for_user(alice, case.pk).status == CaseStatus.HANDLING

    services.revoke_referral(actor=alice, referral_id=referral.pk, reason="Ditangani kementerian lain.")
    change_case_status(
        actor=alice,
        case_id=case.pk,
        to_status=to_status,
        reason="Selesai.",
        closure_reason="DILIMPAHKAN",
        outcome="DILIMPAHKAN",
    )
    assert get_case_for_user(alice, case.pk).status == to_status


# --- two accepts at the same moment --------------------------------------------------------------------------


def accept_quietly(user, referral_id, barrier, results):
    """Runs in its own thread (own database connection on PostgreSQL); records the outcome."""
    try:
        if barrier is not None:
            barrier.wait(timeout=10)
        services.accept_referral(actor=user, referral_id=referral_id)
        results[user.username] = "accepted"
    except services.ReferralError as refusal:
        results[user.username] = refusal
    finally:
        if barrier is not None:
            connection.close()


@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_two_simultaneous_accepts_win(regions_loaded, alice, carol, erin, sop):
    referral = sent_referral(alice)
    results: dict[str, object] = {}
    if connection.vendor == "postgresql":
        # Two connections really race: the row lock makes the second wait, then see the first's acceptance.
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=accept_quietly, args=(user, referral.pk, barrier, results))
            for user in (carol, erin)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        # SQLite serialises writers anyway; the second accept comes after the first.
        accept_quietly(carol, referral.pk, None, results)
        accept_quietly(erin, referral.pk, None, results)

    winners = [name for name, outcome in results.items() if outcome == "accepted"]
    losers = [outcome for outcome in results.values() if outcome != "accepted"]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    referral.refresh_from_db()
    assert referral.status == R.ACCEPTED
    assert referral.decided_by.username == winners[0]
    message = str(losers[0])
    assert referral.decided_by.display_name in message
    assert str(R.ACCEPTED.label) in message
    assert ReferralEvent.objects.filter(referral=referral, to_status=R.ACCEPTED).count() == 1
    assert Notification.objects.filter(kind=NotificationKind.REFERRAL_ACCEPTED, recipient=alice).count() == 1


# --- follow-on referrals, rejection clocks and SOP changes ----------------------------------------------------


def test_it_links_a_follow_on_referral_to_its_parent(alice, carol):
    case = open_case_for(alice)
    first = referral_in(R.COMPLETED, sender=alice, receiver=carol, case=case)
    follow_on = draft_referral(alice, case, service=service_of("sentra-nipotowe", "atensi-a3"), parent_id=first.pk)
    assert (follow_on.parent, list(first.follow_ons.all())) == (first, [follow_on])


def test_it_refuses_a_parent_from_another_case(alice, carol):
    other = referral_in(R.COMPLETED, sender=alice, receiver=carol)
    with pytest.raises(InvalidData):
        draft_referral(alice, open_case_for(alice), parent_id=other.pk)


def test_it_counts_a_rejection_as_the_decision_the_clock_waited_for(alice, carol, clock):
    clock.set(wita(2026, 3, 17, 10, 0))
    referral = sent_referral(alice)
    clock.set(wita(2026, 3, 17, 15, 0))
    services.reject_referral(actor=carol, referral_id=referral.pk, reason="Kuota penuh.")
    clocks = deadlines_of(referral)
    assert clocks[SlaStep.ACKNOWLEDGE].met_at == clocks[SlaStep.DECIDE].met_at == wita(2026, 3, 17, 15, 0)


def test_it_sends_under_the_sop_in_force_when_sent(alice, sop):
    from sinergi.cases.models import ComplaintCategory
    from sinergi.sop.models import SharedSection, SopDocument, SopRoute, SopStatus

    case = open_case_for(alice)
    consent_for(alice, case)
    referral = draft_referral(alice, case)
    sop.status = SopStatus.RETIRED
    sop.save()
    revised = SopDocument.objects.create(
        title="SOP Bersama (revisi)", version="2.0", effective_from=date(2026, 1, 1), status=SopStatus.ACTIVE
    )
    route = SopRoute.objects.create(
        sop=revised,
        category=ComplaintCategory.objects.get(code="kekerasan-fisik-psikis"),
        consent_scope=ConsentScope.REFERRAL,
        shared_sections=[SharedSection.IDENTITY],
    )
    route.services.set([service_of()])
    services.send_referral(actor=alice, referral_id=referral.pk)
    referral.refresh_from_db()
    assert (referral.sop_route, referral.shared_sections) == (route, [SharedSection.IDENTITY])
