"""The Spark engine agrees with the DuckDB engine: same model, same inputs, same pairs, same probabilities.

Spark runs in local mode (two cores, two shuffle partitions, no web UI) in one
session for the whole module, on a few hundred synthetic records with known
truth (bench/linkage_data.py). Never skipped: pyspark is a dev dependency and
Java 17 is installed by scripts/ensure-java.
"""

from __future__ import annotations

import csv
import json
import logging
import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyspark.sql import SparkSession

from bench.linkage_data import FIELDS, TODAY, LinkageDataset, make_dataset
from sinergi.linkage import LinkageError, LinkageModel, dedupe_table, link_tables, prepare_records
from sinergi.linkage.cli import main
from sinergi.linkage.comparisons import BLOCKING_RULES, COMPARISONS, deterministic_rules_for, training_rules_for
from sinergi.linkage.issues import LinkageErrorCode
from sinergi.linkage.prepare import FEATURE_SOURCES, PreparationReport
from sinergi.linkage.similarity import jaro_winkler_similarities
from sinergi.linkage.spark import _jaro_winkler_udf, dedupe_spark, link_tables_spark, local_session, session_for
from sinergi.linkage.spark_sql import UntranslatableSQL, duckdb_settings, spark_condition, spark_settings

TOLERANCE = 1e-9


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    session = local_session("local[2]", shuffle_partitions=2, driver_memory="1g")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    # py4j says goodbye from __del__ at exit, after pytest has closed the streams its handlers knew.
    logging.getLogger("py4j").setLevel(logging.WARNING)


@pytest.fixture(scope="module")
def dataset() -> LinkageDataset:
    return make_dataset(150, 300, seed=11)


