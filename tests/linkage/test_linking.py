"""End to end on synthetic files with known truth (bench/linkage_data.py), plus the saved model."""

from __future__ import annotations

import json
import tempfile
import threading
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import pytest

from bench.linkage_data import FIELDS, TODAY, make_dataset
from sinergi.linkage import LinkageError, LinkageModel, dedupe_table, link_tables, prepare_records
from sinergi.linkage.issues import LinkageErrorCode
from sinergi.linkage.linking import duckdb_memory_limit_mb


def scores(found: Iterable[tuple[str, str]], truth: Iterable[tuple[str, str]]) -> tuple[float, float]:
    found_set, truth_set = set(found), set(truth)
    hits = len(found_set & truth_set)
    return hits / max(1, len(found_set)), hits / max(1, len(truth_set))


@pytest.fixture(scope="module")
def dataset():  # type: ignore[no-untyped-def]
    return make_dataset(400, 4000, seed=11)


@pytest.fixture(scope="module")
def linked(dataset):  # type: ignore[no-untyped-def]
    left = prepare_records(dataset.left, fields=FIELDS, today=TODAY)
    right = prepare_records(dataset.right, fields=FIELDS, today=TODAY)
    return link_tables(left, right), left, right


def test_it_links_two_agencies_files_with_high_precision_and_recall(dataset, linked) -> None:  # type: ignore[no-untyped-def]
    result, _, _ = linked

    precision, recall = scores(((pair.left_id, pair.right_id) for pair in result.matches), dataset.truth)

    assert precision >= 0.97
    assert recall >= 0.95
    assert all(pair.match_probability >= 0.9 for pair in result.matches)
    assert result.pairs == sorted(result.pairs, key=lambda pair: -pair.match_probability)


def test_it_links_the_same_pairs_within_a_small_duckdb_memory_budget_and_leaves_no_spill_files(  # type: ignore[no-untyped-def]
    linked, monkeypatch, tmp_path: Path
) -> None:
    result, left, right = linked
    monkeypatch.setenv("SINERGI_LINKAGE_MEMORY_MB", "256")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))

    again = link_tables(left, right, model=result.model)

    assert {(p.left_id, p.right_id) for p in again.matches} == {(p.left_id, p.right_id) for p in result.matches}
    assert list(tmp_path.iterdir()) == []  # the session's spill directory is gone


@pytest.mark.parametrize(("text", "expected"), [("512", 512), (" 4096 ", 4096)])
def test_the_duckdb_memory_budget_can_be_set(monkeypatch, text: str, expected: int) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SINERGI_LINKAGE_MEMORY_MB", text)

    assert duckdb_memory_limit_mb() == expected


@pytest.mark.parametrize("text", ["abc", "100", "-1", "1.5"])
def test_a_wrong_duckdb_memory_budget_says_what_to_write(monkeypatch, text: str) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SINERGI_LINKAGE_MEMORY_MB", text)

    with pytest.raises(ValueError, match="SINERGI_LINKAGE_MEMORY_MB must be a whole number of MB >= 256"):
        duckdb_memory_limit_mb()


