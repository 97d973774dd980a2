"""``link`` and ``dedupe`` for data officers: ``python -m sinergi.linkage`` and the ``sinergi`` management commands.

The argument definitions live here so the management commands
(:mod:`sinergi.linkagecli`) and the pure-Python entry point accept exactly
the same options. ``python -m sinergi.linkage spark link|dedupe ...`` runs the
same linkage on Spark (:mod:`sinergi.linkage.spark`, imported only then:
pyspark is an optional dependency).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import Any, TextIO

from sinergi.linkage.fields import FIELD_HELP, ColumnMapping, parse_mapping_options
from sinergi.linkage.issues import LinkageError
from sinergi.linkage.jobs import JobSummary, dedupe_file, link_files
from sinergi.linkage.model import DEFAULT_MATCH_THRESHOLD, LinkageModel, check_threshold
from sinergi.linkage.progress import NO_PROGRESS, Progress

_FIELDS_TEXT = "\n".join(f"  {name:<12} {text}" for name, text in FIELD_HELP.items())
LINK_EPILOG = f"""Standard fields:
{_FIELDS_TEXT}

Example:
  sinergi link sisko.xlsx siks.csv --out pasangan.csv \\
      --map-left 'Nama PMI=full_name' --map-left 'No KTP=nik' --map-left 'Tgl Lahir=birth_date' \\
      --map-right 'NAMA=full_name' --map-right 'NIK=nik' --map-right 'TANGGAL LAHIR=birth_date'
"""
DEDUPE_EPILOG = f"""Standard fields:
{_FIELDS_TEXT}

Example:
  sinergi dedupe pengaduan.csv --out klaster.csv --map 'Nama=full_name' --map 'NIK=nik' --map 'Tgl Lahir=birth_date'
"""


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--threshold",
        type=float,
        default=None,
        help=f"match probability from which a pair counts as the same person (default {DEFAULT_MATCH_THRESHOLD}, "
        "or the saved model's)",
    )
    parser.add_argument("--model", dest="model_path", help="use this saved model instead of training on the files")
    parser.add_argument("--save-model", dest="save_model_path", help="save the trained model as JSON here")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")


def add_link_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("left", help="first CSV or XLSX file")
    parser.add_argument("right", help="second CSV or XLSX file")
    parser.add_argument("--out", required=True, help="where to write left_id,right_id,match_probability")
    parser.add_argument(
        "--map", action="append", default=[], metavar="COLUMN=FIELD", help="column mapping for both files (repeat)"
    )
    parser.add_argument("--map-left", action="append", default=[], metavar="COLUMN=FIELD", help="for LEFT only")
    parser.add_argument("--map-right", action="append", default=[], metavar="COLUMN=FIELD", help="for RIGHT only")
    parser.add_argument("--sheet-left", help="XLSX sheet of LEFT (default: the first)")
    parser.add_argument("--sheet-right", help="XLSX sheet of RIGHT (default: the first)")
    add_common_arguments(parser)


def add_dedupe_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="CSV or XLSX file")
    parser.add_argument("--out", required=True, help="where to write id,cluster_id")
    parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD", help="column mapping (repeat)")
    parser.add_argument("--sheet", help="XLSX sheet (default: the first)")
    parser.add_argument("--pairs-out", help="also write the matching pairs (left_id,right_id,match_probability)")
    add_common_arguments(parser)


SPARK_EPILOG = """Inputs are Parquet (a file or a folder) or CSV (UTF-8, header row, --sep); every input needs an id
column. Outputs are folders of Parquet or CSV part files. Without --master, a run started by spark-submit uses
its cluster, and any other run uses this machine (local[*]).

Example:
  python -m sinergi.linkage spark link sisko.parquet dtks.parquet --out pasangan --model sisko-dtks.json \\
      --map-left 'NO_PMI=id' --map-left 'NAMA=full_name' --map-right 'ID_DTKS=id' --map-right 'NAMA=full_name'
