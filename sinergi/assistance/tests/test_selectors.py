"""Who sees which entry, and what of the person: the proposing agency and the partner agency, nobody else."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from sinergi.assistance import services
from sinergi.assistance.models import AssistanceStatus
from sinergi.assistance.selectors import (
    EntryFilter,
    candidate_cases,
    entries_visible_to,
    entry_rows,
    get_entry_for_user,
    list_entries,
)
from sinergi.assistance.tests.conftest import SITI_NIK, agreed_entry, assessed_case, propose
from sinergi.audit.models import AuditEvent
from sinergi.cases import services as case_services
from sinergi.registry import services as registry_services
from sinergi.testing.referral_fixtures import wita

S = AssistanceStatus
BOTH_AGENCIES = ["alice", "sari", "bob", "olive", "carol", "yusuf", "vera", "oscar"]


@pytest.mark.parametrize("persona", BOTH_AGENCIES)
def test_both_agencies_see_the_entry_and_the_person(request, persona, alice, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)
    user = request.getfixturevalue(persona)

    assert list(entries_visible_to(user)) == [entry]
    row = entry_rows(user, [get_entry_for_user(user, entry.pk)])[0]
    assert row.person is not None
    assert (row.person.full_name, row.person.nik) == ("Siti Aminah", SITI_NIK)


def test_an_uninvolved_agency_sees_nothing(alice, dave, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)

    assert not entries_visible_to(dave).exists()
    assert list_entries(dave, EntryFilter()) == []
    with pytest.raises(Http404):
        get_entry_for_user(dave, entry.pk)
    with pytest.raises(Http404):
        get_entry_for_user(dave, entry.pk + 1000)


def test_it_shows_what_the_list_needs_about_the_person(alice, sentra, siti_case):
    propose(alice, siti_case, sentra)

    (row,) = list_entries(alice, EntryFilter())
    person = row.person
    assert person is not None
    assert (person.sex, person.birth_place, person.birth_date) == ("P", "Palu", date(1990, 10, 12))
    assert (person.address, person.region_code) == ("Jl. Trans Sulawesi, RT 02", "72.71.05.1001")
    assert (person.village, person.district, person.regency, person.province) == (
        "Buluri",
        "Ulujadi",
        "Kota Palu",
        "Sulawesi Tengah",
    )
    # The latest stay abroad (Hong Kong), not the case's destination (Malaysia).
    assert person.destination_country == "HK"
    assert row.categories == ("Kekerasan fisik/psikis",)


def test_the_destination_is_the_latest_stay_abroad(alice, sentra):
    case = assessed_case(alice, episode="")
    person_id = case.person_id
    for country, departed in (("SA", date(2019, 1, 1)), ("TW", date(2024, 2, 1)), ("JP", None)):
        registry_services.add_migration_episode(
            actor=alice,
            person_id=person_id,
            data=registry_services.EpisodeData(destination_country=country, departure_date=departed),
        )
    propose(alice, case, sentra)

    (row,) = list_entries(alice, EntryFilter())
    assert row.person is not None and row.person.destination_country == "TW"


def test_without_a_stay_abroad_the_destination_is_the_cases(alice, sentra):
    propose(alice, assessed_case(alice, episode=""), sentra)

    (row,) = list_entries(alice, EntryFilter())
    assert row.person is not None and row.person.destination_country == "MY"


def test_a_withdrawn_entry_no_longer_shares_the_person_with_the_partner(alice, sari, yusuf, carol, siti_case):
    entry = agreed_entry(alice, sari, yusuf, siti_case)
    services.withdraw_entry(actor=sari, entry_id=entry.pk, reason="Sudah direintegrasi.")

    (carols_row,) = list_entries(carol, EntryFilter())
    (alices_row,) = list_entries(alice, EntryFilter())
    assert carols_row.person is None
    assert carols_row.entry.withdrawal_reason == "Sudah direintegrasi."
    assert alices_row.person is not None


def test_reading_the_person_on_an_entry_is_in_the_partners_access_log(alice, carol, sentra, siti_case):
    entry = propose(alice, siti_case, sentra)

    services.record_entry_view(actor=alice, entry=get_entry_for_user(alice, entry.pk))
    services.record_entry_view(actor=carol, entry=get_entry_for_user(carol, entry.pk))

    viewed = AuditEvent.objects.filter(action="person.viewed").order_by("id")
    # The proposing agency's read is logged too (issue 9, finding 6).
    assert [(e.actor.username, e.object_id) for e in viewed] == [
        ("alice", str(siti_case.person_id)),
        ("carol", str(siti_case.person_id)),
    ]


# --- filters and pages ----------------------------------------------------------------------------------------


def test_it_filters_by_status_agency_and_period(alice, sari, yusuf, sentra, dinsos, clock):
    clock.set(wita(2026, 1, 10, 9))
    on_list = agreed_entry(alice, sari, yusuf)
    clock.set(wita(2026, 2, 3, 9))
    proposed = propose(alice, assessed_case(alice, full_name="Rina", nik="", episode=""), dinsos)

    def ids(**values: object) -> list[int]:
        return [row.entry.pk for row in list_entries(alice, EntryFilter(**values))]  # type: ignore[arg-type]

    assert ids() == [proposed.pk, on_list.pk]
    assert ids(status=S.AGREED) == [on_list.pk]
    assert ids(agency_id=dinsos.pk) == [proposed.pk]
    assert ids(agency_id=alice.agency_id) == [proposed.pk, on_list.pk]
    assert ids(date_from=date(2026, 2, 1)) == [proposed.pk]
    assert ids(date_to=date(2026, 1, 31)) == [on_list.pk]
    assert ids(date_from=date(2026, 1, 10), date_to=date(2026, 1, 10)) == [on_list.pk]
    # Yusuf's agency is a party to the first entry only.
    assert [row.entry.pk for row in list_entries(yusuf, EntryFilter())] == [on_list.pk]


def test_it_pages_by_id(alice, sentra):
    entries = [
        propose(alice, assessed_case(alice, full_name=f"Orang {n}", nik="", episode=""), sentra) for n in range(3)
    ]

    first = list_entries(alice, EntryFilter(), limit=2)
    rest = list_entries(alice, EntryFilter(), before=first[-1].entry.pk, limit=2)
    assert [row.entry.pk for row in first + rest] == [entry.pk for entry in reversed(entries)]


def test_the_list_reads_in_a_fixed_number_of_queries(alice, sentra, carol):
    def queries_for_list() -> int:
        with CaptureQueriesContext(connection) as captured:
            list_entries(carol, EntryFilter())
        return len(captured)

    propose(alice, assessed_case(alice, full_name="Satu", nik=""), sentra)
    queries_for_list()  # carol's roles are read once and cached on the instance
    one = queries_for_list()
    for n in range(4):
        propose(alice, assessed_case(alice, full_name=f"Lagi {n}", nik=""), sentra)
    assert queries_for_list() == one


# --- candidates -----------------------------------------------------------------------------------------------


def test_candidates_are_assessed_cases_not_yet_on_the_list(alice, carol, dave, sentra, siti_case):
    not_needed = assessed_case(alice, needs_assistance=False, full_name="Budi", nik="", sex="L")
    sentras_case = assessed_case(carol, full_name="Wati", nik="")

    assert list(candidate_cases(alice)) == [siti_case]
    assert list(candidate_cases(carol)) == [sentras_case]
    assert not candidate_cases(dave).exists()

    entry = propose(alice, siti_case, sentra)
    assert not candidate_cases(alice).exists()

    services.withdraw_entry(actor=alice, entry_id=entry.pk, reason="Salah mitra.")
    assert list(candidate_cases(alice)) == [siti_case]

    # A later assessment that no longer needs assistance takes the case off; one that does puts it back.
    case_services.add_assessment(
        actor=alice,
        case_id=siti_case.pk,
        data=case_services.AssessmentData(summary="Pulih.", needs_special_assistance=False),
    )
    assert not candidate_cases(alice).exists()
    case_services.add_assessment(
        actor=alice,
        case_id=not_needed.pk,
        data=case_services.AssessmentData(summary="Kambuh.", needs_special_assistance=True),
    )
    assert list(candidate_cases(alice)) == [not_needed]
