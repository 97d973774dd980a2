"""Loose blocking (comparisons.LOOSE_BLOCKING_KEYS): a run also compares records that share one part alone (the
birth date, the address numbers, the sound of a name word) when it has counted that those pairs are few, as in a
province's file; a national one does not, and the saved model never carries those rules."""

from __future__ import annotations

import pytest

from bench.linkage_data import FIELDS, TODAY, make_dataset
from sinergi.linkage import link_tables, linking, prepare_records
from sinergi.linkage.comparisons import loose_blocking_keys_for

BIRTH_DATE_ONLY = "l.birth_any = r.birth_any"
# Two records that share the birth date and nothing else any other rule blocks on: names not alike, no NIK,
# phone or KK in common, other addresses.
LEFT = {"id": "L-only-date", "full_name": "Kadek Wirawan", "birth_date": "1980-05-01", "address": "Jl. Kenari 17"}
RIGHT = {"id": "R-only-date", "full_name": "Yohanes Sumampouw", "birth_date": "1980-05-01", "address": "Desa Oloboju"}


@pytest.fixture(scope="module")
def tables():  # type: ignore[no-untyped-def]
    dataset = make_dataset(300, 3000, seed=5)
    left = prepare_records([*dataset.left, LEFT], fields=FIELDS, today=TODAY)
    right = prepare_records([*dataset.right, RIGHT], fields=FIELDS, today=TODAY)
    return left, right


def _compared(result) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return {(pair.left_id, pair.right_id) for pair in result.pairs}


def test_a_small_run_compares_records_that_share_only_a_birth_date(tables) -> None:  # type: ignore[no-untyped-def]
    left, right = tables
    result = link_tables(left, right, review_threshold=1e-9)
    assert ("L-only-date", "R-only-date") in _compared(result)
    # The rule was the run's choice: the model it saved has only its own rules.
    assert BIRTH_DATE_ONLY not in result.model.splink_settings["blocking_rules_to_generate_predictions"]


def test_a_run_whose_loose_pairs_are_too_many_leaves_them_out(tables, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    left, right = tables
    monkeypatch.setattr(linking, "LOOSE_RULE_MAX_PAIRS", 0)
    result = link_tables(left, right, review_threshold=1e-9)
    assert ("L-only-date", "R-only-date") not in _compared(result)


def test_a_given_model_gets_the_loose_rules_its_run_can_afford(tables) -> None:  # type: ignore[no-untyped-def]
    left, right = tables
    model = link_tables(left, right).model
    result = link_tables(left, right, model=model, review_threshold=1e-9)
    assert ("L-only-date", "R-only-date") in _compared(result)


def test_each_loose_key_needs_its_feature() -> None:
    assert loose_blocking_keys_for({"name"}) == ["name_phon_first", "name_phon_last"]
    assert loose_blocking_keys_for({"name", "birth_date", "address"}) == [
        "birth_any",
        "address_numbers",
        "name_phon_first",
        "name_phon_last",
    ]
