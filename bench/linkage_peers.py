"""The two peers bench_linkage measures Sinergi's linker against, each set up the standard way.

* **Generic Splink 5**: the tutorial model with no Indonesian knowledge. Names
  lower-cased and compared whole (``NameComparison``: exact, Jaro-Winkler
  levels), birth dates parsed as ISO or day/month/year
  (``DateOfBirthComparison``), NIK, passport and phone compared exactly as
  written (digits only for phones). Blocking on NIK, phone, whole name with
  birth year, and birth date with the name's first two letters; u by random
  sampling, m by EM on name-and-year and on birth date blocks. (A whole-name
  block alone makes fifty million pairs of Siti Aminahs at full size.)
* **recordlinkage 0.16**: blocking on birth date and on whole name with birth year,
  Jaro-Winkler name agreement (>= 0.85) and exact comparisons of birth date,
  sex, NIK, phone, passport and village as binary features, classified by
  the unsupervised ECM classifier.

Both get the same rows as Sinergi, as text, exactly as the agencies wrote them.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime
from typing import Any

from bench.linkage_data import Row

_NOT_DIGIT = re.compile(r"\D")


def _generic_date(text: str | None) -> str | None:
    """ISO or DD/MM/YYYY, as a generic pipeline parses dates; anything else is missing."""
    if not text:
        return None
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, pattern).date().isoformat()
        except ValueError:
            continue
    return None


def _generic_rows(rows: list[Row]) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {
        "unique_id": [],
        "full_name": [],
        "name_start": [],
        "birth_date": [],
        "birth_year": [],
        "sex": [],
        "nik": [],
        "passport": [],
        "phone": [],
        "region_code": [],
    }
    for row in rows:
        name = " ".join((row["full_name"] or "").lower().split()) or None
        phone = _NOT_DIGIT.sub("", row["phone"] or "") or None
        columns["unique_id"].append(row["id"])
        columns["full_name"].append(name)
        columns["name_start"].append(name[:2] if name else None)
        birth = _generic_date(row["birth_date"])
        columns["birth_date"].append(birth)
        columns["birth_year"].append(birth[:4] if birth else None)
        columns["sex"].append(row["sex"])
        columns["nik"].append((row["nik"] or "").strip() or None)
        columns["passport"].append((row["passport"] or "").strip().upper() or None)
        columns["phone"].append(phone[-10:] if phone else None)
        columns["region_code"].append(row["region_code"])
    return columns


def generic_splink(left: list[Row], right: list[Row] | None, threshold: float) -> set[tuple[str, str]]:
    """Pairs (left id, right id) at or above ``threshold``; ``right=None`` deduplicates ``left`` (ids sorted)."""
    import duckdb
    import pyarrow as pa  # type: ignore[import-untyped]
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    database = DuckDBAPI(duckdb.connect())
    inputs = ((left, "l"),) if right is None else ((left, "l"), (right, "r"))
    frames = [
        database.register(pa.table(_generic_rows(rows)), dataset_display_name=name, table_name=f"generic_{name}")
        for rows, name in inputs
    ]
    settings = SettingsCreator(
        link_type="dedupe_only" if right is None else "link_only",
        comparisons=[
            cl.NameComparison("full_name"),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nik"),
            cl.ExactMatch("passport"),
            cl.ExactMatch("phone"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("nik"),
            block_on("phone"),
            block_on("full_name", "birth_year"),
            block_on("birth_date", "name_start"),
        ],
        retain_matching_columns=False,
    )
    database.duckdb_con.execute("SET enable_progress_bar = false")
    linker = Linker(frames, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nik"), block_on("full_name", "birth_date")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("full_name", "birth_year"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("birth_date"))
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    if right is None:
        pairs = database.duckdb_con.execute(f"SELECT unique_id_l, unique_id_r FROM {predictions.physical_name}")
        return {(a, b) if a < b else (b, a) for a, b in pairs.fetchall()}
    rows = database.duckdb_con.execute(
        f"SELECT source_dataset_l, unique_id_l, unique_id_r FROM {predictions.physical_name}"
    ).fetchall()
    return {(a, b) if source == "l" else (b, a) for source, a, b in rows}


def record_linkage_toolkit(left: list[Row], right: list[Row] | None) -> set[tuple[str, str]]:
    """Pairs (left id, right id) ECM calls matches; ``right=None`` deduplicates ``left`` (ids sorted)."""
    import pandas as pd  # type: ignore[import-untyped]
    import recordlinkage  # type: ignore[import-untyped]
    from recordlinkage.classifiers import ECMClassifier  # type: ignore[import-untyped]

    frames = []
    for rows in (left,) if right is None else (left, right):
        columns = _generic_rows(rows)
        frame = pd.DataFrame(columns).set_index("unique_id")
        frames.append(frame)
    first, second = frames[0], frames[-1]
    indexer = recordlinkage.Index()
    indexer.block("birth_date")
    indexer.block(["full_name", "birth_year"])
    candidates = indexer.index(first) if right is None else indexer.index(first, second)
    compare = recordlinkage.Compare()
    compare.string("full_name", "full_name", method="jarowinkler", threshold=0.85, label="name")
    compare.exact("birth_date", "birth_date", label="birth_date")
    compare.exact("sex", "sex", label="sex")
    compare.exact("nik", "nik", label="nik")
    compare.exact("phone", "phone", label="phone")
    compare.exact("passport", "passport", label="passport")
    compare.exact("region_code", "region_code", label="village")
    features = compare.compute(candidates, first) if right is None else compare.compute(candidates, first, second)
    classifier = ECMClassifier(binarize=None)
    matches = classifier.fit_predict(features)
    if right is None:
        return {(str(a), str(b)) if str(a) < str(b) else (str(b), str(a)) for a, b in matches}
    return {(str(a), str(b)) for a, b in matches}