"""


def add_spark_arguments(parser: argparse.ArgumentParser) -> None:
    """``spark link LEFT RIGHT ...`` and ``spark dedupe FILE ...``."""
    commands = parser.add_subparsers(dest="spark_command", required=True)
    link = commands.add_parser(
        "link",
        help="link two inputs on Spark",
        epilog=SPARK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    link.add_argument("left", help="first input: Parquet file or folder, or CSV")
    link.add_argument("right", help="second input")
    link.add_argument("--out", required=True, help="folder for left_id,right_id,match_probability")
    link.add_argument(
        "--map", action="append", default=[], metavar="COLUMN=FIELD", help="column mapping for both inputs (repeat)"
    )
    link.add_argument("--map-left", action="append", default=[], metavar="COLUMN=FIELD", help="for LEFT only")
    link.add_argument("--map-right", action="append", default=[], metavar="COLUMN=FIELD", help="for RIGHT only")
    link.add_argument("--explain", action="store_true", help="also write each comparison's weight (weight_<name>)")
    _add_spark_common_arguments(link)
    dedupe = commands.add_parser(
        "dedupe",
        help="find duplicates in one input on Spark",
        epilog=SPARK_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    dedupe.add_argument("file", help="input: Parquet file or folder, or CSV")
    dedupe.add_argument("--out", required=True, help="folder for id,cluster_id")
    dedupe.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD", help="column mapping (repeat)")
    dedupe.add_argument("--pairs-out", help="also write the scored pairs to this folder")
    _add_spark_common_arguments(dedupe)


def _add_spark_common_arguments(parser: argparse.ArgumentParser) -> None:
    add_common_arguments(parser)
    parser.add_argument(
        "--review-threshold",
        type=float,
        default=None,
        help="also write pairs from this probability on (default: only pairs at or above --threshold)",
    )
    parser.add_argument("--master", help="run on this machine: local[2], local[*] (a cluster: use spark-submit)")
    parser.add_argument("--work-dir", help="folder for intermediate tables (default: beside --out); removed after")
    parser.add_argument("--input-format", choices=("parquet", "csv"), help="default: csv for *.csv, else parquet")
    parser.add_argument("--output-format", choices=("parquet", "csv"), default="parquet", help="default: parquet")
    parser.add_argument("--sep", default=",", help="CSV separator of the inputs (default ,)")


def run_spark(options: dict[str, Any], *, progress: Progress = NO_PROGRESS) -> JobSummary:
    """``spark link`` / ``spark dedupe``: the Spark engine, on spark-submit's session or a local one."""
    from sinergi.linkage import spark as engine

    started = time.perf_counter()
    threshold = options["threshold"]
    if threshold is not None:
        check_threshold(threshold, "match")
    model = LinkageModel.load(options["model_path"]) if options["model_path"] is not None else None
    # The CLI writes matches only (as ``sinergi link``) unless a review threshold asks for more.
    review = options["review_threshold"]
    if review is None:
        review = threshold or (model.match_threshold if model is not None else DEFAULT_MATCH_THRESHOLD)
    session, created = engine.session_for(options["master"])
    shared = {
        "spark": session,
        "out": options["out"],
        "model": model,
        "match_threshold": threshold,
        "review_threshold": review,
        "input_format": options["input_format"],
        "output_format": options["output_format"],
        "separator": options["sep"],
        "work_dir": options["work_dir"],
        "progress": progress,
    }
    try:
        if options["spark_command"] == "link":
            common = parse_mapping_options(options["map"])
            run = engine.link_tables_spark(
                options["left"],
                options["right"],
                left_mapping=_merged(common, parse_mapping_options(options["map_left"])),
                right_mapping=_merged(common, parse_mapping_options(options["map_right"])),
                explain=options["explain"],
                **shared,
            )
        else:
            run = engine.dedupe_spark(
                options["file"], mapping=parse_mapping_options(options["map"]), pairs_out=options["pairs_out"], **shared
            )
    finally:
        if created:
            session.stop()
    if options["save_model_path"] is not None:
        run.model.save(options["save_model_path"])
    return JobSummary(
        written=run.written,
        matches=run.matches,
        threshold=run.model.match_threshold,
        model_version=run.model.version,
        reports=run.reports,
        seconds=time.perf_counter() - started,
        timings=run.timings,
    )


