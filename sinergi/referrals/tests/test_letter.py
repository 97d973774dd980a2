"""The referral letter (PDF) and its public verification page."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.audit.models import AuditEvent
from sinergi.cases.models import Case
from sinergi.demo.sop_seeding import seed_sop
from sinergi.referrals import services
from sinergi.referrals.letters import build_referral_letter, indonesian_date, verification_url
from sinergi.referrals.models import Referral
from sinergi.referrals.tests.test_pages import SITI_NIK, draft, open_case, sent
from sinergi.sop.models import SopDocument
from sinergi.testing.factories import UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sop(bp3mi: Agency, sentra: Agency, dinsos: Agency) -> SopDocument:
    seed_sop()
    return SopDocument.objects.get()


@pytest.fixture
def case(sop: SopDocument, alice: User) -> Case:
    return open_case(alice)


@pytest.fixture
def referral(case: Case, alice: User) -> Referral:
    return sent(alice, case)


@pytest.fixture
def bp3mi_head(bp3mi: Agency) -> User:
    return UserFactory(username="kepala.bp3mi", first_name="Kepala BP3MI", agency=bp3mi, roles=[Role.SUPERVISOR])


def letter_url(referral: Referral) -> str:
    return f"/rujukan/{referral.pk}/surat.pdf"


def test_it_builds_a_pdf_with_the_letter_number_and_the_shared_facts(referral):
    pdf = build_referral_letter(referral, compress=False)
    assert pdf.startswith(b"%PDF")
    for text in (
        referral.letter_number,
        "Kepada Yth.",
        "Kepala Sentra Nipotowe Palu",
        "Perihal",
        "Rujukan Dukungan keluarga",  # "(" and ")" are escaped in PDF strings
        "Siti Aminah",
        SITI_NIK,
        "+6281244556677",
        "NIP.",
        "BP3MI SULAWESI TENGAH",
    ):
        assert text.encode("latin-1") in pdf, text
    assert b"Catatan internal" not in pdf  # notes are not a shared section


def test_it_leaves_out_the_sections_the_route_does_not_share(sop, alice):
    # TPPO: the demo SOP shares identity, complaint and assessments, never contacts (UU 21/2007 Pasal 44).
    referral = sent(alice, open_case(alice, category="tppo"))
    pdf = build_referral_letter(referral, compress=False)
    assert b"Siti Aminah" in pdf
    assert b"+6281244556677" not in pdf
    assert b"Ahmad Yani" not in pdf
    assert b"dirahasiakan" in pdf


def test_it_signs_with_the_sending_agency_head(referral, bp3mi_head):
    pdf = build_referral_letter(referral, compress=False)
    assert b"Kepala BP3MI" in pdf


def test_it_dates_the_letter_in_indonesian(referral):
    pdf = build_referral_letter(referral, compress=False)
    assert f"Palu, {indonesian_date(referral.sent_at)}".encode("latin-1") in pdf
    months = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober")
    assert any(month in indonesian_date(referral.sent_at) for month in (*months, "November", "Desember"))


def test_it_has_no_letter_for_a_draft(client, alice, case):
    referral = draft(alice, case)
    with pytest.raises(ValueError):
        build_referral_letter(referral)
    client.force_login(alice)
    assert client.get(letter_url(referral)).status_code == 404


def test_it_serves_the_letter_to_sender_and_receiver_while_open(client, alice, carol, dave, referral):
    for user in (alice, carol):
        client.force_login(user)
        response = client.get(letter_url(referral))
        assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
        assert response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="referral.letter_downloaded", object_id=str(referral.pk)).count() == 2
    client.force_login(dave)
    assert client.get(letter_url(referral)).status_code == 404


def test_it_refuses_the_letter_to_the_receiver_after_close(client, alice, carol, referral):
    services.reject_referral(actor=carol, referral_id=referral.pk, reason="Di luar wilayah")
    client.force_login(carol)
    assert client.get(letter_url(referral)).status_code == 404
    client.force_login(alice)
    assert client.get(letter_url(referral)).status_code == 200


def test_it_points_the_qr_code_to_the_public_verification_page(settings, referral):
    settings.SITE_URL = "https://sinergi.example.id"
    assert verification_url(referral) == f"https://sinergi.example.id/verifikasi/{referral.verification_token}/"
    assert verification_url(referral).encode() in build_referral_letter(referral, compress=False)


# --- public verification --------------------------------------------------------------------------------------


def test_it_confirms_a_genuine_letter_without_personal_data(referral):
    anonymous = Client()
    response = anonymous.get(f"/verifikasi/{referral.verification_token}/")
    assert response.status_code == 200
    body = response.content.decode()
    for shown in (referral.letter_number, "BP3MI Sulawesi Tengah", "Sentra Nipotowe Palu", "Dukungan keluarga"):
        assert shown in body
    assert response.context["letter"].status == "DIKIRIM"
    for hidden in ("Siti Aminah", SITI_NIK, referral.case.number, "Johor", "+6281244556677"):
        assert hidden not in body
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_it_shows_the_current_status_after_a_change(carol, referral):
    services.accept_referral(actor=carol, referral_id=referral.pk)
    response = Client().get(f"/verifikasi/{referral.verification_token}/")
    assert response.context["letter"].status == "DITERIMA"


def test_it_says_an_unknown_letter_is_not_registered(db):
    response = Client().get("/verifikasi/not-a-real-token/")
    assert response.status_code == 404
    assert 'role="alert"' in response.content.decode()
