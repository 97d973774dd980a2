"""The model's SQL for Spark: DuckDB conditions and blocking rules rewritten as Spark SQL.

The comparisons and rules of :mod:`sinergi.linkage.comparisons`, and every
saved model, are written once, in DuckDB's SQL. Spark runs the same model
after these rewrites (each keeps DuckDB's meaning, NULLs included):

================================  =========================================================
DuckDB                            Spark
================================  =========================================================
``jaro_winkler_similarity(a, b)``  ``sinergi_jaro_winkler(a, b)`` (DuckDB's own, see below)
``list_has_any(a, b)``             ``arrays_overlap(a, b)``
``list_has_all(a, b)``             ``size(array_except(b, a)) = 0`` (every item of b is in a)
``hamming(a, b)``                  characters that differ, position by position (Spark has none)
``date_diff('day', a, b)``         ``datediff(b, a)``
================================  =========================================================

Everything else the model uses (``year``, ``month``, ``day``, ``levenshtein``,
``coalesce``, ``abs``) is the same in both. A condition calling any other
function is refused rather than sent to Spark to fail later (or, worse, to
mean something else there).

``sinergi_jaro_winkler`` is registered by :mod:`sinergi.linkage.spark`: the
jar that ships with Splink has a ``jaro_winkler`` that counts transpositions
differently from DuckDB and would score some names on another level (see
:mod:`sinergi.linkage.similarity`).
"""

from __future__ import annotations

import copy
from typing import Any, Final

import sqlglot
from sqlglot import exp

JARO_WINKLER_FUNCTION: Final = "sinergi_jaro_winkler"
# Functions Spark knows under the name the rewrite gives them; anything else
# left as an unknown ("anonymous") call after the rewrite is refused.
_SPARK_FUNCTIONS: Final = frozenset(
    {
        JARO_WINKLER_FUNCTION,
        "arrays_overlap",
        "size",
        "array_except",
        "aggregate",
        "zip_with",
        "datediff",
    }
)


class UntranslatableSQL(ValueError):
    """A condition uses a DuckDB function this module has no Spark rewrite for."""


def spark_condition(condition: str) -> str:
    """One DuckDB condition (a comparison level or a blocking rule) as Spark SQL."""
    if condition.strip().upper() == "ELSE":
        return condition
    tree = sqlglot.parse_one(condition, read="duckdb").transform(_rewrite)
    unknown = sorted(
        {node.name.lower() for node in tree.find_all(exp.Anonymous)} - _SPARK_FUNCTIONS,
    )
    if unknown:
        raise UntranslatableSQL(f"no Spark rewrite for {', '.join(unknown)} in: {condition}")
    return tree.sql(dialect="spark")


def spark_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """A copy of Splink settings (a saved model's or new ones) whose SQL Spark runs."""
    translated = copy.deepcopy(settings)
    translated["sql_dialect"] = "spark"
    for comparison in translated.get("comparisons", []):
        for level in comparison["comparison_levels"]:
            level["sql_condition"] = spark_condition(level["sql_condition"])
    translated["blocking_rules_to_generate_predictions"] = [
        _spark_rule(rule) for rule in translated.get("blocking_rules_to_generate_predictions", [])
    ]
    return translated


def duckdb_settings(trained: dict[str, Any], canonical: dict[str, Any]) -> dict[str, Any]:
    """Settings trained on Spark, with the SQL put back as ``canonical`` (DuckDB) wrote it.

    A model is always saved in DuckDB's SQL, whichever engine trained it, so
    one saved model serves both engines and its hash does not depend on where
    it was trained. Only the SQL is taken from ``canonical``; the trained
    probabilities stay.
    """
    restored = copy.deepcopy(trained)
    restored["sql_dialect"] = canonical.get("sql_dialect", "duckdb")
    comparisons, originals = restored["comparisons"], canonical["comparisons"]
    if [len(c["comparison_levels"]) for c in comparisons] != [len(c["comparison_levels"]) for c in originals]:
        raise ValueError("the trained settings do not have the comparisons they were trained from")
    for comparison, original in zip(comparisons, originals, strict=True):
        for level, original_level in zip(comparison["comparison_levels"], original["comparison_levels"], strict=True):
            level["sql_condition"] = original_level["sql_condition"]
            if "sql_dialect" in level:
                level["sql_dialect"] = restored["sql_dialect"]
    restored["blocking_rules_to_generate_predictions"] = [
        _restored_rule(rule, original, restored["sql_dialect"])
        for rule, original in zip(
            restored["blocking_rules_to_generate_predictions"],
            canonical["blocking_rules_to_generate_predictions"],
            strict=True,
        )
    ]
    return restored


def _restored_rule(rule: str | dict[str, Any], original: str | dict[str, Any], dialect: str) -> str | dict[str, Any]:
    text = original if isinstance(original, str) else original["blocking_rule"]
    if isinstance(rule, str):
        return text
    # Splink saves each rule as {"blocking_rule": ..., "sql_dialect": ...}: keep that shape.
    return {**rule, "blocking_rule": text, "sql_dialect": dialect}


def _spark_rule(rule: str | dict[str, Any]) -> str | dict[str, Any]:
    if isinstance(rule, str):
        return spark_condition(rule)
    return {**rule, "blocking_rule": spark_condition(rule["blocking_rule"]), "sql_dialect": "spark"}


def _rewrite(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.JarowinklerSimilarity):
        return exp.Anonymous(this=JARO_WINKLER_FUNCTION, expressions=[node.this, node.expression])
    if isinstance(node, exp.ArrayOverlaps):
        return exp.Anonymous(this="arrays_overlap", expressions=[node.this, node.expression])
    if isinstance(node, exp.DateDiff):
        unit = node.args.get("unit")
        if unit is not None and unit.name.lower() != "day":
            raise UntranslatableSQL(f"date_diff in {unit.name} is not rewritten for Spark")
        # sqlglot keeps DuckDB's date_diff('day', a, b) as this=b, expression=a: b - a, as Spark's datediff(b, a).
        return exp.Anonymous(this="datediff", expressions=[node.this, node.expression])
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        arguments = node.expressions
        if name == "list_has_any":
            return exp.Anonymous(this="arrays_overlap", expressions=arguments)
        if name == "list_has_all":
            container, items = arguments
            return exp.paren(_spark(f"size(array_except({_sql(items)}, {_sql(container)})) = 0"), copy=False)
        if name == "hamming":
            left, right = (_sql(argument) for argument in arguments)
            # Character pairs that differ. NULL in, NULL out (as DuckDB). DuckDB refuses strings of
            # different lengths; here only the common positions count (the model compares lengths
            # first). Not sequence()/substr(): Spark generates some 17,000 lines of Java for that,
            # more than a method may hold, and falls back to interpreting the whole comparison.
            return _spark(
                f"aggregate(zip_with(split({left}, ''), split({right}, ''), (x, y) -> x <> y), 0, "
                "(acc, differs) -> acc + IF(differs, 1, 0))"
            )
    return node


def _sql(node: exp.Expr) -> str:
    return node.sql(dialect="spark")


def _spark(text: str) -> exp.Expr:
    return sqlglot.parse_one(text, read="spark")
