"""Training, saving and loading the linkage model (Splink 5 on DuckDB).

Training, per pair of sources (or per file for deduplication):

1. the prior (how likely two random records are the same person) from
   deterministic rules with few false positives (same valid NIK; same
   normalised name and birth date), assuming they find 70% of matches;
2. u probabilities (how often each level happens by chance) from a random
   sample of record pairs;
3. m probabilities (how often each level happens for true matches) by
   expectation maximisation on pairs from a few blocking rules, each rule
   estimating the comparisons it does not use.

A model is saved as JSON: the Splink settings with the trained parameters,
plus Sinergi's envelope (format version, a SHA-256 hash of the settings that
:meth:`LinkageModel.load` checks, thresholds, and what it was trained on).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

from sinergi.linkage.issues import LinkageErrorCode, fail

MODEL_FORMAT: Final = "sinergi-linkage-model"
MODEL_FORMAT_VERSION: Final = 1
DEFAULT_MATCH_THRESHOLD: Final = 0.9
DEFAULT_REVIEW_THRESHOLD: Final = 0.5
# The deterministic rules are assumed to find this share of true matches.
DETERMINISTIC_RECALL: Final = 0.7

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinkageModel:
    """A trained model: Splink settings plus what Sinergi needs to use and audit it."""

    splink_settings: dict[str, Any]
    features: frozenset[str]
    match_threshold: float = DEFAULT_MATCH_THRESHOLD
    review_threshold: float = DEFAULT_REVIEW_THRESHOLD
    training: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""

    @property
    def model_hash(self) -> str:
        """SHA-256 over the settings and features, the model's identity in logs and audit rows."""
        return settings_hash(self.splink_settings, self.features)

    @property
    def version(self) -> str:
        """A short model version for people: the first 12 hex digits of the hash."""
        return self.model_hash[:12]

    def with_thresholds(self, *, match: float | None = None, review: float | None = None) -> LinkageModel:
        match_value = self.match_threshold if match is None else check_threshold(match, "match")
        review_value = min(self.review_threshold if review is None else check_threshold(review, "review"), match_value)
        return LinkageModel(
            self.splink_settings, self.features, match_value, review_value, self.training, self.created_at
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "format": MODEL_FORMAT,
            "format_version": MODEL_FORMAT_VERSION,
            "model_hash": self.model_hash,
            "model_version": self.version,
            "created_at": self.created_at,
            "features": sorted(self.features),
            "thresholds": {"match": self.match_threshold, "review": self.review_threshold},
            "training": self.training,
            "splink_settings": self.splink_settings,
        }

    def save(self, path: Path | str) -> None:
        Path(path).write_text(json.dumps(self.as_dict(), indent=2, sort_keys=True, default=str) + "\n", "utf-8")

    @classmethod
    def load(cls, path: Path | str) -> LinkageModel:
        """Read a saved model; raises LinkageError when the file is not one or was altered."""
        where = str(path)
        try:
            data = json.loads(Path(path).read_text("utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise _invalid(where, str(error)) from error
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise _invalid(where, "not a Sinergi linkage model")
        if data.get("format_version") != MODEL_FORMAT_VERSION:
            raise _invalid(where, f"format version {data.get('format_version')!r}, expected {MODEL_FORMAT_VERSION}")
        try:
            model = cls(
                splink_settings=data["splink_settings"],
                features=frozenset(data["features"]),
                match_threshold=float(data["thresholds"]["match"]),
                review_threshold=float(data["thresholds"]["review"]),
                training=dict(data.get("training", {})),
                created_at=str(data.get("created_at", "")),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise _invalid(where, f"missing or bad entry {error}") from error
        if model.model_hash != data.get("model_hash"):
            raise _invalid(where, "its hash does not match its contents (edited or damaged)")
        return model


def settings_hash(settings: dict[str, Any], features: frozenset[str]) -> str:
    canonical = json.dumps(
        {"settings": settings, "features": sorted(features)}, sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_threshold(value: float, name: str) -> float:
    if not 0.0 < value < 1.0:
        raise fail(
            LinkageErrorCode.BAD_THRESHOLD,
            name,
            f"Ambang '{name}' harus di antara 0 dan 1 (tanpa 0 dan 1), misalnya 0.9; bukan {value}.",
            f"The '{name}' threshold must be between 0 and 1 (exclusive), for example 0.9; not {value}.",
        )
    return value


def now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def library_versions() -> dict[str, str]:
    return {"splink": version("splink"), "duckdb": version("duckdb")}


def _invalid(where: str, detail: str) -> Exception:
    return fail(
        LinkageErrorCode.MODEL_INVALID,
        where,
        f"Model '{where}' tidak bisa dipakai: {detail}. Latih ulang model (jalankan tanpa --model) lalu simpan "
        "dengan --save-model.",
        f"The model '{where}' cannot be used: {detail}. Train it again (run without --model) and save it with "
        "--save-model.",
    )
