"""Demo work: cases in every status, referrals at every step of the handshake (some late), assessments and
entries on the special-assistance list, so every page shows something real on the first login.

Everything goes through the services the pages call, as the demo accounts. Idempotent: each scenario leaves a
`demo.work_seeded` audit event naming it, and a scenario already seeded is skipped. Deterministic: the
scenarios are a fixed list over the first BP3MI persons of the seeded registry (the README's persons are left
alone for the walkthrough).

The services stamp every step with the current time; a scenario that must show a late referral moves its own
referral's clock back afterwards (`_age`), as if it had been sent some working days ago.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from sinergi.accounts.models import Agency, User
from sinergi.assistance import services as assistance
from sinergi.assistance.models import AssistanceNeed
from sinergi.audit.events import record_event
from sinergi.audit.models import AuditEvent
from sinergi.cases import services as cases
from sinergi.cases.models import (
    CaseOutcome,
    CaseStatus,
    Channel,
    ClosureReason,
    Complainant,
    ConsentGiver,
    ConsentMethod,
    ConsentScope,
    Phase,
    Urgency,
)
from sinergi.demo.seeding import WALKTHROUGH_NAMES
from sinergi.directory.models import Service
from sinergi.referrals import services as referrals
from sinergi.referrals.models import Deadline, Referral, ReferralEvent, ReferralStatus
from sinergi.registry.models import Person

R = ReferralStatus


@dataclass(frozen=True)
class Scenario:
    """One case of BP3MI: how far it went, and how far its referral to Sentra went."""

    ref: str
    categories: tuple[str, ...]
    case_status: str
    referral: str = ""  # the referral's final status; empty: no referral
    service: str = "atensi-a4"
    late_days: int = 0  # how many days ago the referral was sent (its clocks run late)
    received_days_ago: int = 3
    destination: str = "MY"
    urgency: str = Urgency.MEDIUM
    special_assistance: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)


SCENARIOS = [
    Scenario("baru", ("ingin-dipulangkan",), CaseStatus.RECEIVED, received_days_ago=0, destination="MY"),
    Scenario("verifikasi", ("gaji-tidak-dibayar",), CaseStatus.VERIFICATION, destination="HK"),
    Scenario("penanganan", ("penahanan-dokumen",), CaseStatus.HANDLING, destination="SA"),
    Scenario("draf", ("kekerasan-fisik-psikis",), CaseStatus.HANDLING, referral=R.DRAFT, destination="TW"),
    Scenario("dikirim", ("kekerasan-fisik-psikis",), CaseStatus.HANDLING, referral=R.SENT, urgency=Urgency.HIGH),
    Scenario(
        "dikirim-terlambat",
        ("gangguan-jiwa",),
        CaseStatus.HANDLING,
        referral=R.SENT,
        late_days=9,
        received_days_ago=12,
        urgency=Urgency.HIGH,
        destination="SG",
    ),
    Scenario("diterima-sistem", ("masalah-sosial-pasca",), CaseStatus.HANDLING, referral=R.ACKNOWLEDGED),
    Scenario(
        "diterima-terlambat",
        ("tppo",),
        CaseStatus.HANDLING,
        referral=R.ACCEPTED,
        late_days=16,
        received_days_ago=20,
        urgency=Urgency.CRITICAL,
        destination="SA",
    ),
    Scenario(
        "dalam-layanan",
        ("kekerasan-seksual",),
        CaseStatus.HANDLING,
        referral=R.IN_SERVICE,
        received_days_ago=10,
        special_assistance=True,
        destination="MY",
    ),
    Scenario("ditolak", ("phk-sepihak",), CaseStatus.HANDLING, referral=R.REJECTED, service="atensi-a5"),
    Scenario("dibatalkan", ("hilang-kontak",), CaseStatus.HANDLING, referral=R.REVOKED, destination="JP"),
    Scenario("gagal", ("sakit",), CaseStatus.HANDLING, referral=R.FAILED, service="atensi-a1"),
    Scenario(
        "selesai",
        ("ingin-dipulangkan", "gaji-tidak-dibayar"),
        CaseStatus.DONE,
        referral=R.COMPLETED,
        received_days_ago=30,
        special_assistance=True,
        destination="HK",
    ),
    Scenario("ditutup", ("penipuan-kerja",), CaseStatus.CLOSED, received_days_ago=70, destination="MY"),
]
ORDER: list[str] = [CaseStatus.RECEIVED, CaseStatus.VERIFICATION, CaseStatus.HANDLING]


def seed_work() -> int:
    """Seed the scenarios not yet seeded; returns how many were added by this run."""
    done = set(AuditEvent.objects.filter(action="demo.work_seeded").values_list("summary", flat=True))
    clerk = User.objects.get(username="bp3mi.petugas")
    head = User.objects.get(username="bp3mi.kepala")
    peksos = User.objects.get(username="sentra.peksos")
    sentra_head = User.objects.get(username="sentra.kepala")
    # The README walkthrough uses the fixed persons (registered first): leave them without cases.
    persons = list(
        Person.objects.filter(registered_by_agency_id=clerk.agency_pk, merged_into__isnull=True, nik__gt="")
        .exclude(full_name__in=WALKTHROUGH_NAMES)
        .order_by("pk")[: len(SCENARIOS)]
    )
    added = 0
    for scenario, person in zip(SCENARIOS, persons, strict=False):
        if scenario.ref in done:
            continue
        with transaction.atomic():
            _seed(scenario, person, clerk=clerk, head=head, peksos=peksos, sentra_head=sentra_head)
            record_event(actor=None, action="demo.work_seeded", obj=person, summary=scenario.ref)
        added += 1
    return added


def _seed(scenario: Scenario, person: Person, *, clerk: User, head: User, peksos: User, sentra_head: User) -> None:
    now = timezone.now()
    case = cases.open_case(
        actor=clerk,
        data=cases.CaseData(
            person_id=person.pk,
            channel=Channel.HOTLINE if scenario.urgency != Urgency.CRITICAL else Channel.EMBASSY,
            complainant_type=Complainant.FAMILY,
            complainant_name="Keluarga " + person.full_name.split()[0],
            complainant_contact="0813-0000-" + f"{person.pk % 10000:04d}",
            phase=Phase.AFTER if scenario.case_status != CaseStatus.RECEIVED else Phase.DURING,
            category_codes=list(scenario.categories),
            received_at=now - timedelta(days=scenario.received_days_ago, hours=2),
            destination_country=scenario.destination,
            urgency=scenario.urgency,
            flag_trafficking="tppo" in scenario.categories,
            narrative="Keluarga melapor melalui hotline BP3MI; kronologi dicatat petugas saat pengaduan diterima.",
        ),
    )
    target = CaseStatus.HANDLING if scenario.case_status == CaseStatus.DONE else scenario.case_status
    if target == CaseStatus.CLOSED:
        cases.change_case_status(
            actor=clerk,
            case_id=case.pk,
            to_status=CaseStatus.CLOSED,
            closure_reason=ClosureReason.UNREACHABLE,
            reason="Pengadu tidak dapat dihubungi selama 60 hari setelah tiga kali panggilan.",
        )
        return
    for status in ORDER[1 : ORDER.index(target) + 1]:
        cases.change_case_status(actor=clerk, case_id=case.pk, to_status=status)
    if not scenario.referral:
        return
    cases.add_assessment(
        actor=clerk,
        case_id=case.pk,
        data=cases.AssessmentData(
            summary="Trauma setelah kepulangan; keluarga mendampingi tetapi tidak mampu membiayai pemulihan.",
            needs="Terapi psikososial dan dukungan keluarga.",
            risk=Urgency.HIGH,
            needs_special_assistance=scenario.special_assistance,
        ),
    )
    # One consent per purpose (UU PDP): the referral, and the special-assistance list when it is proposed.
    purposes = [ConsentScope.REFERRAL] + ([ConsentScope.SPECIAL_ASSISTANCE] if scenario.special_assistance else [])
    for purpose in purposes:
        cases.record_consent(
            actor=clerk,
            case_id=case.pk,
            data=cases.ConsentData(
                scope=purpose,
                given_by=ConsentGiver.SELF,
                giver_name=person.full_name,
                method=ConsentMethod.WRITTEN,
            ),
        )
    sentra = Agency.objects.get(code="sentra-nipotowe")
    service = Service.objects.get(agency=sentra, code=scenario.service)
    referral = referrals.create_referral(
        actor=clerk,
        case_id=case.pk,
        service_id=service.pk,
        reason="Membutuhkan layanan rehabilitasi sosial di Sentra sesuai SOP bersama.",
    )
    _advance(referral, scenario.referral, clerk=clerk, peksos=peksos)
    if scenario.late_days:
        _age(referral, timedelta(days=scenario.late_days))
    if scenario.special_assistance:
        entry, _created = assistance.propose_entry(
            actor=clerk,
            data=assistance.ProposalData(
                case_id=case.pk,
                partner_agency_id=sentra.pk,
                needs=[AssistanceNeed.PSYCHOSOCIAL, AssistanceNeed.ECONOMIC],
                note="Diusulkan setelah asesmen bersama.",
            ),
        )
        if scenario.case_status == CaseStatus.DONE:
            # Both supervisors agreed: the entry is on the list that goes to Kemensos.
            assistance.agree_entry(actor=head, entry_id=entry.pk)
            assistance.agree_entry(actor=sentra_head, entry_id=entry.pk)
    if scenario.case_status == CaseStatus.DONE:
        cases.change_case_status(
            actor=clerk,
            case_id=case.pk,
            to_status=CaseStatus.DONE,
            outcome=CaseOutcome.RETURNED_HOME,
            reason="Dipulangkan ke keluarga; gaji dibayar setelah mediasi; terapi psikososial di Sentra selesai.",
        )


def _advance(referral: Referral, final: str, *, clerk: User, peksos: User) -> None:
    """Walk the referral through the handshake to `final`, each step by the side that takes it."""
    if final == R.DRAFT:
        return
    if final == R.REVOKED:
        referrals.send_referral(actor=clerk, referral_id=referral.pk)
        referrals.revoke_referral(
            actor=clerk, referral_id=referral.pk, reason="Keluarga memilih layanan di daerah asal."
        )
        return
    referrals.send_referral(actor=clerk, referral_id=referral.pk)
    if final == R.SENT:
        return
    if final == R.REJECTED:
        referrals.reject_referral(
            actor=peksos,
            referral_id=referral.pk,
            reason="Layanan vokasional penuh bulan ini; silakan rujuk ke Dinas Sosial Kota Palu.",
        )
        return
    referrals.acknowledge_referral(actor=peksos, referral_id=referral.pk)
    if final == R.ACKNOWLEDGED:
        return
    referrals.accept_referral(actor=peksos, referral_id=referral.pk)
    if final == R.ACCEPTED:
        return
    if final == R.FAILED:
        referrals.fail_referral(
            actor=peksos, referral_id=referral.pk, reason="Penerima manfaat pindah ke luar provinsi."
        )
        return
    referrals.log_service(
        actor=peksos,
        referral_id=referral.pk,
        delivered_on=timezone.localdate(),
        description="Asesmen awal dan sesi konseling pertama.",
    )
    if final == R.IN_SERVICE:
        return
    referrals.complete_referral(
        actor=peksos,
        referral_id=referral.pk,
        outcome="Terapi psikososial selesai: 6 sesi, kondisi stabil.",
        feedback="Disarankan pendampingan usaha oleh BP3MI setelah pemulihan.",
    )


def _age(referral: Referral, by: timedelta) -> None:
    """Move a seeded referral's history back by `by`, so its running clocks show as late in the demo."""
    Referral.objects.filter(pk=referral.pk).update(
        created_at=F("created_at") - by,
        sent_at=F("sent_at") - by,
        acknowledged_at=F("acknowledged_at") - by,
        accepted_at=F("accepted_at") - by,
    )
    ReferralEvent.objects.filter(referral=referral).update(at=F("at") - by)
    Deadline.objects.filter(referral=referral).update(started_at=F("started_at") - by, due_at=F("due_at") - by)
