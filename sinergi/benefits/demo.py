"""Demo data: each agency's assistance types with their eligibility rules, and this year's budgets, through the
services (idempotent: types are keyed by agency and code, budgets by type and period)."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from reportlab.pdfgen import canvas

from sinergi.accounts.models import User
from sinergi.benefits import services
from sinergi.benefits.models import AssistanceType, Benefit
from sinergi.cases.models import Case

RETURNED_5_YEARS = {"rule": "returned_within_months", "value": 60}
SENTRA_TYPES: list[dict[str, Any]] = [
    {
        "code": "business_capital",
        "name": "Bantuan modal usaha",
        "default_amount": 5_000_000,
        "atensi_component": "atensi-a5",
        "eligibility": [RETURNED_5_YEARS, {"rule": "max_decile", "value": 4}, {"rule": "recommended"}],
        "budget": 100_000_000,
    },
    {
        "code": "basic_needs_package",
        "name": "Paket pemenuhan kebutuhan dasar",
        "default_amount": 750_000,
        "atensi_component": "atensi-a1",
        "items": "Beras 10 kg, minyak goreng, gula, telur, sabun",
        "eligibility": [{"rule": "max_decile", "value": 4}],
        "budget": 30_000_000,
    },
    {
        "code": "transport_home",
        "name": "Bantuan transportasi pulang",
        "default_amount": 500_000,
        "atensi_component": "atensi-a7",
        "eligibility": [],
        "budget": 10_000_000,
    },
    {
        "code": "health_costs",
        "name": "Bantuan biaya kesehatan",
        "default_amount": 1_000_000,
        "atensi_component": "atensi-a4",
        "eligibility": [{"rule": "recommended"}],
        "budget": 20_000_000,
    },
    {
        "code": "documents",
        "name": "Bantuan pengurusan dokumen",
        "default_amount": 250_000,
        "atensi_component": "atensi-a7",
        "eligibility": [],
        "budget": 5_000_000,
    },
]
BP3MI_TYPES: list[dict[str, Any]] = [
    {
        "code": "business_capital",
        "name": "Bantuan modal usaha PMI purna",
        "default_amount": 3_000_000,
        "eligibility": [RETURNED_5_YEARS],
        "budget": 60_000_000,
    },
]


def _seed(manager: User, types: list[dict[str, Any]], year: int) -> int:
    for spec in types:
        values = dict(spec)
        budget = values.pop("budget")
        kind = services.define_assistance_type(actor=manager, **values)
        services.set_budget(
            actor=manager,
            assistance_type=kind,
            period_start=date(year, 1, 1),
            period_end=date(year, 12, 31),
            amount=budget,
        )
    return len(types)


def seed_demo(sentra_head: User, bp3mi_head: User) -> int:
    year = timezone.localdate().year
    return _seed(sentra_head, SENTRA_TYPES, year) + _seed(bp3mi_head, BP3MI_TYPES, year)


def _berita_acara(name: str, on: date) -> SimpleUploadedFile:
    """A one-page berita acara PDF, as the proof a delivery needs."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 760, "BERITA ACARA PENYALURAN BANTUAN (DEMO)")
    page.drawString(72, 740, f"Penerima: {name} - tanggal {on:%d-%m-%Y}")
    page.save()
    return SimpleUploadedFile("berita-acara.pdf", buffer.getvalue(), content_type="application/pdf")


def _deliver(worker: User, head: User, person_id: int, kind: AssistanceType, on: date, reason: str) -> None:
    """One assistance through the whole flow: proposed, verified, approved, delivered on `on` with a berita acara."""
    benefit = services.propose_benefit(
        actor=worker, data=services.Proposal(person_id=person_id, type_id=kind.pk, reason=reason)
    )
    services.move_benefit(actor=worker, benefit_id=benefit.pk, action="verify")
    services.move_benefit(actor=head, benefit_id=benefit.pk, action="approve")
    services.deliver_benefit(
        actor=worker,
        benefit_id=benefit.pk,
        delivered_on=on,
        amount=kind.default_amount,
        proof=_berita_acara(benefit.person.full_name, on),
    )


def last_month_day(today: date) -> date:
    """The last day of the previous month: last month's report shows it, and so does this month's dashboard."""
    return today.replace(day=1) - timedelta(days=1)


def seed_deliveries(worker: User, head: User, person_ids: list[int], *, count: int = 4) -> int:
    """BP3MI's business capital delivered to the first `count` of its own returnees (a workshop's graduates),
    through the whole flow, so the dashboards show assistance delivered: half at the end of last month, half
    today. Idempotent: nothing when any of them already has it."""
    kind = AssistanceType.objects.get(agency_id=head.agency_pk, code="business_capital")
    chosen = person_ids[:count]
    if Benefit.objects.filter(assistance_type=kind, person_id__in=chosen).exists():
        return 0
    today = timezone.localdate()
    for index, person_id in enumerate(chosen):
        on = last_month_day(today) if index < len(chosen) // 2 else today
        _deliver(worker, head, person_id, kind, on, "Lulus pelatihan kewirausahaan.")
    return len(chosen)


CASE_ASSISTANCE = ("transport_home", "documents")
MAX_CASE_ASSISTANCE = 30  # within this year's budgets of the two types (20 deliveries each)


@transaction.atomic
def seed_case_assistance(worker: User, head: User) -> int:
    """Sentra Nipotowe's assistance to the persons of its own cases: the way home or help with documents,
    delivered three days after the complaint came in (the dashboards' assistance over the months). Idempotent:
    nothing when any of these types was given already."""
    kinds = list(AssistanceType.objects.filter(agency_id=head.agency_pk, code__in=CASE_ASSISTANCE).order_by("code"))
    if len(kinds) < len(CASE_ASSISTANCE):
        return 0
    if Benefit.objects.filter(assistance_type__in=kinds).exists():
        return 0
    helped: set[int] = set()
    cases = (
        Case.objects.filter(agency_id=head.agency_pk)
        .order_by("received_at", "pk")
        .values_list("person_id", "received_at")
    )
    today = timezone.localdate()
    added = 0
    for person_id, received_at in cases[:MAX_CASE_ASSISTANCE]:
        if person_id in helped:
            continue
        on = min(timezone.localdate(received_at) + timedelta(days=3), today)
        _deliver(worker, head, person_id, kinds[added % len(kinds)], on, "Bantuan bagi pengadu (demo).")
        helped.add(person_id)
        added += 1
    return added
