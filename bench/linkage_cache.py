"""Generated linkage datasets kept on disk between runs: a million synthetic rows take minutes to make.

A dataset is cached only from ``MIN_CACHED_ROWS`` rows up, so quick runs (CI) generate theirs as before and
write nothing. The cache directory is ``SINERGI_BENCH_CACHE`` (default ``var/bench-cache`` in the checkout).
A file's name holds the kind, sizes, seed and a hash of the generators' source (``bench/linkage_data*.py``,
``sinergi/synthetic/``, ``sinergi/identity/``): editing a generator makes new files instead of reusing stale ones.
Pickle, not Parquet: the rows come back exactly as generated (types, ``None``), and only this harness reads them.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
MIN_CACHED_ROWS: Final = 200_000
_SOURCES: Final = (
    "bench/linkage_data.py",
    "bench/linkage_data_independent.py",
    "sinergi/synthetic",
    "sinergi/identity",
)


def cache_directory() -> Path:
    return Path(os.environ.get("SINERGI_BENCH_CACHE") or ROOT / "var" / "bench-cache")


def cached[T](name: str, rows: int, make: Callable[[], T]) -> T:
    """``make()``, or what it made last time for the same ``name`` and generator source."""
    if rows < MIN_CACHED_ROWS:
        return make()
    path = cache_directory() / f"{name}-{_source_hash()}.pickle"
    if path.exists():
        with path.open("rb") as file:
            loaded: T = pickle.load(file)  # our own file, written below
        return loaded
    value = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    with partial.open("wb") as file:
        pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)  # a run killed while writing leaves no truncated cache behind
    return value


@lru_cache(maxsize=1)
def _source_hash() -> str:
    digest = hashlib.sha256()
    for source in _SOURCES:
        path = ROOT / source
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            digest.update(file.relative_to(ROOT).as_posix().encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()[:12]
