from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.breaches import services
from sinergi.breaches.models import Breach
from sinergi.testing.factories import UserFactory
from sinergi.testing.referral_fixtures import wita

DISCOVERED = wita(2026, 3, 17, 10, 0)  # Tuesday 17 March 2026, 10:00 WITA = 02:00 UTC


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def adi(bp3mi: Agency) -> User:
    """BP3MI's administrator: manages the register beside the head (sari)."""
    return UserFactory(username="adi", agency=bp3mi, roles=[Role.ADMIN])


def report(actor: User, discovered_at: datetime = DISCOVERED, **values: Any) -> Breach:
    data = services.ReportData(
        description=values.pop("description", "Daftar penerima bantuan terkirim ke grup WhatsApp yang salah."),
        discovered_at=discovered_at,
        how_found=values.pop("how_found", "Anggota grup melapor ke kantor."),
        **values,
    )
    return services.report_breach(actor=actor, data=data)


def confirm(actor: User, breach: Breach, **values: Any) -> Breach:
    data = services.AssessmentData(
        confirmed=True,
        data_categories=values.pop("data_categories", ["IDENTITAS", "NOMOR_IDENTITAS", "TPPO"]),
        persons_affected=values.pop("persons_affected", 40),
        cause=values.pop("cause", "Salah pilih grup saat mengirim berkas."),
        containment=values.pop("containment", "Pesan dihapus, admin grup diminta menghapus salinan."),
        recovery=values.pop("recovery", "Pengiriman berkas hanya lewat Sinergi; pelatihan staf."),
        **values,
    )
    return services.assess_breach(actor=actor, breach_id=breach.pk, data=data)