def test_without_a_budget_duckdb_gets_part_of_the_memory_available_now(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("SINERGI_LINKAGE_MEMORY_MB", raising=False)
    with open("/proc/meminfo", encoding="ascii") as meminfo:
        available_mb = int(next(line for line in meminfo if line.startswith("MemAvailable")).split()[1]) // 1024

    budget = duckdb_memory_limit_mb()
    assert budget is not None and 256 <= budget <= available_mb


def test_it_saves_and_loads_a_versioned_model(linked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result, left, right = linked
    path = tmp_path / "model.json"

    result.model.save(path)
    loaded = LinkageModel.load(path)
    again = link_tables(left, right, model=loaded)

    saved = json.loads(path.read_text())
    assert saved["format"] == "sinergi-linkage-model"
    assert saved["model_hash"] == result.model.model_hash == loaded.model_hash
    assert saved["training"]["rows"] == [len(left), len(right)]
    assert saved["training"]["splink"] == "5.0.0"
    assert {(p.left_id, p.right_id) for p in again.matches} == {(p.left_id, p.right_id) for p in result.matches}


def test_it_trains_the_same_model_from_the_same_data(linked) -> None:  # type: ignore[no-untyped-def]
    result, left, right = linked

    assert link_tables(left, right).model.model_hash == result.model.model_hash


def test_it_refuses_a_model_edited_after_saving(linked, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result, _, _ = linked
    path = tmp_path / "model.json"
    result.model.save(path)
    data = json.loads(path.read_text())
    data["splink_settings"]["probability_two_random_records_match"] = 0.5
    path.write_text(json.dumps(data))

    with pytest.raises(LinkageError) as raised:
        LinkageModel.load(path)

    assert raised.value.issue.code is LinkageErrorCode.MODEL_INVALID
    assert "hash" in raised.value.issue.message_en


def test_it_applies_a_configured_threshold(linked) -> None:  # type: ignore[no-untyped-def]
    result, left, right = linked
    strict = link_tables(left, right, model=result.model, match_threshold=0.999)

    assert strict.model.match_threshold == 0.999
    assert len(strict.matches) <= len(result.matches)
    with pytest.raises(LinkageError):
        link_tables(left, right, model=result.model, match_threshold=1.5)


def test_it_falls_back_to_names_dates_and_other_ids_without_indonesian_fields(dataset) -> None:  # type: ignore[no-untyped-def]
    def plain(rows):  # type: ignore[no-untyped-def]
        return [
            {
                "id": row["id"],
                "full_name": row["full_name"],
                "birth_date": row["birth_date"],
                "other_id": row["passport"],
            }
            for row in rows
        ]

    fields = ("id", "full_name", "birth_date", "other_id")
    left = prepare_records(plain(dataset.left), fields=fields, today=TODAY)
    right = prepare_records(plain(dataset.right), fields=fields, today=TODAY)

    result = link_tables(left, right)

    assert result.model.features == {"name", "birth_date", "other_id"}
    precision, recall = scores(((p.left_id, p.right_id) for p in result.matches), dataset.truth)
    assert precision >= 0.9
    assert recall >= 0.8


def test_it_finds_duplicates_within_one_file(dataset) -> None:  # type: ignore[no-untyped-def]
    # One file holding the registry and the re-registrations: each true pair is one person twice.
    rows = dataset.left + dataset.right[:2000]
    truth = {(a, b) for a, b in dataset.truth if b in {row["id"] for row in dataset.right[:2000]}}
    table = prepare_records(rows, fields=FIELDS, today=TODAY)

    result = dedupe_table(table)

    cluster_of = dict(result.clusters)
    assert set(cluster_of) == {row["id"] for row in rows}
    together = {
        (a, b)
        for a in cluster_of
        for b in cluster_of
        if a.startswith("L") and b.startswith("R") and cluster_of[a] == cluster_of[b]
    }
    precision, recall = scores(together, truth)
    assert precision >= 0.95
    assert recall >= 0.9


def test_it_needs_names_to_compare(dataset) -> None:  # type: ignore[no-untyped-def]
    rows = [{"id": "1", "full_name": "", "nik": "7271055210900001"}, {"id": "2", "full_name": None}]
    table = prepare_records(rows, fields=("id", "full_name", "nik"), today=date(2026, 6, 1))

    with pytest.raises(LinkageError) as raised:
        dedupe_table(table)

    assert raised.value.issue.code is LinkageErrorCode.NO_NAME


def test_it_explains_each_pairs_score_field_by_field(linked) -> None:  # type: ignore[no-untyped-def]
    result, left, right = linked

    explained = link_tables(left, right, model=result.model, explain=True)

    assert explained.model.model_hash == result.model.model_hash
    best = explained.pairs[0]
    weights = dict(best.weights)
    assert list(weights) == [c["output_column_name"] for c in result.model.splink_settings["comparisons"]]
    assert weights["name"] > 0 and weights["birth_date"] > 0
    worst = explained.pairs[-1]
    assert sum(dict(worst.weights).values()) < sum(weights.values())
    assert result.pairs[0].weights == ()


@pytest.mark.parametrize("start_method", ["fork", "spawn"])
def test_it_prepares_the_same_features_in_several_processes_as_in_one(dataset, monkeypatch, start_method) -> None:  # type: ignore[no-untyped-def]
    # Registry and export rows together: valid, damaged, invalid and missing NIKs, dates, phones, regions.
    rows = [*dataset.right, *dataset.left]
    monkeypatch.setattr("sinergi.linkage.prepare._start_method", lambda: start_method)
    one = prepare_records(rows, fields=FIELDS, today=TODAY)

    several = prepare_records(rows, fields=FIELDS, today=TODAY, workers=2, chunk_rows=700)

    assert several.arrow.equals(one.arrow)
    assert several.report == one.report
    assert several.report.rows == len(rows)
    assert several.report.nik_excel_damaged > 0  # the reports merged are not empty ones
    assert several.fields == one.fields


def test_it_forks_only_a_process_with_one_thread_duckdbs_counted(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """An import's second chunk forked while DuckDB's threads from the first chunk's scoring were alive, and a
    worker died (BrokenProcessPool). DuckDB's threads are native: Python's ``threading`` does not list them."""
    import duckdb

    from sinergi.linkage import prepare

    monkeypatch.setattr(prepare, "_native_threads", lambda: 1)
    assert prepare._start_method() == "fork"
    monkeypatch.undo()
    connection = duckdb.connect()
    try:
        connection.execute("SET threads = 4")
        connection.execute("SELECT sum(range) FROM range(5000000)").fetchall()
        assert prepare._native_threads() > threading.active_count()
        assert prepare._start_method() == "spawn"
    finally:
        connection.close()


def test_it_reads_the_worker_count_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sinergi.linkage.prepare import default_workers

    monkeypatch.setenv("SINERGI_LINKAGE_WORKERS", "3")
    assert default_workers() == 3
    monkeypatch.setenv("SINERGI_LINKAGE_WORKERS", "0")
    with pytest.raises(ValueError, match="SINERGI_LINKAGE_WORKERS"):
        default_workers()
    monkeypatch.delenv("SINERGI_LINKAGE_WORKERS")
    assert default_workers() >= 1
