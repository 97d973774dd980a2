"""What each blocking rule costs and finds (issue 14, part 3): candidate pairs against true pairs, rule by rule.

    python -m bench.linkage_rules [100000x1000000]

On the own set (bench_linkage_scale's data, cached), prepared as `sinergi link` prepares it, in DuckDB: for each
prediction blocking rule (comparisons.blocking_rules_for, in order) the pairs it adds to those of the rules
before it (Splink scores a pair once, for the first rule that lets it through), how many true pairs it lets
through, and how many only it does. A rule with millions of new pairs and few true pairs of its own is where
scoring time goes for nothing: this is how the address rules were found to make 9.2 of 13.1 million pairs at
100,000 x 1,000,000 for 6 true pairs (docs/benchmarks.md, "After run D"). Not part of `make bench`: it measures
no peer. Loose rules (comparisons.LOOSE_BLOCKING_KEYS) are a run's choice and are not listed.
"""

from __future__ import annotations

import sys
import time


def main() -> int:
    import duckdb
    import pyarrow as pa  # type: ignore[import-untyped]

    from bench.bench_linkage_scale import _dataset
    from bench.linkage_data import FIELDS, TODAY
    from sinergi.linkage import prepare_records
    from sinergi.linkage.comparisons import blocking_rules_for
    from sinergi.linkage.prepare import default_workers, mark_run_counts

    size = sys.argv[1] if len(sys.argv) > 1 else "10000x100000"
    n_left, n_right = (int(part) for part in size.lower().split("x"))
    dataset = _dataset(n_left, n_right)
    left = prepare_records(dataset.left, fields=FIELDS, today=TODAY, workers=default_workers())
    right = prepare_records(dataset.right, fields=FIELDS, today=TODAY, workers=default_workers())
    features = mark_run_counts([left, right])  # as a link run does before scoring
    rules = blocking_rules_for(features)
    connection = duckdb.connect()
    connection.register("left_arrow", left.arrow)
    connection.register("right_arrow", right.arrow)
    connection.execute("CREATE TABLE l AS SELECT * FROM left_arrow")
    connection.execute("CREATE TABLE r AS SELECT * FROM right_arrow")
    connection.register("truth", pa.table({"lid": [a for a, _ in dataset.truth], "rid": [b for _, b in dataset.truth]}))
    flags = ", ".join(f"coalesce(({rule}), false) AS r{i}" for i, rule in enumerate(rules))
    connection.execute(
        f"CREATE TABLE tp AS SELECT {flags} FROM truth t JOIN l ON l.unique_id = t.lid JOIN r ON r.unique_id = t.rid"
    )
    print(f"{size}: {len(dataset.truth):,} true pairs; {len(rules)} rules")
    print("| new pairs | true pairs | only this rule | seconds | rule |")
    print("|---:|---:|---:|---:|---|")
    before: list[str] = []
    total = 0
    for i, rule in enumerate(rules):
        started = time.perf_counter()
        not_before = " AND ".join(f"NOT coalesce(({earlier}), false)" for earlier in before) or "true"
        join = rule.split(" AND ")[0]  # every rule begins with its equality
        [(pairs,)] = connection.execute(
            f"SELECT count(*) FROM l JOIN r ON {join} WHERE ({rule}) AND {not_before}"
        ).fetchall()
        others = " OR ".join(f"r{j}" for j in range(len(rules)) if j != i) or "false"
        [(found, only)] = connection.execute(
            f"SELECT count(*) FILTER (WHERE r{i}), count(*) FILTER (WHERE r{i} AND NOT ({others})) FROM tp"
        ).fetchall()
        total += pairs
        print(f"| {pairs:,} | {found:,} | {only:,} | {time.perf_counter() - started:.1f} | `{rule}` |", flush=True)
        before.append(rule)
    any_rule = " OR ".join(f"r{i}" for i in range(len(rules)))
    [(let_through,)] = connection.execute(f"SELECT count(*) FILTER (WHERE {any_rule}) FROM tp").fetchall()
    print(f"candidate pairs {total:,}; true pairs let through {let_through:,} of {len(dataset.truth):,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
