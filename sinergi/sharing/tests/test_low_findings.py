"""Finding 7 (issue 9) and the reads of finding 6 that the matrix does not cover."""

from __future__ import annotations

import pytest

from sinergi.accounts.tokens import create_token
from sinergi.notifications.models import Notification, NotificationKind
from sinergi.referrals import services as referral_services
from sinergi.referrals.models import LawfulBasis
from sinergi.referrals.services import ConsentOverride
from sinergi.testing.referral_fixtures import draft_referral, open_case_for, sent_referral, service_of

pytestmark = pytest.mark.usefixtures("sop")


def bearer(user, *scopes: str) -> dict[str, str]:
    _, secret = create_token(actor=None, user=user, name="skrip", scopes=list(scopes or ["referrals:read"]))
    return {"Authorization": f"Bearer {secret}"}


def test_it_hides_the_override_reason_from_the_receiver_in_the_api(client, sari, carol):
    case = open_case_for(sari)
    referral = draft_referral(sari, case)
    override = ConsentOverride(basis=LawfulBasis.VITAL_INTEREST, reason="Korban tidak sadar, keluarga belum ditemukan.")
    referral_services.send_referral(actor=sari, referral_id=referral.pk, override=override)
    as_receiver = client.get(f"/api/v1/referrals/{referral.pk}", headers=bearer(carol)).json()
    as_sender = client.get(f"/api/v1/referrals/{referral.pk}", headers=bearer(sari)).json()
    assert as_receiver["override_reason"] == "" and as_receiver["override_basis"] == LawfulBasis.VITAL_INTEREST
    assert as_sender["override_reason"].startswith("Korban")


def test_it_does_not_show_a_receiver_the_follow_ons_sent_to_others(client, alice, carol, dave):
    case = open_case_for(alice)
    first = sent_referral(alice, case)
    follow_on = referral_services.create_referral(
        actor=alice,
        case_id=case.pk,
        service_id=service_of("dinsos-palu", "bansos").pk,
        reason="Lanjut",
        parent_id=first.pk,
    )
    referral_services.send_referral(actor=alice, referral_id=follow_on.pk)
    client.force_login(carol)
    page = client.get(f"/rujukan/{first.pk}/")
    assert page.status_code == 200
    assert [r.pk for r in page.context["follow_ons"]] == []
    client.force_login(alice)
    assert [r.pk for r in client.get(f"/rujukan/{first.pk}/").context["follow_ons"]] == [follow_on.pk]


def test_it_changes_no_state_on_a_get_of_a_notification(client, alice):
    notification = Notification.objects.create(
        recipient=alice, kind=NotificationKind.REFERRAL_NEW, title="Rujukan baru", url="/rujukan/", dedupe_key="uji"
    )
    client.force_login(alice)
    assert client.get(f"/notifikasi/{notification.pk}/buka/").status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None
    assert client.post(f"/notifikasi/{notification.pk}/buka/").status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_it_sends_no_store_on_personal_pages_and_the_api(client, alice):
    client.force_login(alice)
    for path in ("/orang/", "/api/v1/persons?q=Siti"):
        assert "no-store" in client.get(path)["Cache-Control"]


def test_it_turns_on_hsts_with_secure_cookies(monkeypatch):
    import importlib

    import sinergi.settings as project_settings

    monkeypatch.setenv("SINERGI_SECURE_COOKIES", "1")
    try:
        reloaded = importlib.reload(project_settings)
        assert reloaded.SECURE_HSTS_SECONDS >= 31536000
        assert reloaded.SECURE_SSL_REDIRECT and reloaded.SESSION_COOKIE_SECURE
    finally:
        monkeypatch.delenv("SINERGI_SECURE_COOKIES")
        importlib.reload(project_settings)
