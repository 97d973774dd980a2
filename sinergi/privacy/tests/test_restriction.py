"""A restriction of processing (UU PDP Pasal 41) closes every channel through which another agency sees the
person, and nothing of the owner's view: persona tests per channel, before and after, and lifting it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.models import Agency, User
from sinergi.accounts.tokens import create_token
from sinergi.assistance.tests.conftest import SITI_NIK, assessed_case, propose
from sinergi.changes.feed import seal_events
from sinergi.matching.engine import agency_persons
from sinergi.privacy import services
from sinergi.privacy.tests.conftest import restrict
from sinergi.registry.selectors import SearchQuery, search_persons
from sinergi.sharing import rules
from sinergi.sharing.sections import ALL_PERSON_SECTIONS
from sinergi.testing.referral_fixtures import referral_in


def _token(user: User) -> dict[str, str]:
    _, secret = create_token(actor=None, user=user, name="r", scopes=["persons:read", "cases:read", "referrals:read"])
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def shared(alice: User, sari: User, carol: User, yusuf: User, sentra: Agency, sop: Any) -> dict[str, Any]:
    """Siti (BP3MI's) with an open referral to Sentra Nipotowe and an open special-assistance entry with it."""
    case = assessed_case(alice)
    referral = referral_in("DITERIMA_SISTEM", sender=alice, receiver=carol, case=case)
    entry = propose(alice, case, sentra)
    return {"person": case.person, "referral": referral, "entry": entry}


def test_it_closes_every_channel_to_other_agencies_and_keeps_the_owners_view(
    client: Client, alice: User, sari: User, carol: User, yusuf: User, dave: User, shared: dict[str, Any]
) -> None:
    siti, referral, entry = shared["person"], shared["referral"], shared["entry"]
    by_nik = SearchQuery(nik=SITI_NIK)
    # Before: the receiver, the partner and another agency's search each reach her.
    assert siti in rules.persons_visible_to(carol)
    assert rules.entry_sections_for(yusuf, entry)
    assert [hit.full_name for hit in search_persons(dave, by_nik)] == ["Siti Aminah"]
    assert siti.pk in {p.pk for p in agency_persons(siti.registered_by_agency_id)}
    assert _matched(siti) == [siti.pk]
    client.force_login(carol)
    assert "Siti Aminah" in client.get("/rujukan/?tab=semua").content.decode()

    restrict(sari, siti)

    # The receiver's inbox still lists the referral (the handshake goes on), without her name.
    inbox = client.get("/rujukan/?tab=semua").content.decode()
    assert referral.case.number in inbox and "Siti Aminah" not in inbox

    # The owner agency still sees all of it (and the person page says so).
    assert rules.person_sections_for(alice, siti) == ALL_PERSON_SECTIONS
    client.force_login(alice)
    page = client.get(f"/orang/{siti.pk}/")
    assert page.status_code == 200 and b"restriction-banner" in page.content
    # Referral receiver: no person, no case content, in the API, the feed and the take-in.
    assert siti not in rules.persons_visible_to(carol)
    assert rules.person_sections_for(carol, siti) == frozenset()
    assert rules.granted_by(referral) == frozenset()
    assert not rules.may_take_in(carol, referral)
    assert client.get(f"/api/v1/persons/{siti.pk}", headers=_token(carol)).status_code == 404
    shared_view = client.get(f"/api/v1/referrals/{referral.pk}", headers=_token(carol)).json()["shared"]
    assert shared_view["identity"] is None
    seal_events()
    feed = client.get("/api/v1/changes?since=0&limit=500", headers=_token(carol)).json()["changes"]
    assert not [change for change in feed if change["person_id"] == siti.pk]
    # Special-assistance partner: the entry shows no person.
    assert rules.entry_sections_for(yusuf, entry) == frozenset()
    assert client.get(f"/api/v1/special-assistance/{entry.pk}", headers=_token(yusuf)).json()["person"] is None
    # Another agency's search by full NIK finds nothing; matching leaves her out.
    assert search_persons(dave, by_nik) == []
    assert siti.pk not in {p.pk for p in agency_persons(siti.registered_by_agency_id)}
    assert _matched(siti) == []  # the prepared registry of the first check is not reused

    services.lift_restriction(actor=sari, person_id=siti.pk, reason="Yang bersangkutan meminta dibuka kembali.")
    assert siti in rules.persons_visible_to(carol)
    assert rules.entry_sections_for(yusuf, entry)
    assert [hit.full_name for hit in search_persons(dave, by_nik)] == ["Siti Aminah"]
    assert _matched(siti) == [siti.pk]


def _matched(person: Any) -> list[int]:
    """Registry records an import row with her NIK and name would be matched with."""
    from sinergi.matching.engine import find_candidates

    row = {"id": "row-1", "full_name": "Siti Aminah", "nik": SITI_NIK, "birth_date": "1990-10-12", "sex": "P"}
    found = find_candidates(agency_id=person.registered_by_agency_id, records=[row])
    return [candidate.person_id for candidate in found.get("row-1", [])]


def test_lifting_needs_the_head_and_a_reason(alice: User, sari: User, shared: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    from sinergi.registry.services import InvalidData

    siti = shared["person"]
    restrict(sari, siti)
    with pytest.raises(PermissionDenied):
        services.lift_restriction(actor=alice, person_id=siti.pk, reason="Diminta.")
    with pytest.raises(InvalidData):
        services.lift_restriction(actor=sari, person_id=siti.pk, reason=" ")
    assert rules.is_restricted(siti.pk)


def test_the_owners_special_assistance_export_leaves_a_restricted_person_out(
    alice: User, sari: User, shared: dict[str, Any]
) -> None:
    from sinergi.assistance.selectors import EntryFilter
    from sinergi.assistance.services import export_list
    from sinergi.audit.models import AuditEvent

    entry = shared["entry"]
    flt = EntryFilter(status=entry.status)
    assert SITI_NIK in export_list(actor=alice, flt=flt, file_format="csv").content.decode("utf-8-sig")

    restrict(sari, shared["person"])

    exported = export_list(actor=alice, flt=flt, file_format="csv").content.decode("utf-8-sig")
    assert SITI_NIK not in exported and "Siti Aminah" not in exported
    event = AuditEvent.objects.filter(action="assistance.exported").latest("pk")
    assert event.detail["restricted_left_out"] == 1 and event.detail["entries"] == []