@pytest.fixture(scope="module")
def files(dataset: LinkageDataset, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("spark-inputs")
    paths = directory / "sisko.parquet", directory / "dtks.parquet"
    for path, rows in zip(paths, (dataset.left, dataset.right), strict=True):
        pq.write_table(pa.Table.from_pylist([{field: row.get(field) for field in FIELDS} for row in rows]), path)
    return paths


@pytest.fixture(scope="module")
def model(dataset: LinkageDataset) -> LinkageModel:
    """A model trained by the DuckDB engine on the same records."""
    return link_tables(prepared(dataset.left), prepared(dataset.right)).model


def prepared(rows: list[dict[str, str | None]]):  # type: ignore[no-untyped-def]
    return prepare_records(rows, fields=FIELDS, today=TODAY)


def read_pairs(path: Path) -> dict[tuple[str, str], dict[str, object]]:
    return {(row["left_id"], row["right_id"]): row for row in pq.read_table(path).to_pylist()}


def test_it_scores_every_pair_as_the_duckdb_engine_does(spark, dataset, files, model, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    duck = link_tables(prepared(dataset.left), prepared(dataset.right), model=model, explain=True)

    run = link_tables_spark(*files, spark=spark, out=tmp_path / "pairs", model=model, today=TODAY, explain=True)

    got = read_pairs(tmp_path / "pairs")
    want = {(pair.left_id, pair.right_id): pair for pair in duck.pairs}
    assert set(got) == set(want)  # every pair at or above the review threshold, no more
    assert {key for key, row in got.items() if row["match_probability"] >= model.match_threshold} == {
        (pair.left_id, pair.right_id) for pair in duck.matches
    }
    for key, pair in want.items():
        assert got[key]["match_probability"] == pytest.approx(pair.match_probability, abs=TOLERANCE)
        for name, weight in pair.weights:
            assert got[key][f"weight_{name}"] == pytest.approx(weight, abs=TOLERANCE)
    assert run.written == len(want) and run.matches == len(duck.matches)
    assert run.model.model_hash == model.model_hash
    found = {key for key, row in got.items() if row["match_probability"] >= model.match_threshold}
    assert len(found & dataset.truth) >= 0.9 * len(dataset.truth)
    assert run.reports["sisko.parquet"].rows == len(dataset.left)
    # The same counts of damaged values as the DuckDB engine's preparation.
    assert run.reports["sisko.parquet"].nik_excel_damaged == prepared(dataset.left).report.nik_excel_damaged > 0


def test_it_trains_a_model_the_duckdb_engine_runs_unchanged(spark, dataset, files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run = link_tables_spark(*files, spark=spark, out=tmp_path / "pairs", today=TODAY)
    path = tmp_path / "model.json"
    run.model.save(path)

    loaded = LinkageModel.load(path)
    duck = link_tables(prepared(dataset.left), prepared(dataset.right), model=loaded)

    saved = json.loads(path.read_text())["splink_settings"]
    assert saved["sql_dialect"] == "duckdb"
    assert "jaro_winkler_similarity" in json.dumps(saved) and "sinergi_jaro_winkler" not in json.dumps(saved)
    assert loaded.training["engine"] == "spark" and loaded.training["rows"] == [150, 300]
    for found in (
        {key for key, row in read_pairs(tmp_path / "pairs").items() if row["match_probability"] >= 0.9},
        {(pair.left_id, pair.right_id) for pair in duck.matches},
    ):
        assert len(found & dataset.truth) >= 0.9 * len(dataset.truth)
        assert len(found & dataset.truth) >= 0.95 * len(found)


def test_it_clusters_a_csv_file_from_the_command_line_as_the_duckdb_engine_does(  # type: ignore[no-untyped-def]
    spark, dataset, model, tmp_path: Path
) -> None:
    columns = {"id": "No", "full_name": "Nama PMI", "birth_date": "Tgl Lahir", "nik": "No KTP", "phone": "HP",
               "region_code": "Kode Wilayah"}  # fmt: skip
    rows = [dict(row) for row in dataset.left + dataset.right]
    rows[0]["id"] = "=HYPERLINK(1)"  # a formula a spreadsheet would run
    source = tmp_path / "pengaduan.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(columns.values())
        writer.writerows([[row.get(field) or "" for field in columns] for row in rows])
    model.save(tmp_path / "model.json")
    fields = tuple(columns)
    duck = dedupe_table(
        prepare_records([{f: row.get(f) for f in fields} for row in rows], fields=fields, today=TODAY), model=model
    )

    code = main(
        [
            *["spark", "dedupe", str(source), "--out", str(tmp_path / "clusters"), "--quiet", "--sep", ";"],
            *[
                "--pairs-out",
                str(tmp_path / "pairs"),
                "--output-format",
                "csv",
                "--model",
                str(tmp_path / "model.json"),
            ],
            *[argument for field, column in columns.items() for argument in ("--map", f"{column}={field}")],
        ]
    )

    assert code == 0
    header, *clusters = read_csv_folder(tmp_path / "clusters")
    assert header == ["id", "cluster_id"]
    assert len(clusters) == len(rows)
    ids = {record for record, _ in clusters}
    assert "'=HYPERLINK(1)" in ids and not any(record.startswith("=") for record in ids)
    unescaped = [(record.removeprefix("'"), cluster) for record, cluster in clusters]
    assert groups(unescaped) == groups(duck.clusters)
    header, *pairs = read_csv_folder(tmp_path / "pairs")
    assert header == ["left_id", "right_id", "match_probability"]
    # The command writes matches only, as `sinergi dedupe --pairs-out` does.
    assert len(pairs) == len([pair for pair in duck.pairs if pair.match_probability >= model.match_threshold])
    assert not (tmp_path / "clusters.work").exists()  # the work directory went with the run
    assert spark.getActiveSession() is spark  # the test's session was used, and not stopped


def read_csv_folder(folder: Path) -> list[list[str]]:
    rows: list[list[str]] = []
    for part in sorted(folder.glob("part-*.csv")):
        with part.open(encoding="utf-8", newline="") as handle:
            rows.extend(row for row in csv.reader(handle) if not rows or row != rows[0])
    return rows


def groups(clusters) -> set[frozenset[str]]:  # type: ignore[no-untyped-def]
    members: dict[str, set[str]] = {}
    for record, cluster in clusters:
        members.setdefault(cluster, set()).add(record)
    return {frozenset(group) for group in members.values()}


def test_it_refuses_inputs_without_usable_ids(spark, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    def write(name: str, ids: list[str | None]) -> Path:
        path = tmp_path / name
        names = ["Siti Aminah", "Budi Santoso", "Ani Lamba", "Yohana Tandi", "Ida Ayu"][: len(ids)]
        pq.write_table(pa.table({"Nomor": pa.array(ids, pa.string()), "Nama": names}), path)
        return path

    def refusal(path: Path, mapping: dict[str, str]) -> LinkageErrorCode:
        with pytest.raises(LinkageError) as raised:
            dedupe_spark(path, spark=spark, out=tmp_path / "out", mapping=mapping)
        assert raised.value.issue.message_id and raised.value.issue.message_en
        return raised.value.issue.code

    assert refusal(write("no-id.parquet", ["1", "2"]), {"full_name": "Nama"}) is LinkageErrorCode.NO_ID
    assert refusal(write("empty.parquet", ["1", None, " "]), {"id": "Nomor", "full_name": "Nama"}) is (
        LinkageErrorCode.EMPTY_ID
    )
    with pytest.raises(LinkageError) as twice:
        dedupe_spark(write("twice.parquet", ["1", "2", "2", " 3", "3"]), spark=spark, out=tmp_path / "out",
                     mapping={"id": "Nomor", "full_name": "Nama"})  # fmt: skip
    assert twice.value.issue.code is LinkageErrorCode.DUPLICATE_ID
    assert "2 (2x); 3 (2x)" in twice.value.issue.message_en
    assert refusal(tmp_path / "nowhere.parquet", {}) is LinkageErrorCode.FILE_NOT_FOUND
    assert refusal(write("no-name.parquet", ["1"]), {"id": "Nomor", "full_name": "Nama Lengkap"}) is (
        LinkageErrorCode.UNKNOWN_COLUMN
    )
    assert not list(tmp_path.glob("out.work/run-*"))  # nothing left behind


def test_it_gives_translated_functions_duckdbs_meaning(spark) -> None:  # type: ignore[no-untyped-def]
    rng = random.Random(3)
    rows = []
    for _ in range(300):
        a = "".join(rng.choice("72100") for _ in range(16))
        b = "".join(ch if rng.random() < 0.8 else rng.choice("0123456789") for ch in a)
        tokens = sorted({rng.choice("abcdef") for _ in range(rng.randint(0, 3))})
        others = sorted({rng.choice("abcdef") for _ in range(rng.randint(0, 3))})
        day = date(1990, 1, 1) + timedelta(days=rng.randint(0, 60))
        other = day + timedelta(days=rng.randint(-6, 6))
        name_a = "".join(rng.choice("aiu ndrst") for _ in range(rng.randint(1, 12)))
        name_b = "".join(rng.choice("aiu ndrst") for _ in range(rng.randint(1, 12)))
        rows.append((len(rows), a, b, tokens, others, day, other, name_a, name_b))
    rows.append((len(rows), None, "7271055210900001", [], ["a"], None, date(1990, 1, 1), None, "siti"))
    conditions = [
        "hamming(a_l, a_r) <= 1",
        "hamming(a_l, a_r) <= 2",
        "hamming(a_l, a_r) <= 3",
        "list_has_all(t_l, t_r)",
        "list_has_any(t_l, t_r)",
        "(list_has_all(t_l, t_r) OR list_has_all(t_r, t_l)) AND list_has_any(t_l, t_r)",
        "abs(date_diff('day', d_l, d_r)) <= 3",
        "year(d_l) = year(d_r) AND month(d_l) = day(d_r)",
        "jaro_winkler_similarity(n_l, n_r) >= 0.88",
        "jaro_winkler_similarity(n_l, n_r) >= 0.7",
    ]
    columns = ["k", "a_l", "a_r", "t_l", "t_r", "d_l", "d_r", "n_l", "n_r"]
    table = pa.Table.from_pylist([dict(zip(columns, row, strict=True)) for row in rows])
    connection = duckdb.connect()
    connection.register("pairs", table)
    spark.udf.register("sinergi_jaro_winkler", _jaro_winkler_udf())
    spark.createDataFrame(table).createOrReplaceTempView("pairs")
    select = ", ".join(f"coalesce({condition}, false)" for condition in conditions)
    spark_select = ", ".join(f"coalesce({spark_condition(condition)}, false)" for condition in conditions)

    want = connection.execute(f"SELECT {select} FROM pairs ORDER BY k").fetchall()
    got = [tuple(row) for row in spark.sql(f"SELECT {spark_select} FROM pairs ORDER BY k").collect()]

    assert got == want
    assert {row[0] for row in want} == {True, False}  # both outcomes were exercised


def test_it_uses_the_session_it_finds_and_refuses_a_cluster_master(spark) -> None:  # type: ignore[no-untyped-def]
    assert session_for(None) == (spark, False)
    assert session_for("local[1]") == (spark, False)
    with pytest.raises(LinkageError) as raised:
        session_for("spark://cluster:7077")
    assert raised.value.issue.code is LinkageErrorCode.SPARK_SETUP
    assert "spark-submit" in raised.value.issue.message_en


# Without Spark: the translation itself.


def test_it_translates_every_comparison_level_and_rule() -> None:
    features = set(FEATURE_SOURCES)
    conditions = [
        level["sql_condition"]
        for build in COMPARISONS.values()
        for gated in (True, False)
        for level in build(gated)["comparison_levels"]
    ]
    rules = [rule for rule, _ in BLOCKING_RULES] + training_rules_for(features) + deterministic_rules_for(features)

    translated = [spark_condition(text) for text in conditions + rules]

    joined = " ".join(translated).lower()
    for duckdb_only in ("list_has_any", "list_has_all", "hamming", "jaro_winkler_similarity", "date_diff"):
        assert duckdb_only not in joined
    assert "sinergi_jaro_winkler(" in joined and "arrays_overlap(" in joined


def test_it_refuses_a_function_it_has_no_spark_rewrite_for() -> None:
    with pytest.raises(UntranslatableSQL, match="list_cosine_similarity"):
        spark_condition("list_cosine_similarity(a_l, a_r) > 0.5")
    with pytest.raises(UntranslatableSQL, match=r"(?i)month"):
        spark_condition("date_diff('month', a_l, a_r) < 2")


def test_it_saves_a_spark_trained_model_in_duckdbs_sql(model: LinkageModel) -> None:
    canonical = model.splink_settings
    trained = spark_settings(canonical)
    for comparison in trained["comparisons"]:
        for level in comparison["comparison_levels"]:
            level["m_probability"] = 0.5

    restored = duckdb_settings(trained, canonical)

    assert restored["sql_dialect"] == "duckdb"
    assert restored["blocking_rules_to_generate_predictions"] == canonical["blocking_rules_to_generate_predictions"]
    levels = [level for comparison in restored["comparisons"] for level in comparison["comparison_levels"]]
    originals = [level for comparison in canonical["comparisons"] for level in comparison["comparison_levels"]]
    assert [level["sql_condition"] for level in levels] == [level["sql_condition"] for level in originals]
    assert {level["m_probability"] for level in levels} == {0.5}


_TEXT = st.text(alphabet="abdeiklmnorstuy ", max_size=14)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_TEXT | st.none(), _TEXT | st.none()), min_size=1, max_size=20))
def test_its_jaro_winkler_is_duckdbs(pairs: list[tuple[str | None, str | None]]) -> None:
    left, right = [a for a, _ in pairs], [b for _, b in pairs]
    want = [
        row[0]
        for row in duckdb.execute(
            "SELECT jaro_winkler_similarity(a, b) FROM (SELECT unnest($1) AS a, unnest($2) AS b)", [left, right]
        ).fetchall()
    ]

    got = jaro_winkler_similarities(left, right)

    # The same arithmetic in another order: equal to the last bit or two, never across a cut-off.
    assert [None if value is None else round(value, 12) for value in got] == [
        None if value is None else round(value, 12) for value in want
    ]


def test_it_adds_up_reports_of_batches() -> None:
    first, second = PreparationReport(rows=3, nik_invalid=1), PreparationReport(rows=2, nik_invalid=2, phone_invalid=1)
    first.note("nik_invalid", "1")
    for value in ("2", "3", "4"):
        second.note("nik_invalid", value)

    first.merge(second)

    assert (first.rows, first.nik_invalid, first.phone_invalid) == (5, 3, 1)
    assert first.examples["nik_invalid"] == ["1", "2", "3"]