def run_link(options: dict[str, Any], *, progress: Progress = NO_PROGRESS) -> JobSummary:
    shared = parse_mapping_options(options["map"])
    return link_files(
        options["left"],
        options["right"],
        options["out"],
        left_mapping=_merged(shared, parse_mapping_options(options["map_left"])),
        right_mapping=_merged(shared, parse_mapping_options(options["map_right"])),
        threshold=options["threshold"],
        model_path=options["model_path"],
        save_model_path=options["save_model_path"],
        left_sheet=options["sheet_left"],
        right_sheet=options["sheet_right"],
        progress=progress,
    )


def run_dedupe(options: dict[str, Any], *, progress: Progress = NO_PROGRESS) -> JobSummary:
    return dedupe_file(
        options["file"],
        options["out"],
        mapping=parse_mapping_options(options["map"]),
        threshold=options["threshold"],
        model_path=options["model_path"],
        save_model_path=options["save_model_path"],
        pairs_out=options["pairs_out"],
        sheet=options["sheet"],
        progress=progress,
    )


def summary_lines(summary: JobSummary, *, kind: str) -> list[str]:
    what_id, what_en = ("pasangan", "pairs") if kind == "link" else ("baris", "rows")
    lines = [
        f"Selesai / done: {summary.written} {what_id} / {what_en} ditulis / written; "
        f"{summary.matches} cocok / matches (ambang / threshold {summary.threshold}); "
        f"model {summary.model_version}; {summary.seconds:.1f} s."
    ]
    for source, report in summary.reports.items():
        lines.extend(f"{source}: {line}" for line in report.lines())
    return lines


def error_text(error: LinkageError) -> str:
    return f"{error.issue.message_id}\n{error.issue.message_en}"


class TqdmProgress:
    """One tqdm bar per stage, on stderr; off when stderr is not a terminal or ``disable`` is set."""

    def __init__(self, *, disable: bool = False, stream: TextIO | None = None) -> None:
        self._disable = disable
        self._stream = stream or sys.stderr
        self._bar: Any = None

    def start(self, stage: str, total: int | None, *, unit: str | None = "baris") -> None:
        from tqdm import tqdm  # type: ignore[import-untyped]

        self.finish()
        disable = True if self._disable else None  # None: tqdm decides by whether the stream is a terminal
        options: dict[str, Any] = {"unit": f" {unit}"} if unit else {"bar_format": "{desc} [{elapsed}]"}
        self._bar = tqdm(total=total, desc=stage, file=self._stream, disable=disable, leave=True, **options)

    def advance(self, amount: int) -> None:
        if self._bar is not None:
            self._bar.update(amount)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m sinergi.linkage", description="Record linkage for Sinergi (link two files, dedupe one)."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    link = commands.add_parser(
        "link", help="link two files", epilog=LINK_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_link_arguments(link)
    dedupe = commands.add_parser(
        "dedupe",
        help="find duplicates in one file",
        epilog=DEDUPE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_dedupe_arguments(dedupe)
    spark = commands.add_parser("spark", help="link or dedupe on Spark (national scale; needs pyspark and Java 17)")
    add_spark_arguments(spark)
    options = vars(parser.parse_args(argv))
    progress = TqdmProgress(disable=options["quiet"])
    kind = options["command"] if options["command"] != "spark" else options["spark_command"]
    try:
        if options["command"] == "link":
            summary = run_link(options, progress=progress)
        elif options["command"] == "dedupe":
            summary = run_dedupe(options, progress=progress)
        else:
            summary = run_spark(options, progress=progress)
    except LinkageError as error:
        progress.finish()
        print(error_text(error), file=sys.stderr)
        return 2
    for line in summary_lines(summary, kind=kind):
        print(line, file=sys.stderr)
    return 0


def _merged(shared: ColumnMapping, specific: ColumnMapping) -> ColumnMapping:
    return {**shared, **specific}
