"""A trafficking victim appears under a pseudonym in every list (issue 13, point 5; UU 21/2007 Pasal 44), and by
name only on the record's own page."""

from __future__ import annotations

import pytest

from sinergi.referrals import services as referral_services
from sinergi.sharing.pseudonyms import is_protected, listed_name, listed_nik, pseudonym
from sinergi.testing.referral_fixtures import open_case_for, person_for, sent_referral

pytestmark = pytest.mark.usefixtures("sop")

NIK = "7271055210900003"


@pytest.fixture
def victim(alice):
    return person_for(alice, full_name="Wulan Sari", nik=NIK, sex="P", flag_trafficking=True)


def test_the_pseudonym_is_stable_per_person_and_says_nothing(alice, victim):
    other = person_for(alice, full_name="Rina", flag_trafficking=True)
    assert pseudonym(victim) == pseudonym(victim) != pseudonym(other)
    assert "Wulan" not in pseudonym(victim) and NIK not in pseudonym(victim)
    assert listed_name(victim) == pseudonym(victim) and listed_nik(victim) == ""
    plain = person_for(alice, full_name="Siti Biasa")
    assert listed_name(plain) == "Siti Biasa" and not is_protected(plain)


def test_a_trafficking_case_protects_its_person_in_its_rows(alice):
    person = person_for(alice, full_name="Dewi Lestari")
    case = open_case_for(alice, person=person, flag_trafficking=True)
    assert listed_name(person) == "Dewi Lestari"  # the person alone is not flagged
    assert listed_name(person, case) == pseudonym(person)


def test_lists_show_the_pseudonym_and_the_record_page_the_name(client, alice, victim):
    case = open_case_for(alice, person=victim, categories=("tppo",))
    client.force_login(alice)
    for url in ("/kasus/", "/"):
        page = client.get(url).content.decode()
        assert "Wulan Sari" not in page and NIK not in page, url
    # Searched by her NIK (the box keeps what was typed): the result is the pseudonym, without the name.
    found = client.get(f"/orang/?q={NIK}").content.decode()
    assert pseudonym(victim) in found and "Wulan Sari" not in found
    assert pseudonym(victim) in client.get("/kasus/").content.decode()
    assert "Wulan Sari" in client.get(f"/kasus/{case.pk}/").content.decode()
    assert "Wulan Sari" in client.get(f"/orang/{victim.pk}/").content.decode()


def test_the_receivers_inbox_shows_the_pseudonym(client, alice, carol, victim):
    referral = sent_referral(alice, open_case_for(alice, person=victim, categories=("tppo",)))
    referral_services.acknowledge_referral(actor=carol, referral_id=referral.pk)
    client.force_login(carol)
    inbox = client.get("/rujukan/?tab=semua").content.decode()
    assert pseudonym(victim) in inbox and "Wulan Sari" not in inbox


def test_another_agencys_search_and_the_api_list_show_the_pseudonym(client, alice, dave, victim):
    from sinergi.accounts.tokens import create_token

    client.force_login(dave)  # another agency, no referral: found by her full NIK, as a limited hit
    found = client.get(f"/orang/?q={NIK}").content.decode()
    assert pseudonym(victim) in found and "Wulan Sari" not in found
    for user in (dave, alice):  # the partner system of either agency
        _, secret = create_token(actor=None, user=user, name="skrip", scopes=["persons:read"])
        hits = client.get(f"/api/v1/persons?nik={NIK}", headers={"Authorization": f"Bearer {secret}"}).json()
        assert [hit["full_name"] for hit in hits] == [pseudonym(victim)], user
        assert all(hit["nik"] is None for hit in hits)
    own = client.get(f"/api/v1/persons/{victim.pk}", headers={"Authorization": f"Bearer {secret}"}).json()
    assert own["full_name"] == "Wulan Sari"  # the record itself, read by its own agency


def test_the_api_case_list_shows_the_pseudonym(client, alice, victim):
    from sinergi.accounts.tokens import create_token

    case = open_case_for(alice, person=victim, categories=("tppo",))
    _, secret = create_token(actor=None, user=alice, name="skrip", scopes=["cases:read"])
    headers = {"Authorization": f"Bearer {secret}"}
    rows = client.get("/api/v1/cases", headers=headers).json()["items"]
    assert [row["person"]["full_name"] for row in rows] == [pseudonym(victim)]
    assert client.get(f"/api/v1/cases/{case.pk}", headers=headers).json()["person"]["full_name"] == "Wulan Sari"
