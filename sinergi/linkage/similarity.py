"""Jaro-Winkler similarity exactly as DuckDB's ``jaro_winkler_similarity`` computes it, for other engines.

Implementations of Jaro-Winkler disagree on a detail that moves pairs across
the model's cut-offs: DuckDB (a port of rapidfuzz) counts half the
transpositions rounded down, the UDF jar that ships with Splink for Spark does
not ("fisal"/"faisal": 0.89 in DuckDB, 0.86 in the jar; the name comparison's
cut-off is 0.88). The Spark engine therefore computes it with rapidfuzz, batch
by batch, so that a model scores a pair the same on both engines. DuckDB gives
0 when either string is empty, rapidfuzz 1 for two empty strings; that case
follows DuckDB here (the features never hold empty strings, but the function
should not depend on it). A property test keeps this equal to DuckDB.
"""

from __future__ import annotations

from collections.abc import Sequence

from rapidfuzz.distance import JaroWinkler
from rapidfuzz.process import cpdist


def jaro_winkler_similarities(left: Sequence[str | None], right: Sequence[str | None]) -> list[float | None]:
    """DuckDB's ``jaro_winkler_similarity`` of each pair ``left[i]``, ``right[i]``; None where either is None."""
    if len(left) != len(right):
        raise ValueError(f"{len(left)} left values for {len(right)} right values")
    both = [i for i, (a, b) in enumerate(zip(left, right, strict=True)) if a and b]
    out: list[float | None] = [None if a is None or b is None else 0.0 for a, b in zip(left, right, strict=True)]
    if both:
        scores = cpdist(
            [left[i] for i in both],
            [right[i] for i in both],
            scorer=JaroWinkler.normalized_similarity,
            dtype="float64",  # the default, float32, would round the cut-offs
        )
        for i, score in zip(both, scores.tolist(), strict=True):
            out[i] = score
    return out
