"""Assistance given: eligibility, the flow table, the budget, delivery with proof, the cross-agency duplicate
check and the "recommended but nothing received" report."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.benefits import services
from sinergi.benefits.models import AssistanceType, Benefit, BenefitStatus
from sinergi.benefits.selectors import budget_figures, recommended_but_not_received
from sinergi.referrals.models import Referral
from sinergi.registry.models import Person
from sinergi.registry.services import InvalidData
from sinergi.testing.assessments import assess
from sinergi.testing.factories import make_person

NIK = "7271055210900001"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def capital_of(manager: User, amount: int = 5_000_000, budget: int = 12_000_000, **rules: Any) -> AssistanceType:
    kind = services.define_assistance_type(
        actor=manager,
        code="business_capital",
        name="Bantuan modal usaha",
        default_amount=amount,
        atensi_component="atensi-a6",
        eligibility=rules.get("eligibility", [{"rule": "recommended"}, {"rule": "max_decile", "value": 4}]),
    )
    today = timezone.localdate()
    services.set_budget(
        actor=manager,
        assistance_type=kind,
        period_start=today - timedelta(days=30),
        period_end=today + timedelta(days=300),
        amount=budget,
    )
    return kind


def propose(actor: User, person: Person, kind: AssistanceType, **values: Any) -> Benefit:
    return services.propose_benefit(
        actor=actor, data=services.Proposal(person_id=person.pk, type_id=kind.pk, reason="Modal usaha kue.", **values)
    )


def approved(worker: User, head: User, benefit: Benefit, **values: Any) -> Benefit:
    services.move_benefit(actor=worker, benefit_id=benefit.pk, action="verify")
    return services.move_benefit(actor=head, benefit_id=benefit.pk, action="approve", **values)


def receipt(name: str = "kwitansi.jpg", content: bytes = JPEG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def test_it_walks_usulan_to_disalurkan_with_budget_figures(
    referral: Referral, carol: User, yusuf: User, taken_in: Person
) -> None:
    kind = capital_of(yusuf)
    assess(carol, taken_in.pk)
    benefit = propose(carol, taken_in, kind)
    assert benefit.status == BenefitStatus.PROPOSED and benefit.proposed_amount == 5_000_000
    benefit = approved(carol, yusuf, benefit, approved_amount=Decimal(4_000_000))
    assert benefit.status == BenefitStatus.APPROVED
    assert budget_figures(benefit.budget).committed == 4_000_000  # type: ignore[arg-type]
    benefit = services.deliver_benefit(
        actor=carol,
        benefit_id=benefit.pk,
        delivered_on=timezone.localdate(),
        amount="4000000",
        proof=receipt(),
    )
    assert benefit.status == BenefitStatus.DELIVERED and benefit.proof_name == "kwitansi.jpg"
    figures = budget_figures(benefit.budget)  # type: ignore[arg-type]
    assert (figures.committed, figures.spent, figures.remaining) == (0, 4_000_000, 8_000_000)
    assert [s.to_status for s in benefit.steps.all()] == ["USULAN", "VERIFIKASI", "DISETUJUI", "DISALURKAN"]


def test_it_refuses_what_the_type_does_not_allow(
    referral: Referral, carol: User, yusuf: User, taken_in: Person
) -> None:
    kind = capital_of(yusuf)
    with pytest.raises(InvalidData) as refused:
        propose(carol, taken_in, kind)  # no assessment yet: not recommended, decile unknown
    assert len(refused.value.errors["type_id"]) == 2
    assess(carol, taken_in.pk, welfare_decile="7")
    with pytest.raises(InvalidData) as refused:
        propose(carol, taken_in, kind)
    assert any("decile" in m for m in refused.value.errors["type_id"])
    assert not Benefit.objects.exists()


def test_it_lets_only_the_giving_agencys_supervisor_approve(
    referral: Referral, carol: User, yusuf: User, sari: User, taken_in: Person
) -> None:
    kind = capital_of(yusuf)
    assess(carol, taken_in.pk)
    benefit = propose(carol, taken_in, kind)
    services.move_benefit(actor=carol, benefit_id=benefit.pk, action="verify")
    with pytest.raises(PermissionDenied, match="role"):
        services.move_benefit(actor=carol, benefit_id=benefit.pk, action="approve")
    with pytest.raises(PermissionDenied, match="Sentra"):
        services.move_benefit(actor=sari, benefit_id=benefit.pk, action="approve")  # BP3MI sees Siti, not its call
    assert Benefit.objects.get(pk=benefit.pk).status == BenefitStatus.VERIFIED


def test_it_refuses_a_budget_going_negative_and_a_delivery_above_the_approved_amount(
    referral: Referral, carol: User, yusuf: User, taken_in: Person
) -> None:
    kind = capital_of(yusuf, amount=5_000_000, budget=6_000_000)
    assess(carol, taken_in.pk)
    first = approved(carol, yusuf, propose(carol, taken_in, kind))
    second = propose(carol, taken_in, kind)
    services.move_benefit(actor=carol, benefit_id=second.pk, action="verify")
    with pytest.raises(services.BenefitError, match="negative"):
        services.move_benefit(actor=yusuf, benefit_id=second.pk, action="approve")
    assert Benefit.objects.get(pk=second.pk).status == BenefitStatus.VERIFIED
    with pytest.raises(InvalidData) as refused:
        services.deliver_benefit(
            actor=carol, benefit_id=first.pk, delivered_on=timezone.localdate(), amount="5000001", proof=receipt()
        )
    assert "approved amount" in refused.value.errors["amount"][0]
    assert Benefit.objects.get(pk=first.pk).status == BenefitStatus.APPROVED


def test_it_refuses_a_proof_that_is_not_an_image_or_pdf(
    referral: Referral, carol: User, yusuf: User, taken_in: Person
) -> None:
    kind = capital_of(yusuf)
    assess(carol, taken_in.pk)
    benefit = approved(carol, yusuf, propose(carol, taken_in, kind))
    for upload in (receipt("kwitansi.jpg", b"MZ not a picture"), receipt("kwitansi.exe"), None):
        with pytest.raises(InvalidData) as refused:
            services.deliver_benefit(
                actor=carol, benefit_id=benefit.pk, delivered_on=timezone.localdate(), amount="1", proof=upload
            )
        assert "proof" in refused.value.errors
    assert Benefit.objects.get(pk=benefit.pk).status == BenefitStatus.APPROVED


def test_it_warns_of_another_agencys_delivery_to_the_same_nik(
    referral: Referral, alice: User, sari: User, carol: User, yusuf: User, siti: Person
) -> None:
    # Sentra's own record of the same human (same NIK), registered when she came to the Sentra.
    sentra_record = make_person(carol, full_name="Sitti Aminah", nik=NIK)
    sentra_capital = capital_of(yusuf)
    assess(carol, sentra_record.pk)
    given = approved(carol, yusuf, propose(carol, sentra_record, sentra_capital))
    services.deliver_benefit(
        actor=carol, benefit_id=given.pk, delivered_on=timezone.localdate(), amount="5000000", proof=receipt()
    )
    bp3mi_capital = capital_of(sari, eligibility=[])
    benefit = propose(alice, siti, bp3mi_capital)  # on BP3MI's own record
    assert benefit.duplicate_warnings == [
        {
            "assistance": "Bantuan modal usaha",
            "code": "business_capital",
            "status": "DISALURKAN",
            "date": timezone.localdate().isoformat(),
            "agency": "Sentra Nipotowe Palu",
        }
    ]
    assert "Sitti" not in str(benefit.duplicate_warnings)  # what, when, which agency: not the other record


def test_it_lists_who_was_recommended_assistance_and_got_none(
    referral: Referral, carol: User, yusuf: User, taken_in: Person, time_machine: Any
) -> None:
    assess(carol, taken_in.pk)
    assert recommended_but_not_received(carol, days=30) == []
    time_machine.move_to(timezone.now() + timedelta(days=31))
    rows = recommended_but_not_received(carol, days=30)
    assert [(r.person.pk, r.agency, r.regency) for r in rows] == [(taken_in.pk, "Sentra Nipotowe Palu", "Kota Palu")]
    assert "business_capital" in rows[0].codes
    kind = capital_of(yusuf)
    benefit = approved(carol, yusuf, propose(carol, taken_in, kind))
    services.deliver_benefit(
        actor=carol, benefit_id=benefit.pk, delivered_on=timezone.localdate(), amount="100", proof=receipt()
    )
    assert recommended_but_not_received(carol, days=30) == []


def test_the_dashboard_counts_the_deliveries_of_the_agencies_in_view(
    referral: Referral, carol: User, yusuf: User, taken_in: Person
) -> None:
    from sinergi.benefits.figures import benefit_figures
    from sinergi.cases.models import Case
    from sinergi.reports.figures import Scope

    kind = capital_of(yusuf)
    assess(carol, taken_in.pk)
    benefit = approved(carol, yusuf, propose(carol, taken_in, kind))
    today = timezone.localdate()
    sentra_id, bp3mi_id = carol.agency_pk, referral.case.agency_id

    def figure(*agency_ids: int, regency: str = "") -> list[tuple[str, list[int]]]:
        scope = Scope(Case.objects.none(), today - timedelta(days=30), today, regency=regency, agency_ids=agency_ids)
        return benefit_figures(scope)[0].rows

    assert figure(sentra_id) == []  # approved is not delivered
    services.deliver_benefit(actor=carol, benefit_id=benefit.pk, delivered_on=today, amount="5000000", proof=receipt())
    assert figure(sentra_id) == [("Bantuan modal usaha", [1])]
    assert figure(bp3mi_id, sentra_id) == [("Bantuan modal usaha", [1])]  # the joint dashboard
    assert figure(bp3mi_id) == []  # BP3MI's own dashboard counts BP3MI's deliveries
    assert figure(sentra_id, regency="72.10") == []  # Siti lives in Kota Palu (72.71)
