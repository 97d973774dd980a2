"""Writing results as CSV that is safe to open in a spreadsheet.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return) is a formula to Excel and LibreOffice: an id such as
``=HYPERLINK("http://...")`` copied from an imported file would run when the
data officer opens the output. Such cells get a leading apostrophe, which
spreadsheets show as text and do not evaluate (OWASP "CSV injection").
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final, TextIO

from sinergi.linkage.linking import Pair

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
PAIRS_HEADER: Final = ("left_id", "right_id", "match_probability")
CLUSTERS_HEADER: Final = ("id", "cluster_id")


def escape_cell(value: str) -> str:
    """``'=1+1`` for ``=1+1``; other text unchanged."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_pairs(path: Path | str, pairs: Iterable[Pair]) -> int:
    """Write ``left_id,right_id,match_probability``; returns the number of pairs written."""
    count = 0
    with _replacing(Path(path)) as handle:
        writer = csv.writer(handle)
        writer.writerow(PAIRS_HEADER)
        for pair in pairs:
            writer.writerow((escape_cell(pair.left_id), escape_cell(pair.right_id), f"{pair.match_probability:.6f}"))
            count += 1
    return count


def write_clusters(path: Path | str, clusters: Iterable[tuple[str, str]]) -> int:
    """Write ``id,cluster_id`` for every record; returns the number of rows written."""
    count = 0
    with _replacing(Path(path)) as handle:
        writer = csv.writer(handle)
        writer.writerow(CLUSTERS_HEADER)
        for record_id, cluster_id in clusters:
            writer.writerow((escape_cell(record_id), escape_cell(cluster_id)))
            count += 1
    return count


@contextmanager
def _replacing(path: Path) -> Iterator[TextIO]:
    """Write beside ``path`` and move into place at the end: a failed run never leaves half a file."""
    temporary = path.with_name(f".{path.name}.partial")
    try:
        with temporary.open("w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
