"""Record linkage for Sinergi: find the same person across agencies' files (no Django import).

Link two inputs or deduplicate one with a Splink 5 model on DuckDB whose
comparisons know Indonesian identity data (see docs/linkage.md)::

    from sinergi.linkage import read_records, prepare_records, link_tables

    left = read_records("sisko.xlsx", {"full_name": "Nama PMI", "nik": "No KTP"})
    right = read_records("siks.csv", {"full_name": "NAMA", "nik": "NIK"})
    result = link_tables(
        prepare_records(left.records, fields=left.fields, today=today),
        prepare_records(right.records, fields=right.fields, today=today),
    )
    result.matches  # [Pair(left_id, right_id, match_probability), ...]

The command line (``sinergi link``, ``sinergi dedupe``, or ``python -m
sinergi.linkage``) wraps :mod:`sinergi.linkage.jobs`.
"""

from sinergi.linkage.dates import parse_date
from sinergi.linkage.export import escape_cell, write_clusters, write_pairs
from sinergi.linkage.fields import FIELDS, parse_mapping_options, resolve_mapping
from sinergi.linkage.issues import LinkageError, LinkageErrorCode, LinkageIssue
from sinergi.linkage.jobs import JobSummary, dedupe_file, link_files
from sinergi.linkage.linking import DedupeResult, LinkResult, Pair, dedupe_table, link_tables
from sinergi.linkage.model import LinkageModel
from sinergi.linkage.prepare import PreparationReport, PreparedTable, prepare_records
from sinergi.linkage.records import RecordSet, read_records
from sinergi.linkage.tables import open_table

__all__ = [
    "FIELDS",
    "DedupeResult",
    "JobSummary",
    "LinkResult",
    "LinkageError",
    "LinkageErrorCode",
    "LinkageIssue",
    "LinkageModel",
    "Pair",
    "PreparationReport",
    "PreparedTable",
    "RecordSet",
    "dedupe_file",
    "dedupe_table",
    "escape_cell",
    "link_files",
    "link_tables",
    "open_table",
    "parse_date",
    "parse_mapping_options",
    "prepare_records",
    "read_records",
    "resolve_mapping",
    "write_clusters",
    "write_pairs",
]
