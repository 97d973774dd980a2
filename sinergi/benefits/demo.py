"""Demo data: each agency's assistance types with their eligibility rules, and this year's budgets, through the
services (idempotent: types are keyed by agency and code, budgets by type and period)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from reportlab.pdfgen import canvas

from sinergi.accounts.models import User
from sinergi.benefits import services
from sinergi.benefits.models import AssistanceType, Benefit

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


def seed_deliveries(worker: User, head: User, person_ids: list[int], *, count: int = 4) -> int:
    """BP3MI's business capital delivered to the first `count` of its own returnees (a workshop's graduates),
    through the whole flow — proposed, verified, approved, delivered today with a berita acara — so the
    dashboards show assistance delivered. Idempotent: nothing when any of them already has it."""
    kind = AssistanceType.objects.get(agency_id=head.agency_pk, code="business_capital")
    chosen = person_ids[:count]
    if Benefit.objects.filter(assistance_type=kind, person_id__in=chosen).exists():
        return 0
    today = timezone.localdate()
    for person_id in chosen:
        benefit = services.propose_benefit(
            actor=worker,
            data=services.Proposal(person_id=person_id, type_id=kind.pk, reason="Lulus pelatihan kewirausahaan."),
        )
        services.move_benefit(actor=worker, benefit_id=benefit.pk, action="verify")
        services.move_benefit(actor=head, benefit_id=benefit.pk, action="approve")
        services.deliver_benefit(
            actor=worker,
            benefit_id=benefit.pk,
            delivered_on=today,
            amount=kind.default_amount,
            proof=_berita_acara(benefit.person.full_name, today),
        )
    return len(chosen)
