"""The special-assistance workflow: propose, the two-agency agreement, withdrawal, double submits, the consent
gate and the supervisor's override."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.accounts.models import AgencyKind
from sinergi.accounts.roles import Role
from sinergi.assistance import services
from sinergi.assistance.models import AssistanceEntry, AssistanceNeed, AssistanceStatus, AssistanceStep, StepKind
from sinergi.assistance.tests.conftest import agreed_entry, assessed_case, propose
from sinergi.assistance.workflow import partner_kinds_for
from sinergi.audit.models import AuditEvent
from sinergi.cases import services as case_services
from sinergi.notifications.models import Notification
from sinergi.referrals.services import ConsentOverride
from sinergi.registry.services import InvalidData
from sinergi.testing.factories import AgencyFactory, UserFactory
from sinergi.testing.referral_fixtures import open_case_for

S = AssistanceStatus


def actions(entry: AssistanceEntry) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="assistance.assistanceentry", object_id=str(entry.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


# --- propose ---------------------------------------------------------------------------------------------------


def test_it_proposes_a_case_whose_assessment_needs_special_assistance(alice, sentra, siti_case):
    entry = propose(alice, siti_case, sentra, note="  Butuh pendampingan.  ")

    assert entry.status == S.PROPOSED
    assert (entry.case, entry.person, entry.proposing_agency, entry.partner_agency) == (
        siti_case,
        siti_case.person,
        alice.agency,
        sentra,
    )
    assert entry.needs == ["PSIKOSOSIAL", "PEMBERDAYAAN_EKONOMI"]
    assert entry.note == "Butuh pendampingan."
    assert entry.consent == siti_case.consents.get()
    assert entry.proposer_agreed_at is None and entry.partner_agreed_at is None
    assert [s.kind for s in entry.steps.all()] == [StepKind.PROPOSED]
    assert actions(entry) == ["assistance.proposed"]


def test_it_asks_the_supervisors_of_both_agencies_to_agree(alice, sari, yusuf, carol, dave, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)

    asked = set(Notification.objects.values_list("recipient__username", flat=True))
    assert asked == {"sari", "yusuf"}
    # The inbox (and the email) name the case, never the person.
    assert "Siti" not in Notification.objects.first().title
    assert Notification.objects.first().url == f"/asistensi/{entry.pk}/"


def test_it_keeps_needs_in_a_fixed_order_whatever_order_they_are_chosen_in(alice, sentra, siti_case):
    entry = propose(alice, siti_case, sentra, needs=["PEMULANGAN", "PSIKOSOSIAL", "PEMULANGAN"])

    assert entry.needs == ["PSIKOSOSIAL", "PEMULANGAN"]


def test_it_refuses_a_case_whose_latest_assessment_does_not_need_special_assistance(alice, sentra):
    case = assessed_case(alice)
    case_services.add_assessment(
        actor=alice,
        case_id=case.pk,
        data=case_services.AssessmentData(summary="Sudah pulih.", needs_special_assistance=False),
    )

    with pytest.raises(services.AssistanceError, match=case.number):
        propose(alice, case, sentra)
    assert not AssistanceEntry.objects.exists()


def test_it_refuses_a_case_without_any_assessment(alice, sentra):
    case = open_case_for(alice)

    with pytest.raises(services.AssistanceError):
        propose(alice, case, sentra)


def test_it_names_each_field_to_fix(alice, bp3mi, dinsos, siti_case):
    with pytest.raises(InvalidData) as refused:
        propose(alice, siti_case, bp3mi, needs=["MODAL", "PSIKOSOSIAL"], note="x" * 4001)

    assert set(refused.value.errors) == {"partner_agency_id", "needs", "note"}
    assert "MODAL" in refused.value.errors["needs"][0]
    with pytest.raises(InvalidData) as refused:
        propose(alice, siti_case, dinsos, needs=[])
    assert set(refused.value.errors) == {"needs"}


def test_it_offers_the_other_side_of_the_agreement_as_partners(bp3mi, sentra, dinsos):
    other_bp3mi = AgencyFactory(code="bp3mi-sulsel", kind=AgencyKind.BP3MI)
    AgencyFactory(code="polda", kind=AgencyKind.POLISI)
    AgencyFactory(code="dinsos-tutup", kind=AgencyKind.DINSOS_PROVINSI, is_active=False)

    assert set(services.partner_agencies_for(bp3mi)) == {sentra, dinsos}
    assert set(services.partner_agencies_for(sentra)) == {bp3mi, other_bp3mi}
    assert partner_kinds_for(AgencyKind.DP3A) == partner_kinds_for(AgencyKind.BP3MI)


def test_a_social_affairs_agency_proposes_to_bp3mi(carol, yusuf, sari, bp3mi):
    case = assessed_case(carol)
    entry = propose(carol, case, bp3mi)
    services.agree_entry(actor=yusuf, entry_id=entry.pk)
    entry = services.agree_entry(actor=sari, entry_id=entry.pk)

    assert (entry.proposing_agency, entry.partner_agency, entry.status) == (carol.agency, bp3mi, S.AGREED)


@pytest.mark.parametrize("persona", ["bob", "dave"])
def test_it_refuses_proposals_from_read_only_roles_and_other_agencies(request, persona, sentra, siti_case):
    user = request.getfixturevalue(persona)

    with pytest.raises((PermissionDenied, Http404)):
        propose(user, siti_case, sentra)
    assert not AssistanceEntry.objects.exists()


# --- double submits -------------------------------------------------------------------------------------------


def test_proposing_the_same_case_twice_returns_the_first_entry(alice, pia, sentra, dinsos, siti_case):
    first = propose(alice, siti_case, sentra)
    again, created = services.propose_entry(
        actor=pia,
        data=services.ProposalData(case_id=siti_case.pk, partner_agency_id=dinsos.pk, needs=["HUKUM"]),
    )

    assert (again.pk, created) == (first.pk, False)
    assert AssistanceEntry.objects.count() == 1
    assert AssistanceStep.objects.count() == 1
    assert actions(first) == ["assistance.proposed"]


def test_a_person_is_on_the_list_once_whatever_the_case(alice, sentra, siti_case):
    propose(alice, siti_case, sentra)
    second_case = open_case_for(alice, person=siti_case.person)
    case_services.add_assessment(
        actor=alice,
        case_id=second_case.pk,
        data=case_services.AssessmentData(summary="Kasus kedua.", needs_special_assistance=True),
    )

    with pytest.raises(services.AssistanceError, match=siti_case.number):
        propose(alice, second_case, sentra)


def test_the_database_keeps_one_open_entry_per_person(alice, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)

    with pytest.raises(IntegrityError), transaction.atomic():
        AssistanceEntry.objects.create(
            case=siti_case, person=entry.person, proposing_agency=alice.agency, partner_agency=sentra, proposed_by=alice
        )


def test_the_same_nik_proposed_from_another_agencys_record_is_refused(alice, carol, sari, bp3mi, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)
    sentras_record = assessed_case(carol)  # Sentra's own record of Siti, same NIK

    with pytest.raises(services.AssistanceError, match=siti_case.number):
        propose(carol, sentras_record, bp3mi)
    assert AssistanceEntry.objects.get() == entry


def test_agreeing_twice_for_the_same_agency_changes_nothing(alice, sari, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)
    first = services.agree_entry(actor=sari, entry_id=entry.pk)
    other_supervisor = UserFactory(username="kepala2", agency=alice.agency, roles=[Role.SUPERVISOR])
    again = services.agree_entry(actor=other_supervisor, entry_id=entry.pk)
    services.agree_entry(actor=sari, entry_id=entry.pk)

    assert again.proposer_agreed_by == sari
    assert again.proposer_agreed_at == first.proposer_agreed_at
    assert again.status == S.PROPOSED
    assert actions(entry) == ["assistance.proposed", "assistance.agreed"]


def test_withdrawing_twice_changes_nothing(alice, sari, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)
    services.withdraw_entry(actor=alice, entry_id=entry.pk, reason="Sudah ditangani Dinsos.")
    again = services.withdraw_entry(actor=sari, entry_id=entry.pk, reason="Klik ganda.")

    assert (again.withdrawn_by, again.withdrawal_reason) == (alice, "Sudah ditangani Dinsos.")
    assert actions(entry) == ["assistance.proposed", "assistance.withdrawn"]


# --- the two-agency agreement ---------------------------------------------------------------------------------


def test_it_is_on_the_list_only_when_both_agencies_agreed(alice, sari, yusuf, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)

    entry = services.agree_entry(actor=yusuf, entry_id=entry.pk)
    assert entry.status == S.PROPOSED
    assert entry.partner_agreed_by == yusuf and entry.agreed_at is None

    entry = services.agree_entry(actor=sari, entry_id=entry.pk)
    assert entry.status == S.AGREED
    assert entry.proposer_agreed_by == sari
    assert entry.agreed_at == entry.status_changed_at == entry.proposer_agreed_at
    assert [(s.kind, s.by.username) for s in entry.steps.all()] == [
        (StepKind.PROPOSED, "alice"),
        (StepKind.AGREED, "yusuf"),
        (StepKind.AGREED, "sari"),
    ]
    assert actions(entry) == ["assistance.proposed", "assistance.agreed", "assistance.agreed"]
    assert AuditEvent.objects.filter(action="assistance.agreed", detail__status=S.AGREED).count() == 1


@pytest.mark.parametrize("persona", ["alice", "pia", "bob", "carol", "erin", "vera"])
def test_only_supervisors_agree(request, persona, sentra, siti_case, alice):
    entry = propose(alice, siti_case, sentra)

    with pytest.raises(PermissionDenied):
        services.agree_entry(actor=request.getfixturevalue(persona), entry_id=entry.pk)
    entry.refresh_from_db()
    assert entry.proposer_agreed_at is None and entry.partner_agreed_at is None


def test_an_uninvolved_agency_gets_404_for_every_step(alice, dave, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)
    dinsos_head = UserFactory(username="kadis", agency=dave.agency, roles=[Role.SUPERVISOR])

    for actor in (dave, dinsos_head):
        with pytest.raises(Http404):
            services.agree_entry(actor=actor, entry_id=entry.pk)
        with pytest.raises(Http404):
            services.withdraw_entry(actor=actor, entry_id=entry.pk, reason="Bukan urusan kami.")


def test_a_withdrawn_entry_cannot_be_agreed(alice, sari, yusuf, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)
    services.withdraw_entry(actor=yusuf, entry_id=entry.pk, reason="Sudah menerima bantuan lain.")

    with pytest.raises(services.AssistanceError, match="Yusuf"):
        services.agree_entry(actor=sari, entry_id=entry.pk)


# --- withdrawal -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "sari", "yusuf"])
def test_either_agency_withdraws_an_agreed_entry_with_a_reason(request, persona, alice, sari, yusuf, siti_case):
    entry = agreed_entry(alice, sari, yusuf, siti_case)
    actor = request.getfixturevalue(persona)

    entry = services.withdraw_entry(actor=actor, entry_id=entry.pk, reason=" Meninggal dunia. ")

    assert entry.status == S.WITHDRAWN
    assert (entry.withdrawn_by, entry.withdrawal_reason) == (actor, "Meninggal dunia.")
    assert entry.status_changed_at == entry.withdrawn_at
    assert entry.steps.last().note == "Meninggal dunia."
    event = AuditEvent.objects.get(action="assistance.withdrawn")
    assert event.detail == {
        "side": "proposer" if actor.agency == alice.agency else "partner",
        "from": S.AGREED,
        "reason": "Meninggal dunia.",
    }


@pytest.mark.parametrize("persona", ["carol", "erin", "vera", "bob"])
def test_workers_of_the_partner_and_auditors_may_not_withdraw(request, persona, alice, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)

    with pytest.raises(PermissionDenied):
        services.withdraw_entry(actor=request.getfixturevalue(persona), entry_id=entry.pk, reason="Tidak perlu.")


def test_a_withdrawal_needs_a_reason(alice, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)

    with pytest.raises(InvalidData) as refused:
        services.withdraw_entry(actor=alice, entry_id=entry.pk, reason="   ")
    assert list(refused.value.errors) == ["reason"]


def test_a_withdrawn_person_can_be_proposed_again(alice, sari, sentra, siti_case):
    first = propose(alice, siti_case, sentra)
    services.withdraw_entry(actor=alice, entry_id=first.pk, reason="Salah instansi mitra.")

    second = propose(alice, siti_case, sentra)

    assert second.pk != first.pk and second.status == S.PROPOSED


# --- consent gate ---------------------------------------------------------------------------------------------


def test_without_consent_a_worker_cannot_propose(alice, sentra):
    case = assessed_case(alice, consent=False)

    with pytest.raises(services.AssistanceError, match=r"consent|persetujuan"):
        propose(alice, case, sentra)
    with pytest.raises(PermissionDenied):
        propose(alice, case, sentra, override=ConsentOverride(basis="KEPENTINGAN_VITAL", reason="Darurat."))
    assert not AssistanceEntry.objects.exists()


def test_a_supervisor_proposes_without_consent_on_a_lawful_basis(alice, sari, sentra):
    case = assessed_case(alice, consent=False)

    entry = propose(
        sari, case, sentra, override=ConsentOverride(basis="KEPENTINGAN_VITAL", reason="Korban tidak sadar.")
    )

    assert entry.consent is None
    assert (entry.override_basis, entry.override_reason, entry.override_by) == (
        "KEPENTINGAN_VITAL",
        "Korban tidak sadar.",
        sari,
    )
    assert actions(entry) == ["assistance.proposed", "assistance.consent_overridden"]
    assert AuditEvent.objects.get(action="assistance.consent_overridden").detail == {
        "basis": "KEPENTINGAN_VITAL",
        "reason": "Korban tidak sadar.",
    }


@pytest.mark.parametrize(("basis", "reason"), [("", "Darurat."), ("KEPENTINGAN_VITAL", "  "), ("SUKA_SUKA", "x")])
def test_an_override_needs_a_known_basis_and_a_reason(alice, sari, sentra, basis, reason):
    case = assessed_case(alice, consent=False)

    with pytest.raises(InvalidData) as refused:
        propose(sari, case, sentra, override=ConsentOverride(basis=basis, reason=reason))
    assert list(refused.value.errors) == ["override_reason"]


def test_an_override_is_ignored_when_consent_is_recorded(alice, sari, sentra, siti_case):
    entry = propose(sari, siti_case, sentra, override=ConsentOverride(basis="TUGAS_PUBLIK", reason="Tidak perlu."))

    assert entry.override_basis == "" and entry.consent is not None


def test_consent_withdrawn_after_the_proposal_stops_the_agreement(alice, sari, yusuf, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)
    consent = siti_case.consents.get()
    case_services.withdraw_consent(actor=alice, case_id=siti_case.pk, consent_id=consent.pk)

    with pytest.raises(services.AssistanceError, match=siti_case.number):
        services.agree_entry(actor=yusuf, entry_id=entry.pk)

    new_consent = case_services.record_consent(
        actor=alice,
        case_id=siti_case.pk,
        data=case_services.ConsentData(
            scope="BANTUAN_KHUSUS", given_by="SENDIRI", giver_name="Siti Aminah", method="LISAN"
        ),
    )
    entry = services.agree_entry(actor=yusuf, entry_id=entry.pk)
    assert entry.consent == new_consent


def test_a_child_needs_a_guardians_consent_before_being_proposed(alice, sentra):
    case = assessed_case(alice, consent=False, nik="", birth_date=timezone.localdate() - timedelta(days=15 * 365))

    with pytest.raises(services.AssistanceError):
        propose(alice, case, sentra)
    with pytest.raises(InvalidData):
        case_services.record_consent(
            actor=alice,
            case_id=case.pk,
            data=case_services.ConsentData(
                scope="BANTUAN_KHUSUS", given_by="SENDIRI", giver_name="Anak", method="LISAN"
            ),
        )
    case_services.record_consent(
        actor=alice,
        case_id=case.pk,
        data=case_services.ConsentData(
            scope="BANTUAN_KHUSUS", given_by="ORANG_TUA", giver_name="Ibu", method="TERTULIS"
        ),
    )
    assert propose(alice, case, sentra).consent is not None


# --- open-ended input -----------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    needs=st.lists(st.sampled_from([*AssistanceNeed.values, "LAINNYA", "", "psikososial"]), max_size=6),
    note=st.text(max_size=200),
)
def test_any_needs_and_note_either_make_an_entry_or_name_what_to_fix(alice, sentra, siti_case, needs, note):
    valid = bool(needs) and set(needs) <= set(AssistanceNeed.values)
    with transaction.atomic():
        if valid:
            entry = propose(alice, siti_case, sentra, needs=needs, note=note)
            assert entry.needs == [code for code in AssistanceNeed.values if code in needs]
            assert entry.note == "".join(ch for ch in note if ch >= " " or ch in "\n\r\t").strip()
        else:
            with pytest.raises(InvalidData) as refused:
                propose(alice, siti_case, sentra, needs=needs, note=note)
            assert list(refused.value.errors) == ["needs"]
        transaction.set_rollback(True)
