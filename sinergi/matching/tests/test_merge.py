"""Decisions, merge and unmerge: one decision wins, nothing is lost, an unmerge restores both persons."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.accounts.models import User
from sinergi.audit.models import AuditEvent
from sinergi.cases.models import Case
from sinergi.cases.selectors import get_case_for_user
from sinergi.cases.services import CaseData, open_case
from sinergi.changes.models import ChangeEvent, ChangeOp
from sinergi.matching import services
from sinergi.matching.models import Decision, MatchCandidate, Merge
from sinergi.registry import services as registry
from sinergi.registry.models import IdentifierKind, NameToken, Person
from sinergi.sources.models import DataSource, SourceRecord
from sinergi.testing.factories import make_person

pytestmark = pytest.mark.django_db


def _pair(actor: User, a: Person, b: Person) -> MatchCandidate:
    return services.propose_pair(
        actor=actor, person_id=a.pk, other_person_id=b.pk, probability=0.97, weights=[("name", 9.5)], origin="scan"
    )


def _source_record(person: Person, external_id: str = "S-1", **values: str) -> SourceRecord:
    source, _ = DataSource.objects.get_or_create(agency=person.registered_by_agency, name="Ekspor Sisko P2MI")
    return SourceRecord.objects.create(
        source=source, external_id=external_id, person=person, values=values, content_hash="x" * 64,
        file_name="sisko.xlsx", row_number=7,
    )  # fmt: skip


def snapshot(person_id: int) -> dict[str, Any]:
    """Everything a merge may touch, except the version counter and the time of the last save."""
    person = Person.objects.get(pk=person_id)
    fields = {
        f.attname: getattr(person, f.attname)
        for f in Person._meta.concrete_fields
        if f.attname not in ("version", "updated_at")
    }
    return {
        **fields,
        "aliases": sorted(person.aliases.values_list("name", flat=True)),
        "identifiers": sorted(person.identifiers.values_list("kind", "value")),
        "phones": sorted(person.phones.values_list("number", flat=True)),
        "family": sorted(person.family.values_list("relationship", "name")),
        "episodes": sorted(person.episodes.values_list("destination_country", "employer")),
        "sources": sorted(SourceRecord.objects.filter(person_id=person_id).values_list("pk", flat=True)),
        "tokens": sorted(NameToken.objects.filter(person_id=person_id).values_list("token", flat=True)),
    }


# --- decisions ----------------------------------------------------------------------------------------------


def test_it_merges_on_same(olive: User, siti: Person, sitti: Person) -> None:
    candidate = _pair(olive, siti, sitti)
    decided = services.decide_pair(
        actor=olive, candidate_id=candidate.pk, decision=Decision.SAME, expected_decision=Decision.PENDING
    )
    assert decided.decision == Decision.SAME and decided.decided_by == olive
    sitti.refresh_from_db()
    assert sitti.merged_into_id == siti.pk
    merge = Merge.objects.get()
    assert (merge.survivor_id, merge.absorbed_id, merge.candidate_id) == (siti.pk, sitti.pk, candidate.pk)
    assert AuditEvent.objects.filter(action="matching.pair_decided").count() == 1
    assert AuditEvent.objects.filter(action="matching.persons_merged").count() == 1


def test_it_keeps_the_chosen_survivor(olive: User, siti: Person, sitti: Person) -> None:
    candidate = _pair(olive, siti, sitti)
    services.decide_pair(actor=olive, candidate_id=candidate.pk, decision=Decision.SAME, survivor_id=sitti.pk)
    siti.refresh_from_db()
    assert siti.merged_into_id == sitti.pk


def test_different_is_final_and_unsure_waits_for_a_supervisor(
    olive: User, sari: User, siti: Person, sitti: Person, budi: Person
) -> None:
    first = _pair(olive, siti, sitti)
    services.decide_pair(actor=olive, candidate_id=first.pk, decision=Decision.DIFFERENT)
    assert MatchCandidate.objects.get(pk=first.pk).decision == Decision.DIFFERENT
    assert not Person.objects.filter(merged_into__isnull=False).exists()

    second = _pair(olive, siti, budi)
    services.decide_pair(actor=olive, candidate_id=second.pk, decision=Decision.UNSURE, note="beda ibu?")
    assert MatchCandidate.objects.get(pk=second.pk).decision == Decision.UNSURE
    services.decide_pair(
        actor=sari, candidate_id=second.pk, decision=Decision.DIFFERENT, expected_decision=Decision.UNSURE
    )
    assert MatchCandidate.objects.get(pk=second.pk).decision == Decision.DIFFERENT


def test_a_double_submit_decides_once(olive: User, siti: Person, sitti: Person) -> None:
    candidate = _pair(olive, siti, sitti)
    services.decide_pair(actor=olive, candidate_id=candidate.pk, decision=Decision.SAME, expected_decision="PENDING")
    with pytest.raises(services.AlreadyDecided, match=r"(?i)olive"):
        services.decide_pair(
            actor=olive, candidate_id=candidate.pk, decision=Decision.SAME, expected_decision="PENDING"
        )
    assert Merge.objects.count() == 1


def test_two_officers_deciding_at_once_one_wins(olive: User, sari: User, siti: Person, sitti: Person) -> None:
    """Both saw the pair pending; the second decision is refused and changes nothing."""
    candidate = _pair(olive, siti, sitti)
    services.decide_pair(actor=sari, candidate_id=candidate.pk, decision=Decision.UNSURE, expected_decision="PENDING")
    with pytest.raises(services.AlreadyDecided) as refused:
        services.decide_pair(
            actor=olive, candidate_id=candidate.pk, decision=Decision.SAME, expected_decision="PENDING"
        )
    assert "sari" in str(refused.value).lower()
    candidate.refresh_from_db()
    assert (candidate.decision, candidate.decided_by) == (Decision.UNSURE, sari)
    assert not Merge.objects.exists()


def test_a_failed_merge_leaves_the_pair_undecided(olive: User, siti: Person, sitti: Person, budi: Person) -> None:
    candidate = _pair(olive, siti, sitti)
    with pytest.raises(services.MatchingError):
        services.decide_pair(actor=olive, candidate_id=candidate.pk, decision=Decision.SAME, survivor_id=budi.pk)
    assert MatchCandidate.objects.get(pk=candidate.pk).decision == Decision.PENDING


@pytest.mark.parametrize("persona", ["alice", "bob"])
def test_workers_and_auditors_cannot_decide(
    persona: str, request: pytest.FixtureRequest, olive: User, siti: Person, sitti: Person
) -> None:
    candidate = _pair(olive, siti, sitti)
    with pytest.raises(PermissionDenied):
        services.decide_pair(actor=request.getfixturevalue(persona), candidate_id=candidate.pk, decision="SAME")


@pytest.mark.parametrize("persona", ["oscar", "dave"])
def test_other_agencies_get_404(
    persona: str, request: pytest.FixtureRequest, olive: User, siti: Person, sitti: Person
) -> None:
    candidate = _pair(olive, siti, sitti)
    actor = request.getfixturevalue(persona)
    with pytest.raises((Http404, PermissionDenied)):
        services.decide_pair(actor=actor, candidate_id=candidate.pk, decision="SAME")
    with pytest.raises((Http404, PermissionDenied)):
        services.merge_persons(actor=actor, survivor_id=siti.pk, absorbed_id=sitti.pk)
    assert MatchCandidate.objects.get(pk=candidate.pk).decision == Decision.PENDING


# --- merge ----------------------------------------------------------------------------------------------------


def test_a_merge_never_loses_a_value(olive: User, alice: User, siti: Person, sitti: Person) -> None:
    registry.add_identifier(actor=alice, person_id=sitti.pk, kind=IdentifierKind.PASSPORT, value="C1234567")
    registry.add_family_link(actor=alice, person_id=sitti.pk, relationship="AYAH", name="La Ode")
    record = _source_record(sitti, full_name="SITTI AMINAH", birth_place="Palu")
    merge = services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=sitti.pk)
    siti.refresh_from_db()
    # Empty on the survivor: taken from the absorbed person.
    assert siti.birth_place == "Palu"
    assert merge.taken_fields == {"birth_place": {"before": "", "after": "Palu"}}
    # Names, phones, identifiers, family: copied.
    assert "Sitti Aminah" in siti.aliases.values_list("name", flat=True)
    assert set(siti.phones.values_list("number", flat=True)) == {"+6281244556677", "+6281311112222"}
    assert siti.identifiers.filter(kind=IdentifierKind.PASSPORT, value="C1234567").exists()
    assert siti.family.filter(name="La Ode").exists()
    # Sources move; the absorbed record keeps its own values.
    record.refresh_from_db()
    assert record.person_id == siti.pk and merge.moved_source_records == [record.pk]
    sitti.refresh_from_db()
    assert (sitti.full_name, sitti.merged_into_id) == ("Sitti Aminah", siti.pk)
    # The absorbed name is searchable on the survivor.
    assert (
        NameToken.objects.filter(person=siti, token="sitti").exists()
        or NameToken.objects.filter(person=siti, token="siti").exists()
    )


def test_a_merge_keeps_a_protection_flag(olive: User, alice: User, siti: Person) -> None:
    victim = make_person(alice, full_name="Siti Aminah", flag_trafficking=True, birth_date=date(1990, 10, 12))
    services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=victim.pk)
    siti.refresh_from_db()
    assert siti.flag_trafficking


def test_a_merge_records_change_events(olive: User, siti: Person, sitti: Person) -> None:
    before = ChangeEvent.objects.count()
    services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=sitti.pk)
    events = list(ChangeEvent.objects.order_by("id")[before:].values_list("person_id", "op"))
    assert events == [(sitti.pk, ChangeOp.MERGED), (siti.pk, ChangeOp.UPDATED)]


def test_merged_persons_cannot_be_merged_or_proposed_again(
    olive: User, siti: Person, sitti: Person, budi: Person
) -> None:
    services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=sitti.pk)
    with pytest.raises(services.MatchingError):
        services.merge_persons(actor=olive, survivor_id=budi.pk, absorbed_id=sitti.pk)
    with pytest.raises(services.MatchingError):
        services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=siti.pk)


def test_a_merge_closes_the_absorbed_persons_other_pairs(
    olive: User, siti: Person, sitti: Person, budi: Person
) -> None:
    other = _pair(olive, sitti, budi)
    services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=sitti.pk)
    assert MatchCandidate.objects.get(pk=other.pk).decision == Decision.OBSOLETE


def test_cases_of_the_absorbed_person_keep_working(olive: User, alice: User, siti: Person, sitti: Person) -> None:
    data = CaseData(
        person_id=sitti.pk, channel="HOTLINE", complainant_type="PMI", phase="SELAMA",
        category_codes=["gaji-tidak-dibayar"], destination_country="MY",
    )  # fmt: skip
    case = open_case(actor=alice, data=data)
    services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=sitti.pk)
    assert get_case_for_user(alice, case.pk).person_id == sitti.pk
    assert Case.objects.get(pk=case.pk).person.merged_into_id == siti.pk


# --- unmerge --------------------------------------------------------------------------------------------------


def test_unmerge_restores_both_exactly(olive: User, alice: User, siti: Person, sitti: Person, budi: Person) -> None:
    registry.add_identifier(actor=alice, person_id=sitti.pk, kind=IdentifierKind.KK, value="7271050101900001")
    _source_record(sitti, full_name="Sitti Aminah")
    _source_record(siti, external_id="S-2", full_name="Siti Aminah")
    other = _pair(olive, sitti, budi)
    candidate = _pair(olive, siti, sitti)
    before = (snapshot(siti.pk), snapshot(sitti.pk))
    services.decide_pair(actor=olive, candidate_id=candidate.pk, decision="SAME")
    merge = Merge.objects.get()
    assert snapshot(siti.pk) != before[0]

    services.unmerge(actor=olive, merge_id=merge.pk)
    assert (snapshot(siti.pk), snapshot(sitti.pk)) == before
    merge.refresh_from_db()
    assert merge.undone_by == olive and merge.undone_at is not None
    # The pair and the pairs the merge closed wait for review again.
    assert MatchCandidate.objects.get(pk=candidate.pk).decision == Decision.PENDING
    assert MatchCandidate.objects.get(pk=other.pk).decision == Decision.PENDING
    ops = list(ChangeEvent.objects.order_by("-id")[:2].values_list("person_id", "op"))
    assert ops == [(siti.pk, ChangeOp.UPDATED), (sitti.pk, ChangeOp.RESTORED)]
    with pytest.raises(services.MatchingError):
        services.unmerge(actor=olive, merge_id=merge.pk)


def test_unmerge_keeps_an_edit_made_after_the_merge(olive: User, siti: Person, sitti: Person) -> None:
    merge = services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=sitti.pk)
    siti.refresh_from_db()
    data = registry.merged(registry.person_data_of(siti), birth_place="Donggala")
    registry.update_person(actor=olive, person_id=siti.pk, data=data, expected_version=siti.version)
    services.unmerge(actor=olive, merge_id=merge.pk)
    siti.refresh_from_db()
    assert siti.birth_place == "Donggala"


def test_an_earlier_merge_cannot_be_undone_while_its_survivor_is_merged(
    olive: User, siti: Person, sitti: Person, budi: Person
) -> None:
    first = services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=sitti.pk)
    services.merge_persons(actor=olive, survivor_id=budi.pk, absorbed_id=siti.pk)
    with pytest.raises(services.MatchingError, match="Undo that later merge first"):
        services.unmerge(actor=olive, merge_id=first.pk)


def test_only_data_officers_of_the_agency_unmerge(
    olive: User, alice: User, oscar: User, siti: Person, sitti: Person
) -> None:
    merge = services.merge_persons(actor=olive, survivor_id=siti.pk, absorbed_id=sitti.pk)
    with pytest.raises(PermissionDenied):
        services.unmerge(actor=alice, merge_id=merge.pk)
    with pytest.raises(Http404):
        services.unmerge(actor=oscar, merge_id=merge.pk)


# --- property: nothing lost, everything restored ----------------------------------------------------------------

names = st.sampled_from(["Siti Aminah", "Sitti Aminah", "Nur Aisyah", "Wayan Sudarta", "Moh. Rizki", "Hj. Fatimah"])
places = st.sampled_from(["", "Palu", "Poso", "Donggala", "Sigi Biromaru"])
dates = st.one_of(st.none(), st.dates(min_value=date(1950, 1, 1), max_value=date(2005, 12, 31)))
regions = st.sampled_from(["", "72.71.05", "72.71.05.1001", "72.02.01", "72.10"])
phones = st.lists(st.sampled_from(["0812-4455-6677", "0813-1111-2222", "0852-9876-5432"]), max_size=2, unique=True)
addresses = st.sampled_from(["", "Jl. Trans Sulawesi", "Dusun II"])
sexes = st.sampled_from(["", "L", "P"])
person_values = st.fixed_dictionaries(
    {
        "full_name": names,
        "birth_place": places,
        "birth_date": dates,
        "region_code": regions,
        "phones": phones,
        "address_text": addresses,
        "sex": sexes,
        "flag_disability": st.booleans(),
        "aliases": st.lists(names, max_size=2, unique=True),
    }
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(left=person_values, right=person_values)
def test_merge_never_loses_a_value_and_unmerge_restores(
    olive: User, alice: User, left: dict[str, Any], right: dict[str, Any]
) -> None:
    survivor = make_person(alice, **left)
    absorbed = make_person(alice, **right)
    before = (snapshot(survivor.pk), snapshot(absorbed.pk))
    merge = services.merge_persons(actor=olive, survivor_id=survivor.pk, absorbed_id=absorbed.pk)
    survivor.refresh_from_db()
    kept = Person.objects.get(pk=absorbed.pk)
    for attribute in ("birth_place", "birth_date", "region_id", "address_text", "sex", "flag_disability"):
        mine, theirs = getattr(survivor, attribute), getattr(kept, attribute)
        # Each value is either the survivor's now or still on the absorbed record (a conflict to verify).
        assert theirs in ("", None, False) or mine == theirs or before[0][attribute] not in ("", None, False)
        assert mine in ("", None, False) or mine in (before[0][attribute], theirs)
    assert set(before[1]["phones"]) <= set(survivor.phones.values_list("number", flat=True))
    names_now = {survivor.full_name, *survivor.aliases.values_list("name", flat=True)}
    assert {absorbed.full_name, *before[1]["aliases"]} <= names_now
    services.unmerge(actor=olive, merge_id=merge.pk)
    assert (snapshot(survivor.pk), snapshot(absorbed.pk)) == before
