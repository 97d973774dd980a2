"""Record linkage: does Sinergi's linker find the same PMI across two agencies' files, fast enough?

Dataset (bench/linkage_data.py): an agency registry of synthetic Sulawesi Tengah persons (1,000,000 rows;
quick: 20,000) and another agency's export (100,000 rows; quick: 2,000), half of whose rows re-register
registry persons with realistic damage (spelling variants, typos, missing and Excel-damaged NIKs, swapped
day/month, moved villages and regencies, missing phones) and half of whom are not in the registry. Family
members in the registry share KK, address and phone: the hard non-matches.

Measured, each in its own process on the same rows: Sinergi's linker (sinergi.linkage), a generic Splink 5
model and the recordlinkage toolkit (bench/linkage_peers.py). Wall time covers each method's own
preparation, training and scoring, not the data generation. Peak memory is the process's peak resident set
(resource.getrusage ru_maxrss), which includes the input rows loaded before the clock starts (shown
separately as "input RSS"). Precision, recall and F1 count pairs at each method's match threshold (0.9 for
both Splink models; ECM's own decision for recordlinkage) against the known truth.
"""

from __future__ import annotations

import multiprocessing
import pickle
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.linkage_data import TODAY, LinkageDataset, make_dataset

THRESHOLD = 0.9
METHODS = ("sinergi", "generic_splink", "recordlinkage")
LABELS = {
    "sinergi": "Sinergi (sinergi.linkage, Splink 5 + DuckDB)",
    "generic_splink": "Generic Splink 5 model",
    "recordlinkage": "recordlinkage 0.16 (blocking + ECM)",
}


def run(*, quick: bool = False) -> None:
    n_left, n_right = (2_000, 20_000) if quick else (100_000, 1_000_000)
    started = time.perf_counter()
    dataset = make_dataset(n_left, n_right, seed=7)
    print(
        f"data: {n_left:,} export rows linked to {n_right:,} registry rows, {len(dataset.truth):,} true pairs "
        f"(generated in {time.perf_counter() - started:.0f} s, not timed below)"
    )
    with tempfile.TemporaryDirectory() as directory:
        data_path = Path(directory) / "dataset.pickle"
        data_path.write_bytes(pickle.dumps(dataset, protocol=pickle.HIGHEST_PROTOCOL))
        del dataset
        results = [_in_child(method, data_path) for method in METHODS]
    print()
    print("| method | wall time (s) | peak RSS (MB) | input RSS (MB) | precision | recall | F1 | pairs found |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for method, result in zip(METHODS, results, strict=True):
        print(
            f"| {LABELS[method]} | {result['seconds']:.1f} | {result['peak_mb']:,.0f} | {result['input_mb']:,.0f} | "
            f"{result['precision']:.4f} | {result['recall']:.4f} | {result['f1']:.4f} | {result['found']:,} |"
        )
    sinergi = results[0]
    if "timings" in sinergi:
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in sinergi["timings"].items())
        print(f"\nSinergi's time: {parts}.")


def _in_child(method: str, data_path: Path) -> dict[str, Any]:
    # A fresh interpreter per method ("spawn"), so each peak RSS is its own.
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    process = context.Process(target=_child, args=(method, str(data_path), queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    if "error" in result:
        raise RuntimeError(f"{method} failed: {result['error']}")
    print(f"  {LABELS[method]}: {result['seconds']:.1f} s, F1 {result['f1']:.4f}")
    return result


def _child(method: str, data_path: str, queue: Any) -> None:
    try:
        dataset: LinkageDataset = pickle.loads(Path(data_path).read_bytes())
        input_mb = _peak_mb()
        started = time.perf_counter()
        extra: dict[str, Any] = {}
        if method == "sinergi":
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


def _sinergi(dataset: LinkageDataset) -> tuple[set[tuple[str, str]], dict[str, float]]:
    from bench.linkage_data import FIELDS
    from sinergi.linkage import link_tables, prepare_records

    started = time.perf_counter()
    left = prepare_records(dataset.left, fields=FIELDS, today=TODAY)
    right = prepare_records(dataset.right, fields=FIELDS, today=TODAY)
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
