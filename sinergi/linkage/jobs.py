"""File to file: read, prepare, link or dedupe, write. What the command line runs."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sinergi.linkage.export import write_clusters, write_pairs
from sinergi.linkage.linking import DEFAULT_SEED, dedupe_table, link_tables
from sinergi.linkage.model import LinkageModel, check_threshold
from sinergi.linkage.prepare import PreparationReport, PreparedTable, default_workers, prepare_records
from sinergi.linkage.progress import NO_PROGRESS, Progress
from sinergi.linkage.records import RecordSet, read_records


@dataclass(frozen=True, slots=True)
class JobSummary:
    """What a run did, for the closing message and for logs."""

    written: int
    matches: int
    threshold: float
    model_version: str
    reports: dict[str, PreparationReport]
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


def link_files(
    left: Path | str,
    right: Path | str,
    out: Path | str,
    *,
    left_mapping: Mapping[str, str],
    right_mapping: Mapping[str, str],
    threshold: float | None = None,
    model_path: Path | str | None = None,
    save_model_path: Path | str | None = None,
    left_sheet: str | None = None,
    right_sheet: str | None = None,
    today: date | None = None,
    seed: int = DEFAULT_SEED,
    progress: Progress = NO_PROGRESS,
    workers: int | None = None,
) -> JobSummary:
    """Link two CSV/XLSX files and write ``left_id,right_id,match_probability`` for pairs at or above the threshold.

    ``workers``: processes preparing features (default: :func:`~sinergi.linkage.prepare.default_workers`).
    """
    started = time.perf_counter()
    if threshold is not None:
        check_threshold(threshold, "match")
    model = LinkageModel.load(model_path) if model_path is not None else None
    day = today or wita_today()
    left_set = read_records(left, left_mapping, sheet=left_sheet, progress=progress)
    right_set = read_records(right, right_mapping, sheet=right_sheet, progress=progress)
    left_table = _prepare(left_set, day, progress, workers)
    right_table = _prepare(right_set, day, progress, workers)
    result = link_tables(
        left_table,
        right_table,
        model=model,
        match_threshold=threshold,
        seed=seed,
        progress=progress,
        source_names=(left_set.name, right_set.name),
    )
    if save_model_path is not None:
        result.model.save(save_model_path)
    matches = result.matches
    written = write_pairs(out, matches)
    return JobSummary(
        written=written,
        matches=len(matches),
        threshold=result.model.match_threshold,
        model_version=result.model.version,
        reports={left_set.name: left_table.report, right_set.name: right_table.report},
        seconds=time.perf_counter() - started,
        timings=result.timings,
    )


def dedupe_file(
    path: Path | str,
    out: Path | str,
    *,
    mapping: Mapping[str, str],
    threshold: float | None = None,
    model_path: Path | str | None = None,
    save_model_path: Path | str | None = None,
    pairs_out: Path | str | None = None,
    sheet: str | None = None,
    today: date | None = None,
    seed: int = DEFAULT_SEED,
    progress: Progress = NO_PROGRESS,
    workers: int | None = None,
) -> JobSummary:
    """Find duplicates in one CSV/XLSX file and write ``id,cluster_id`` for every record (``workers``: as above)."""
    started = time.perf_counter()
    if threshold is not None:
        check_threshold(threshold, "match")
    model = LinkageModel.load(model_path) if model_path is not None else None
    records = read_records(path, mapping, sheet=sheet, progress=progress)
    table = _prepare(records, today or wita_today(), progress, workers)
    result = dedupe_table(
        table, model=model, match_threshold=threshold, seed=seed, progress=progress, source_name=records.name
    )
    if save_model_path is not None:
        result.model.save(save_model_path)
    written = write_clusters(out, result.clusters)
    matches = [pair for pair in result.pairs if pair.match_probability >= result.model.match_threshold]
    if pairs_out is not None:
        write_pairs(pairs_out, matches)
    return JobSummary(
        written=written,
        matches=len(matches),
        threshold=result.model.match_threshold,
        model_version=result.model.version,
        reports={records.name: table.report},
        seconds=time.perf_counter() - started,
        timings=result.timings,
    )


def wita_today() -> date:
    """Today in Sulawesi Tengah (WITA): anchors NIK centuries and two-digit years."""
    return datetime.now(ZoneInfo("Asia/Makassar")).date()


def _prepare(records: RecordSet, today: date, progress: Progress, workers: int | None) -> PreparedTable:
    return prepare_records(
        records.records,
        fields=records.fields,
        today=today,
        progress=progress,
        total=len(records.records),
        workers=default_workers() if workers is None else workers,
    )
