"""The matching engine: thresholds, determinism, partial fields, the agency's registry only."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sinergi.accounts.models import User
from sinergi.linkage import LinkageModel
from sinergi.matching import engine
from sinergi.matching.tests.conftest import SITI_NIK
from sinergi.registry.models import Person
from sinergi.testing.factories import make_person

pytestmark = pytest.mark.django_db

SITTI = {"id": "row-1", "full_name": "Sitti Aminah", "birth_date": "1990-10-12", "sex": "P",
         "region_code": "72.71.05.1001"}  # fmt: skip


def test_it_sends_a_spelling_variant_without_nik_to_review(siti: Person) -> None:
    found = engine.find_candidates(agency_id=siti.registered_by_agency_id, records=[SITTI])
    [candidate] = found["row-1"]
    assert candidate.person_id == siti.pk
    assert engine.review_threshold() <= candidate.probability < engine.match_threshold()
    weights = dict(candidate.weights)
    assert weights["name"] > 5 and weights["birth_date"] > 5
    assert weights["nik"] == 0  # no NIK on the incoming row: no evidence either way


def test_it_matches_the_same_nik_name_and_birth_date(siti: Person) -> None:
    row = {"id": "r", "full_name": "SITI AMINAH", "nik": SITI_NIK, "birth_date": "12/10/1990"}
    [candidate] = engine.find_candidates(agency_id=siti.registered_by_agency_id, records=[row])["r"]
    assert candidate.person_id == siti.pk
    assert candidate.probability >= engine.match_threshold()
    assert dict(candidate.weights)["nik"] > 10


def test_it_finds_nobody_for_a_different_person(siti: Person) -> None:
    row = {"id": "r", "full_name": "Rahmat Hidayat", "birth_date": "1979-01-01", "sex": "L",
           "region_code": "72.71.05.1001"}  # fmt: skip
    assert engine.find_candidates(agency_id=siti.registered_by_agency_id, records=[row]) == {}


def test_it_keeps_the_same_name_with_another_birth_date_below_review(siti: Person) -> None:
    row = {**SITTI, "birth_date": "1970-03-01"}
    assert engine.find_candidates(agency_id=siti.registered_by_agency_id, records=[row]) == {}


def test_it_scores_a_pair_the_same_whatever_the_size_of_the_registry(alice: User, siti: Person) -> None:
    alone = engine.find_candidates(agency_id=alice.agency_id, records=[SITTI])["row-1"][0]
    for index in range(12):
        make_person(alice, full_name=f"Siti Aminah {chr(65 + index)}", birth_date=date(1980 + index, 1, 2))
    crowded = engine.find_candidates(agency_id=alice.agency_id, records=[SITTI, {**SITTI, "id": "row-2"}])
    assert crowded["row-1"][0] == alone
    assert crowded["row-2"][0].probability == alone.probability


def test_it_works_with_only_some_fields(siti: Person) -> None:
    name_and_date = {"id": "a", "full_name": "Sitti Aminah", "birth_date": "1990-10-12"}
    name_and_nik = {"id": "b", "full_name": "Siti Aminah", "nik": SITI_NIK}
    found = engine.find_candidates(agency_id=siti.registered_by_agency_id, records=[name_and_date, name_and_nik])
    assert found["a"][0].person_id == siti.pk
    assert found["b"][0].person_id == siti.pk
    assert found["b"][0].probability > found["a"][0].probability


def test_it_ignores_records_without_a_name(siti: Person) -> None:
    row = {"id": "r", "nik": SITI_NIK, "birth_date": "1990-10-12"}
    assert engine.find_candidates(agency_id=siti.registered_by_agency_id, records=[row]) == {}
    assert engine.find_candidates(agency_id=siti.registered_by_agency_id, records=[]) == {}


def test_it_uses_aliases_and_every_phone(alice: User) -> None:
    person = make_person(
        alice, full_name="Hermawan", birth_date=date(1988, 5, 5), sex="L", aliases=["Wawan Setiawan"],
        phones=["0812-0000-1111", "0812-0000-2222"],
    )  # fmt: skip
    row = {"id": "r", "full_name": "Wawan Setiawan", "birth_date": "1988-05-05", "phone": "081200002222"}
    [candidate] = engine.find_candidates(agency_id=alice.agency_id, records=[row])["r"]
    assert candidate.person_id == person.pk
    assert dict(candidate.weights)["name"] > 5


def test_it_searches_only_the_agency_and_skips_merged_persons(siti: Person, oscar: User, alice: User) -> None:
    assert engine.find_candidates(agency_id=oscar.agency_id, records=[SITTI]) == {}
    Person.objects.filter(pk=siti.pk).update(merged_into=make_person(alice, full_name="Budi", sex="L"))
    assert engine.find_candidates(agency_id=alice.agency_id, records=[SITTI]) == {}


def test_it_reads_the_registry_as_values_the_same_as_from_persons(siti: Person, alice: User, oscar: User) -> None:
    from sinergi.registry import services

    make_person(
        alice, full_name="Hermawan", birth_date=None, sex="L", aliases=["Wawan Setiawan", "Herman"],
        phones=["0812-0000-1111", "0812-0000-2222"], region_code="",
    )  # fmt: skip
    services.add_identifier(actor=alice, person_id=siti.pk, kind="PASPOR", value="C1234567")
    services.add_identifier(actor=alice, person_id=siti.pk, kind="KK", value="7271050101900003")
    services.add_identifier(actor=alice, person_id=siti.pk, kind="DTKS", value="D-1")  # not a linkage field
    merged = make_person(alice, full_name="Siti Dobel", aliases=["Siti D"])
    Person.objects.filter(pk=merged.pk).update(merged_into=siti)
    make_person(oscar, full_name="Orang Sentra")

    rows = engine.registry_rows(alice.agency_id)
    assert rows == engine.person_rows(engine.agency_persons(alice.agency_id))
    assert {row["id"].split("/")[0] for row in rows} == {str(pk) for pk in Person.objects.filter(
        registered_by_agency_id=alice.agency_id, merged_into=None).values_list("id", flat=True)}  # fmt: skip
    [siti_row] = [row for row in rows if row["id"].startswith(f"{siti.pk}/")]
    assert (siti_row["passport"], siti_row["kk"]) == ("C1234567", "7271050101900003")
    assert len([row for row in rows if row["full_name"] in ("Hermawan", "Wawan Setiawan", "Herman")]) == 6


def test_it_reads_thresholds_from_settings(settings: pytest.FixtureRequest) -> None:
    settings.SINERGI_MATCH_THRESHOLD = 0.95  # type: ignore[attr-defined]
    settings.SINERGI_REVIEW_THRESHOLD = 0.99  # type: ignore[attr-defined]
    assert engine.match_threshold() == 0.95
    assert engine.review_threshold() == 0.95  # never above the match threshold
    del settings.SINERGI_MATCH_THRESHOLD  # type: ignore[attr-defined]
    del settings.SINERGI_REVIEW_THRESHOLD  # type: ignore[attr-defined]
    assert engine.match_threshold() == engine.DEFAULT_MATCH_THRESHOLD


def test_it_finds_duplicates_inside_the_registry(siti: Person, sitti: Person, budi: Person) -> None:
    [pair] = engine.find_duplicates(agency_id=siti.registered_by_agency_id)
    assert (pair.person_id, pair.other_person_id) == (siti.pk, sitti.pk)
    assert engine.review_threshold() <= pair.probability < engine.match_threshold()


def test_probability_grows_with_evidence() -> None:
    low = engine.probability_from_weights([("name", 5.0)])
    high = engine.probability_from_weights([("name", 5.0), ("nik", 13.0)])
    assert 0 < low < high < 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["name", "nik", "birth_date"]), st.floats(-20, 20)), max_size=8))
def test_probability_is_a_probability(weights: list[tuple[str, float]]) -> None:
    assert 0.0 <= engine.probability_from_weights(weights) <= 1.0


def test_the_shipped_model_has_no_term_frequencies_and_a_fixed_prior() -> None:
    model = engine.default_model()
    assert model.splink_settings["probability_two_random_records_match"] == pytest.approx(2**-18)
    levels = [level for c in model.splink_settings["comparisons"] for level in c["comparison_levels"]]
    assert not any("tf_adjustment_column" in level for level in levels)


def test_it_is_deterministic(siti: Person, sitti: Person) -> None:
    first = engine.find_candidates(agency_id=siti.registered_by_agency_id, records=[SITTI])
    assert engine.find_candidates(agency_id=siti.registered_by_agency_id, records=[SITTI]) == first
    assert engine.find_duplicates(agency_id=siti.registered_by_agency_id) == engine.find_duplicates(
        agency_id=siti.registered_by_agency_id
    )


def test_the_train_command_writes_a_loadable_model(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    call_command("matching", "train-model", "--size", "300", "--out", str(out), stdout=StringIO())
    model = LinkageModel.load(out)
    assert model.splink_settings["probability_two_random_records_match"] == pytest.approx(2**-18)
    assert model.training["synthetic_persons"] == 300
    with pytest.raises(CommandError, match="at least 200"):
        call_command("matching", "train-model", "--size", "50", "--out", str(out))


def test_it_prepares_the_registry_once_while_it_does_not_change(
    alice: User, siti: Person, django_assert_max_num_queries: object
) -> None:
    from sinergi.registry import services as registry

    first = engine.find_candidates(agency_id=alice.agency_pk, records=[SITTI])
    # The second chunk of the same check: only the fingerprint's four aggregates, no registry read.
    with django_assert_max_num_queries(4):  # type: ignore[operator]
        again = engine.find_candidates(agency_id=alice.agency_pk, records=[SITTI])
    assert again == first

    # Each kind of change is seen by the next chunk.
    registry.update_person(
        actor=alice,
        person_id=siti.pk,
        data=registry.merged(registry.person_data_of(siti), full_name="Nurhayati"),
        expected_version=siti.version,
    )
    assert not engine.find_candidates(agency_id=alice.agency_pk, records=[SITTI])
    registry.add_phone(actor=alice, person_id=siti.pk, number="0812 4455 6677")
    found = engine.find_candidates(agency_id=alice.agency_pk, records=[{**SITTI, "full_name": "Nurhayati",
                                                                         "phone": "081244556677"}])  # fmt: skip
    assert found["row-1"][0].person_id == siti.pk
    newcomer = make_person(alice, full_name="Sitti Aminah", birth_date=date(1990, 10, 12), region_code="72.71.05.1001")
    found = engine.find_candidates(agency_id=alice.agency_pk, records=[SITTI])
    assert found["row-1"][0].person_id == newcomer.pk


def test_it_scores_the_same_when_large_inputs_are_prepared_in_several_processes(
    alice: User, siti: Person, sitti: Person, budi: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = [{**SITTI, "id": f"row-{index}"} for index in range(6)] + [
        {"id": "r", "full_name": "SITI AMINAH", "nik": SITI_NIK, "birth_date": "12/10/1990"}
    ]
    engine.forget_prepared_registries()
    one = engine.find_candidates(agency_id=alice.agency_pk, records=records)
    duplicates = engine.find_duplicates(agency_id=alice.agency_pk)
    # Every input of this test is "large": prepared in two processes, in shares of half the rows.
    monkeypatch.setattr(engine, "_PARALLEL_FROM", 4)
    monkeypatch.setenv("SINERGI_LINKAGE_WORKERS", "2")
    calls: list[int] = []
    real = engine.prepare_records

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(int(kwargs["workers"]))  # type: ignore[call-overload]
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "prepare_records", counted)
    engine.forget_prepared_registries()
    assert engine.find_candidates(agency_id=alice.agency_pk, records=records) == one
    assert engine.find_duplicates(agency_id=alice.agency_pk) == duplicates
    assert calls and set(calls) == {2}
    assert one["r"][0].person_id == siti.pk
