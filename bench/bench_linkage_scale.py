"""Linkage at national scale (issue 14, part 3): preparation in several processes, a million rows deduplicated.

Data: the project's own linkage set (bench/linkage_data.py, seed 7; cached on disk from 200,000 rows, see
bench/linkage_cache.py). Measurements, each method in its own process, one right after the other:

* **prepare** (full run only; ``SINERGI_BENCH_SCALE_PREPARE=300000``): preparation alone on the first
  300,000 registry rows, one process then one per core, twice over, in this process.

* **link**: the export (100,000 rows; quick 500) against the registry (1,000,000; quick 5,000) with
  Sinergi preparing features in one process ("before") and in one process per core ("after",
  ``sinergi.linkage.prepare.default_workers``), on the same rows.
* **dedupe**: the same set's rows together (1,100,000; quick 3,300) deduplicated within themselves, as
  ``sinergi dedupe`` does (``dedupe_table``), and by both peers (generic Splink 5 with ``dedupe_only``,
  recordlinkage with its one-table index), each stopped if its processes pass the memory limit.
* **big** (only when ``SINERGI_BENCH_SCALE_BIG=1000000x5000000`` is set: generating it takes a long while):
  a larger link, Sinergi only, under the same limit.

Each process tree is watched from here: its memory summed over the method's process and its workers
(proportional set size, so pages forked workers share count once), sampled every half second; above
``SINERGI_BENCH_MEMORY_GB`` (default 10) the tree is killed and the row says so. CPU seconds are the method's
process plus its finished workers (user + system), so a parallel run's cost is visible beside its wall time
on shared cores. Load averages are printed before and after each method. Sizes:
``SINERGI_BENCH_SCALE_LINK=100000x1000000``, ``SINERGI_BENCH_SCALE_DEDUPE=100000x900000`` (the rows of a
link set of that shape), ``0`` skips a part; ``SINERGI_BENCH_SCALE_METHODS=sinergi,recordlinkage`` runs only those.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import time
from pathlib import Path
from typing import Any, Final

from bench.linkage_cache import cached
from bench.linkage_data import FIELDS, TODAY, LinkageDataset, make_dataset

THRESHOLD: Final = 0.9
SEED: Final = 7
FULL: Final = {"prepare": "300000", "link": "100000x1000000", "dedupe": "100000x1000000", "big": "0"}
QUICK: Final = {"prepare": "0", "link": "500x5000", "dedupe": "300x3000", "big": "0"}
LABELS: Final = {
    "sinergi_one": "Sinergi, preparation in 1 process (before)",
    "sinergi": "Sinergi, preparation in one process per core (after)",
    "generic_splink": "generic Splink 5",
    "recordlinkage": "recordlinkage 0.16",
}


def run(*, quick: bool = False) -> None:
    plan = QUICK if quick else FULL
    sizes = {part: os.environ.get(f"SINERGI_BENCH_SCALE_{part.upper()}", default) for part, default in plan.items()}
    limit_gb = float(os.environ.get("SINERGI_BENCH_MEMORY_GB", "10"))
    print(f"memory limit per method: {limit_gb:g} GB (process tree, sampled); cores: {os.cpu_count()}")
    if sizes["prepare"] != "0":
        _prepare_only(int(sizes["prepare"]), sizes["link"])
    parts: tuple[tuple[str, tuple[str, ...]], ...] = (
        ("link", ("sinergi_one", "sinergi")),
        ("dedupe", ("sinergi", "generic_splink", "recordlinkage")),
        ("big", ("sinergi",)),
    )
    only = os.environ.get("SINERGI_BENCH_SCALE_METHODS")  # e.g. "sinergi,generic_splink"
    for part, planned in parts:
        methods = tuple(method for method in planned if not only or method in only.split(","))
        if sizes[part] == "0" or not methods:
            continue
        n_left, n_right = (int(value) for value in sizes[part].lower().split("x"))
        started = time.perf_counter()
        truth = len(_dataset(n_left, n_right).truth)  # generated (or read from the cache) once, here
        rows = n_left + n_right
        if part == "dedupe":
            print(f"\n{part}: {rows:,} rows (export and registry together) deduplicated, {truth:,} true pairs")
        else:
            print(f"\n{part}: {n_left:,} export rows linked to {n_right:,} registry rows, {truth:,} true pairs")
        print(f"  (data ready in {time.perf_counter() - started:.0f} s, not timed below)")
        print(
            "| method | wall (s) | CPU (s) | preparation (s) | peak memory (MB, PSS) | precision | recall | F1 | "
            "load before | load after |"
        )
        print("|---|---:|---:|---:|---:|---:|---:|---:|---|---|")
        for method in methods:
            result = _in_child(part, method, n_left, n_right, limit_gb)
            if "stopped" in result:
                print(
                    f"| {LABELS[method]} | {result['seconds']:.0f} (stopped) | | | > {limit_gb * 1024:,.0f} | | | | "
                    f"{result['load_before']} | {result['load_after']} |",
                    flush=True,
                )
                continue
            print(
                f"| {LABELS[method]} | {result['seconds']:.1f} | {result['cpu']:.1f} | "
                f"{result.get('prepare', 0.0):.1f} | {result['peak_mb']:,.0f} | {result['precision']:.4f} | "
                f"{result['recall']:.4f} | {result['f1']:.4f} | {result['load_before']} | {result['load_after']} |",
                flush=True,
            )
            if "timings" in result:
                stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result["timings"].items())
                print(f"|   ({stages}) | | | | | | | | | |", flush=True)


def _prepare_only(rows: int, link_size: str) -> None:
    """Preparation alone on the first ``rows`` registry rows: one process, then one per core, twice over."""
    from sinergi.linkage import prepare_records
    from sinergi.linkage.prepare import default_workers

    n_left, n_right = (int(value) for value in link_size.lower().split("x"))
    records = _dataset(n_left, n_right).right[:rows]
    print(f"\nprepare: the first {len(records):,} registry rows, one process against {default_workers()}")
    print("| workers | wall (s) | CPU (s, process and workers) | load before | load after |")
    print("|---:|---:|---:|---|---|")
    first: dict[int, Any] = {}
    for workers in (1, default_workers(), 1, default_workers()):
        load_before, started, cpu = _load(), time.perf_counter(), _cpu()
        table = prepare_records(records, fields=FIELDS, today=TODAY, workers=workers)
        seconds, spent = time.perf_counter() - started, _cpu() - cpu
        print(f"| {workers} | {seconds:.1f} | {spent:.1f} | {load_before} | {_load()} |", flush=True)
        first.setdefault(workers, table)
    tables = list(first.values())
    same = all(table.arrow.equals(tables[0].arrow) and table.report == tables[0].report for table in tables)
    print(f"same columns and report from both: {same}")


def _dataset(n_left: int, n_right: int) -> LinkageDataset:
    return cached(f"own-{n_left}x{n_right}-{SEED}", n_left + n_right, lambda: make_dataset(n_left, n_right, seed=SEED))


def _in_child(part: str, method: str, n_left: int, n_right: int, limit_gb: float) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    load_before = _load()
    started = time.perf_counter()
    process = context.Process(target=_child, args=(part, method, n_left, n_right, queue))
    process.start()
    peak = 0
    result: dict[str, Any] | None = None
    while result is None:
        try:
            result = queue.get(timeout=0.5)
        except Exception:  # queue.Empty: still running
            if not process.is_alive():
                result = {"error": f"exit code {process.exitcode}"}
                break
            tree = _tree_rss(process.pid or 0)
            peak = max(peak, tree)
            if tree > limit_gb * 1024**3:
                _kill_tree(process.pid or 0)
                process.join()
                return {
                    "stopped": True,
                    "seconds": time.perf_counter() - started,
                    "load_before": load_before,
                    "load_after": _load(),
                }
    process.join()
    if "error" in result:
        raise RuntimeError(f"{method} failed: {result['error']}")
    # The sampled tree peak, or the process's own peak if it finished between samples.
    result["peak_mb"] = max(peak / 1024**2, result["own_peak_mb"])
    result["load_before"], result["load_after"] = load_before, _load()
    print(f"  {LABELS[method]}: {result['seconds']:.1f} s, F1 {result['f1']:.4f}", flush=True)
    return result


def _child(part: str, method: str, n_left: int, n_right: int, queue: Any) -> None:
    try:
        dataset = _dataset(n_left, n_right)
        started, cpu = time.perf_counter(), _cpu()
        extra: dict[str, Any] = {}
        if part == "dedupe":
            rows = [*dataset.left, *dataset.right]
            del dataset.left[:], dataset.right[:]
            truth = frozenset(_ordered(pair) for pair in dataset.truth)
            found = _dedupe(method, rows, extra)
        else:
            truth = dataset.truth
            found = _link(method, dataset, extra)
        queue.put(
            {
                **_scores(found, truth),
                **extra,
                "seconds": time.perf_counter() - started,
                "cpu": _cpu() - cpu,
                "own_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    except Exception as error:  # report any failure to the parent instead of hanging it
        queue.put({"error": repr(error)})
        raise


def _link(method: str, dataset: LinkageDataset, extra: dict[str, Any]) -> set[tuple[str, str]]:
    from sinergi.linkage import link_tables, prepare_records
    from sinergi.linkage.prepare import default_workers

    workers = 1 if method == "sinergi_one" else default_workers()
    started, log = time.perf_counter(), _StageLog()
    left = prepare_records(dataset.left, fields=FIELDS, today=TODAY, workers=workers, progress=log)
    right = prepare_records(dataset.right, fields=FIELDS, today=TODAY, workers=workers, progress=log)
    extra["prepare"] = time.perf_counter() - started
    result = link_tables(left, right, match_threshold=THRESHOLD, progress=log)
    extra["timings"] = {"prepare": extra["prepare"], **result.timings}
    return {(pair.left_id, pair.right_id) for pair in result.matches}


def _dedupe(method: str, rows: list[Any], extra: dict[str, Any]) -> set[tuple[str, str]]:
    if method == "generic_splink":
        from bench.linkage_peers import generic_splink

        return generic_splink(rows, None, THRESHOLD)
    if method == "recordlinkage":
        from bench.linkage_peers import record_linkage_toolkit

        return record_linkage_toolkit(rows, None)
    from sinergi.linkage import dedupe_table, prepare_records
    from sinergi.linkage.prepare import default_workers

    started, log = time.perf_counter(), _StageLog()
    table = prepare_records(rows, fields=FIELDS, today=TODAY, workers=default_workers(), progress=log)
    extra["prepare"] = time.perf_counter() - started
    result = dedupe_table(table, match_threshold=THRESHOLD, progress=log)
    extra["timings"] = {"prepare": extra["prepare"], **result.timings}
    return {_ordered((pair.left_id, pair.right_id)) for pair in result.pairs if pair.match_probability >= THRESHOLD}


def _ordered(pair: tuple[str, str]) -> tuple[str, str]:
    return pair if pair[0] < pair[1] else (pair[1], pair[0])


def _scores(found: set[tuple[str, str]], truth: frozenset[tuple[str, str]]) -> dict[str, Any]:
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "found": len(found)}


class _StageLog:
    """Prints each stage as it starts, with the time since the method started and the process tree's memory:
    a run stopped at the memory limit still shows where it got to."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def start(self, stage: str, total: int | None, *, unit: str | None = "baris") -> None:
        elapsed = time.perf_counter() - self.started
        print(f"    {elapsed:6.1f} s  {_tree_rss(os.getpid()) / 1024**2:7,.0f} MB  {stage}", flush=True)

    def advance(self, amount: int) -> None:
        """Only the stages are logged, not the rows within them."""

    def finish(self) -> None:
        """A stage ends where the next one starts."""


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # finished workers (the pool is joined by then)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _descendants(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                pending.extend(int(child) for child in task.read_text().split())
            except OSError:  # the task ended meanwhile
                continue
    return found


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and its descendants (Linux /proc); 0 where /proc is missing.

    Proportional (PSS): a page a forked worker still shares with its parent counts once, not once per process.
    """
    total = 0
    for process in _descendants(pid):
        try:
            rollup = Path(f"/proc/{process}/smaps_rollup").read_text()
        except OSError:
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1]) * 1024
    return total


def _kill_tree(pid: int) -> None:
    for process in reversed(_descendants(pid)):
        try:
            os.kill(process, signal.SIGKILL)
        except ProcessLookupError:
            continue


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())
