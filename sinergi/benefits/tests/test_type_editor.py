"""Assistance types with their eligibility rules and budgets, edited in the app by the giving agency's
administrator (or supervisor). Personas: Sentra's administrator (sari) edits; BP3MI's administrator (adi) does
not see Sentra's types (404); a social worker (carol) and BP3MI's auditor (bob) are refused (403)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.audit.models import AuditEvent
from sinergi.benefits import services
from sinergi.benefits.models import AssistanceType, Budget
from sinergi.registry.services import InvalidData
from sinergi.testing.factories import UserFactory


@pytest.fixture
def sari(sentra: Agency) -> User:
    return UserFactory(username="sari", agency=sentra, roles=[Role.ADMIN])


@pytest.fixture
def adi(bp3mi: Agency) -> User:
    return UserFactory(username="adi", agency=bp3mi, roles=[Role.ADMIN])


@pytest.fixture
def capital(sari: User) -> AssistanceType:
    return services.define_assistance_type(
        actor=sari,
        code="modal_usaha",
        name="Bantuan modal usaha",
        default_amount=5_000_000,
        eligibility=[{"rule": "max_decile", "value": "4"}, {"rule": "recommended"}],
    )


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="id")
    client.force_login(user)
    return client


def test_it_stores_typed_eligibility_rules_and_audits(capital: AssistanceType) -> None:
    assert capital.eligibility == [{"rule": "max_decile", "value": 4}, {"rule": "recommended"}]
    assert AuditEvent.objects.filter(action="benefit_type.created").exists()


def test_it_refuses_bad_types_saying_what_to_fix(sari: User) -> None:
    with pytest.raises(InvalidData) as refused:
        services.define_assistance_type(
            actor=sari,
            code="Modal Usaha",
            name=" ",
            default_amount=-5,
            eligibility=[{"rule": "max_decile", "value": 12}, {"rule": "zodiac"}, {"rule": "case_category"}],
        )
    errors = refused.value.errors
    assert {"code", "name", "default_amount", "eligibility"} <= set(errors)
    assert len(errors["eligibility"]) == 3
    assert not AssistanceType.objects.exists()


def test_it_refuses_a_negative_budget_and_an_overlapping_period(sari: User, capital: AssistanceType) -> None:
    services.set_budget(
        actor=sari, assistance_type=capital, period_start=date(2026, 1, 1), period_end=date(2026, 6, 30), amount=10
    )
    with pytest.raises(InvalidData) as negative:
        services.set_budget(
            actor=sari, assistance_type=capital, period_start=date(2026, 7, 1), period_end=date(2026, 12, 31), amount=-1
        )
    assert "negative" in negative.value.errors["amount"][0]
    with pytest.raises(InvalidData) as overlap:
        services.set_budget(
            actor=sari, assistance_type=capital, period_start=date(2026, 6, 1), period_end=date(2026, 12, 31), amount=5
        )
    assert "01-01-2026–30-06-2026" in overlap.value.errors["period_start"][0]
    # The same period again changes its amount; the next period is its own budget.
    services.set_budget(
        actor=sari, assistance_type=capital, period_start=date(2026, 1, 1), period_end=date(2026, 6, 30), amount=20
    )
    services.set_budget(
        actor=sari, assistance_type=capital, period_start=date(2026, 7, 1), period_end=date(2026, 12, 31), amount=5
    )
    assert sorted(Budget.objects.values_list("amount", flat=True)) == [Decimal(5), Decimal(20)]


def test_only_a_manager_of_the_giving_agency_sets_types_and_budgets(
    adi: User, carol: User, bob: User, capital: AssistanceType
) -> None:
    for user in (carol, bob):
        with pytest.raises(PermissionDenied):
            services.define_assistance_type(actor=user, code="x", name="X")
    with pytest.raises(PermissionDenied):
        services.set_budget(
            actor=adi, assistance_type=capital, period_start=date(2026, 1, 1), period_end=date(2026, 2, 1), amount=1
        )


@pytest.mark.parametrize(("persona", "status"), [("sari", 200), ("adi", 404), ("carol", 403), ("bob", 403)])
def test_the_type_page_answers_each_persona(
    persona: str, status: int, request: pytest.FixtureRequest, capital: AssistanceType
) -> None:
    client = _client(request.getfixturevalue(persona))
    assert client.get(f"/penyaluran/jenis/{capital.pk}/").status_code == status
    posted = client.post(
        f"/penyaluran/jenis/{capital.pk}/anggaran/",
        {"period_start": "2026-01-01", "period_end": "2026-12-31", "amount": "50000000"},
    )
    assert posted.status_code == (302 if status == 200 else status)
    assert Budget.objects.exists() is (status == 200)


def test_the_pages_make_a_type_with_rules_and_refuse_an_overlapping_budget_in_indonesian(sari: User) -> None:
    client = _client(sari)
    assert "Jenis bantuan baru" in client.get("/penyaluran/jenis/").content.decode()
    made = client.post(
        "/penyaluran/jenis/baru/",
        {
            "code": "paket_sembako",
            "name": "Paket sembako",
            "default_amount": "750000",
            "returned_within_months": "12",
            "max_decile": "4",
            "recommended": "on",
            "duplicate_window_days": "365",
        },
    )
    kind = AssistanceType.objects.get(code="paket_sembako")
    assert made["Location"] == f"/penyaluran/jenis/{kind.pk}/"
    assert kind.eligibility == [
        {"rule": "returned_within_months", "value": 12},
        {"rule": "max_decile", "value": 4},
        {"rule": "recommended"},
    ]
    client.post(
        f"/penyaluran/jenis/{kind.pk}/anggaran/",
        {"period_start": "2026-01-01", "period_end": "2026-12-31", "amount": "50000000"},
    )
    overlap = client.post(
        f"/penyaluran/jenis/{kind.pk}/anggaran/",
        {"period_start": "2026-06-01", "period_end": "2027-05-31", "amount": "1000"},
    )
    assert overlap.status_code == 422 and "tumpang tindih" in overlap.content.decode()
    negative = client.post(
        f"/penyaluran/jenis/{kind.pk}/anggaran/",
        {"period_start": "2027-01-01", "period_end": "2027-12-31", "amount": "-1"},
    )
    assert negative.status_code == 422 and "tidak boleh negatif" in negative.content.decode()
    again = client.post(
        "/penyaluran/jenis/baru/",
        {"code": "paket_sembako", "name": "Lagi", "default_amount": "0", "duplicate_window_days": "365"},
    )
    assert again.status_code == 422 and "sudah memiliki jenis bantuan" in again.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("sari", 201), ("adi", 404), ("carol", 403), ("bob", 403)])
def test_the_budget_api_answers_each_persona(
    persona: str, status: int, request: pytest.FixtureRequest, capital: AssistanceType
) -> None:
    client = _client(request.getfixturevalue(persona))
    answer = client.post(
        f"/api/v1/benefits/types/{capital.pk}/budgets",
        json.dumps({"period_start": "2026-01-01", "period_end": "2026-12-31", "amount": 1000}),
        content_type="application/json",
    )
    assert answer.status_code == status


def test_the_api_creates_a_type_and_refuses_bad_budgets_with_the_error_schema(sari: User) -> None:
    client = _client(sari)
    made = client.post(
        "/api/v1/benefits/types",
        json.dumps(
            {
                "code": "transport_pulang",
                "name": "Biaya transportasi pulang",
                "default_amount": 300000,
                "eligibility": [{"rule": "returned_within_months", "value": 3}],
            }
        ),
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["eligibility"] == [{"rule": "returned_within_months", "value": 3}]
    type_id = made.json()["id"]
    bad = client.post(
        "/api/v1/benefits/types", json.dumps({"code": "x y", "name": ""}), content_type="application/json"
    )
    assert bad.status_code == 422 and {"code", "name"} <= set(bad.json()["errors"])
    url = f"/api/v1/benefits/types/{type_id}/budgets"
    ok = client.post(
        url,
        json.dumps({"period_start": "2026-01-01", "period_end": "2026-12-31", "amount": 9}),
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["budgets"][0]["amount"] == "9"
    negative = client.post(
        url,
        json.dumps({"period_start": "2027-01-01", "period_end": "2027-12-31", "amount": -9}),
        content_type="application/json",
    )
    assert negative.status_code == 422 and "amount" in negative.json()["errors"]
    overlap = client.post(
        url,
        json.dumps({"period_start": "2026-12-01", "period_end": "2027-01-31", "amount": 9}),
        content_type="application/json",
    )
    assert overlap.status_code == 422 and "period_start" in overlap.json()["errors"]
    changed = client.put(
        f"/api/v1/benefits/types/{type_id}",
        json.dumps({"code": "transport_pulang", "name": "Transportasi pulang", "eligibility": []}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["name"] == "Transportasi pulang"
