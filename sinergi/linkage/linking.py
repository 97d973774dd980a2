"""Link two inputs or deduplicate one: preparation, training (or a saved model), scoring, clustering.

Everything runs in an in-process DuckDB database through Splink 5; nothing
here imports Django, so the same functions serve the command line, the web
application's background tasks and the benchmark.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

import duckdb
from splink import DuckDBAPI, Linker
from splink.internals.blocking_rule_creator import BlockingRuleCreator
from splink.internals.exceptions import EMTrainingException

from sinergi.linkage.comparisons import (
    HOUSEHOLD_U_FLOOR,
    blocking_rules_for,
    comparisons_for,
    deterministic_rules_for,
    is_household_gated,
    loose_blocking_keys_for,
    training_rules_for,
)
from sinergi.linkage.issues import LinkageErrorCode, fail
from sinergi.linkage.model import (
    DEFAULT_MATCH_THRESHOLD,
    DEFAULT_REVIEW_THRESHOLD,
    DETERMINISTIC_RECALL,
    LinkageModel,
    library_versions,
    now_text,
)
from sinergi.linkage.prepare import PreparedTable, mark_run_counts
from sinergi.linkage.progress import NO_PROGRESS, Progress

type LinkType = Literal["link_only", "dedupe_only"]

# Random pairs for the u probabilities, and pairs per EM rule: enough for
# stable estimates, small enough for a laptop.
U_MAX_PAIRS: Final = 1_000_000
EM_MAX_PAIRS: Final = 5_000_000
DEFAULT_SEED: Final = 20_260_601
# Lowest m probability per comparison (see floor_m_probabilities): a floor of
# 0.002 lets a disagreement cost up to about 9 bits, 0.02 about 5.6 bits. Names,
# dates and ids may speak strongly against a match; a birth place written
# differently, a new phone or a wrong sex code may not.
M_FLOORS: Final[dict[str, float]] = {"name": 0.002, "birth_date": 0.002, "nik": 0.002, "passport": 0.005}
M_FLOOR: Final = 0.02


@dataclass(frozen=True, slots=True)
class Pair:
    """Two records the model scored; ``weights`` (with ``explain=True``) says why.

    ``weights`` holds each comparison's match weight in bits (term-frequency
    adjustment included): positive for agreement, negative for disagreement,
    0 when a value is missing. A review screen shows them field by field.
    """

    left_id: str
    right_id: str
    match_probability: float
    weights: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class LinkResult:
    """Pairs at or above the review threshold, best first; ``matches`` are those at or above the match threshold."""

    pairs: list[Pair]
    model: LinkageModel
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def matches(self) -> list[Pair]:
        return [pair for pair in self.pairs if pair.match_probability >= self.model.match_threshold]


@dataclass(frozen=True, slots=True)
class DedupeResult:
    """Every record's cluster (records of one person share a ``cluster_id``) and the scored pairs."""

    clusters: list[tuple[str, str]]
    pairs: list[Pair]
    model: LinkageModel
    timings: dict[str, float] = field(default_factory=dict)


def link_tables(
    left: PreparedTable,
    right: PreparedTable,
    *,
    model: LinkageModel | None = None,
    match_threshold: float | None = None,
    review_threshold: float | None = None,
    seed: int = DEFAULT_SEED,
    progress: Progress = NO_PROGRESS,
    source_names: tuple[str, str] = ("left", "right"),
    explain: bool = False,
) -> LinkResult:
    """Find records of ``left`` and ``right`` that are the same person.

    Trains a model on the two inputs unless ``model`` is given. Returns pairs at
    or above the review threshold (default: the model's), highest first; with
    ``explain`` each pair carries its match weight per comparison.
    """
    with _Session([left, right], "link_only", model, seed, progress, source_names, explain) as session:
        return _link(session, match_threshold, review_threshold)


def _link(session: _Session, match_threshold: float | None, review_threshold: float | None) -> LinkResult:
    session.model = session.model.with_thresholds(match=match_threshold, review=review_threshold)
    predictions = session.predict()
    started = time.perf_counter()
    names, weights_sql = session.weight_columns()
    rows = _rows(
        session.connection,
        "CASE WHEN source_dataset_l = 'left' THEN unique_id_l ELSE unique_id_r END, "
        "CASE WHEN source_dataset_l = 'left' THEN unique_id_r ELSE unique_id_l END, match_probability" + weights_sql,
        predictions,
        "match_probability DESC, 1, 2",
    )
    session.timings["collect"] = time.perf_counter() - started
    pairs = [_pair(row, names) for row in rows]
    return LinkResult(pairs, session.model, session.timings)


def _pair(row: tuple[Any, ...], names: Sequence[str]) -> Pair:
    weights = tuple((name, float(value or 0.0)) for name, value in zip(names, row[3:], strict=True))
    return Pair(str(row[0]), str(row[1]), float(row[2]), weights)


def dedupe_table(
    table: PreparedTable,
    *,
    model: LinkageModel | None = None,
    match_threshold: float | None = None,
    review_threshold: float | None = None,
    seed: int = DEFAULT_SEED,
    progress: Progress = NO_PROGRESS,
    source_name: str = "input",
    explain: bool = False,
) -> DedupeResult:
    """Group the records of one input into persons (connected pairs at or above the match threshold)."""
    with _Session([table], "dedupe_only", model, seed, progress, (source_name,), explain) as session:
        return _dedupe(session, match_threshold, review_threshold, progress)


def _dedupe(
    session: _Session, match_threshold: float | None, review_threshold: float | None, progress: Progress
) -> DedupeResult:
    session.model = session.model.with_thresholds(match=match_threshold, review=review_threshold)
    predictions = session.predict()
    progress.start("Mengelompokkan / clustering", None, unit=None)
    started = time.perf_counter()
    clustered = session.linker.clustering.cluster_pairwise_predictions_at_threshold(
        session.predictions_frame, threshold_match_probability=session.model.match_threshold
    )
    clusters = _rows(
        session.connection,
        "CAST(unique_id AS VARCHAR), CAST(cluster_id AS VARCHAR)",
        clustered.physical_name,
        "cluster_id, unique_id",
    )
    names, weights_sql = session.weight_columns()
    rows = _rows(
        session.connection,
        "unique_id_l, unique_id_r, match_probability" + weights_sql,
        predictions,
        "match_probability DESC, 1, 2",
    )
    session.timings["cluster"] = time.perf_counter() - started
    progress.finish()
    return DedupeResult(
        clusters=[(str(a), str(b)) for a, b in clusters],
        pairs=[_pair(row, names) for row in rows],
        model=session.model,
        timings=session.timings,
    )


def check_features(features: frozenset[str]) -> None:
    """Linking needs names on both sides; raises a LinkageError saying so."""
    if "name" not in features:
        raise fail(
            LinkageErrorCode.NO_NAME,
            "full_name",
            "Tidak ada nama yang bisa dibandingkan: kolom nama kosong di salah satu berkas.",
            "There are no names to compare: the name column is empty in one of the files.",
        )


# A loose blocking rule (comparisons.LOOSE_BLOCKING_KEYS) is used when it makes at most this many pairs: scoring
# a million pairs takes DuckDB a few seconds. FEBRL3's 5,000 records stay far below it; at 100,000 x 1,000,000
# the birth date alone makes about 2.7 million pairs and a name's sound alone tens of millions.
LOOSE_RULE_MAX_PAIRS: Final = 1_000_000


class SplinkSession:
    """A Splink linker over the inputs, and what every engine does with it: train (or load), score.

    The engines differ only in where the feature tables live: an in-process
    DuckDB database here, a Spark cluster in :mod:`sinergi.linkage.spark`. A
    subclass registers the tables and calls :meth:`start`; it may translate the
    model's SQL for its engine (:meth:`engine_settings`, :meth:`engine_rule`)
    and must then give the trained settings back in DuckDB's SQL
    (:meth:`saved_settings`), the one form a model is saved in.
    """

    def __init__(
        self,
        link_type: LinkType,
        model: LinkageModel | None,
        seed: int,
        progress: Progress,
        source_names: Sequence[str],
        explain: bool,
    ) -> None:
        self.progress = progress
        self.explain = explain
        self.seed = seed
        self.timings: dict[str, float] = {}
        self.link_type = link_type
        self.source_names = list(source_names)
        self.given_model = model

    def start(self, frames: Sequence[Any], features: frozenset[str], sizes: Sequence[int]) -> None:
        """Build the linker over the registered ``frames``, then train a model or estimate the given one's prior."""
        self.features = features
        self.sizes = list(sizes)
        model = self.given_model
        if model is None:
            settings = self._settings(self.features)
        else:
            settings = dict(model.splink_settings)
            settings["link_type"] = self.link_type
            settings["retain_matching_columns"] = False
        settings["retain_intermediate_calculation_columns"] = self.explain
        if model is not None:
            settings = self._with_loose_rules(settings)
        self.settings = settings
        # Splink's settings validation parses every comparison's SQL (about a second a run); a given model was
        # validated when it was trained, and an import's check links each chunk with it.
        self.linker = Linker(
            list(frames) if len(frames) > 1 else frames[0],
            self.engine_settings(settings),
            log_level=logging.ERROR,
            validate_settings=model is None,
        )
        if model is None:
            self.model = self._train()
            # Score with the model as saved (m floors applied), not with EM's raw
            # estimates: the same pairs then get the same scores whether this
            # run trained the model or loaded it.
            trained = self._with_loose_rules(
                {**self.model.splink_settings, "retain_intermediate_calculation_columns": self.explain}
            )
            self.linker = Linker(
                list(frames) if len(frames) > 1 else frames[0],
                self.engine_settings(trained),
                log_level=logging.ERROR,
            )
        else:
            self.model = model
            self._time("prior", self._estimate_prior)

    def _with_loose_rules(self, settings: dict[str, Any]) -> dict[str, Any]:
        """The scoring settings with the loose blocking rules this run can afford (comparisons.LOOSE_BLOCKING_KEYS):
        a run's choice, never the model's (the saved model keeps its own rules, so a model trained on a small
        file does not bring them to a national one)."""
        rules = list(settings.get("blocking_rules_to_generate_predictions", []))
        loose = [f"l.{key} = r.{key}" for key in loose_blocking_keys_for(self.features) if self.affordable(key)]
        self.loose_rules = [rule for rule in loose if rule not in rules]
        return {**settings, "blocking_rules_to_generate_predictions": rules + self.loose_rules}

    def affordable(self, key: str) -> bool:
        """Whether blocking on `key` alone makes at most LOOSE_RULE_MAX_PAIRS pairs (engine: not counted, no)."""
        return False

    def engine_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        """The settings in the engine's SQL (DuckDB: as they are)."""
        return settings

    def engine_rule(self, rule: str) -> str:
        """A training or prior rule in the engine's SQL (DuckDB: as it is)."""
        return rule

    def saved_settings(self, trained: dict[str, Any]) -> dict[str, Any]:
        """The trained settings in DuckDB's SQL (DuckDB: as they are)."""
        return trained

    def engine_versions(self) -> dict[str, str]:
        """Library versions recorded with a model trained here."""
        return library_versions()

    def u_sampling_options(self) -> dict[str, Any]:
        """Extra options of Splink's u sampling for this engine (DuckDB: Splink's defaults)."""
        return {}

    def _settings(self, features: frozenset[str]) -> dict[str, Any]:
        return {
            "link_type": self.link_type,
            # Splink draws a random id otherwise, and it would change the model's hash.
            "linker_uid": "sinergi",
            "unique_id_column_name": "unique_id",
            "comparisons": comparisons_for(features),
            "blocking_rules_to_generate_predictions": blocking_rules_for(features),
            "retain_matching_columns": False,
            "retain_intermediate_calculation_columns": False,
            "max_iterations": 20,
            "em_convergence": 0.001,
        }

    def _time(self, name: str, step: Any) -> None:
        started = time.perf_counter()
        self.progress.start(_STAGE_LABELS.get(name, name), None, unit=None)
        step()
        self.progress.finish()
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started

    def _estimate_prior(self) -> None:
        rules: list[str | BlockingRuleCreator] = [
            self.engine_rule(rule) for rule in deterministic_rules_for(self.features)
        ]
        self.linker.training.estimate_probability_two_random_records_match(rules, recall=DETERMINISTIC_RECALL)
        # No deterministic match at all (a file without duplicates) gives a
        # prior of 0, which no evidence can overcome: assume one match instead.
        # Splink 5 has no public setter for the prior; this is the attribute
        # its own estimate_probability_two_random_records_match writes.
        settings = self.linker._settings_obj
        if settings._probability_two_random_records_match <= 0:
            sizes = self.sizes
            pairs = sizes[0] * sizes[1] if len(sizes) == 2 else sizes[0] * (sizes[0] - 1) // 2
            settings._probability_two_random_records_match = 1 / max(pairs, 1)

    def _train(self) -> LinkageModel:
        training = self.linker.training
        self._time("prior", self._estimate_prior)
        # Ten random pairs per record, at most U_MAX_PAIRS: small files train in a second.
        self.u_pairs = min(U_MAX_PAIRS, max(100_000, 10 * sum(self.sizes)))
        self._time(
            "u",
            lambda: training.estimate_u_using_random_sampling(
                max_pairs=self.u_pairs, seed=self.seed, **self.u_sampling_options()
            ),
        )
        rules = training_rules_for(self.features)
        skipped: list[str] = []
        for rule in rules:
            self._time("em", lambda rule=rule: self._expectation_maximisation(rule, skipped))
        trained = self.saved_settings(self.linker.misc.save_model_to_json())
        settings = floor_m_probabilities(trained, self.u_pairs)
        # How a run reports is not part of the model (nor of its hash).
        settings["retain_intermediate_calculation_columns"] = False
        return LinkageModel(
            splink_settings=settings,
            features=self.features,
            match_threshold=DEFAULT_MATCH_THRESHOLD,
            review_threshold=DEFAULT_REVIEW_THRESHOLD,
            training={
                "link_type": self.link_type,
                "sources": self.source_names,
                "rows": self.sizes,
                "em_blocking_rules": [rule for rule in rules if rule not in skipped],
                # A rule that finds no pairs (a file without duplicates) trains nothing;
                # the comparisons it would have estimated keep Splink's default m.
                "em_rules_without_pairs": skipped,
                "u_max_pairs": self.u_pairs,
                "em_max_pairs": EM_MAX_PAIRS,
                "seed": self.seed,
                "seconds": round(sum(self.timings.values()), 1),
                "trained_at": now_text(),
                **self.engine_versions(),
            },
            created_at=now_text(),
        )

    def _expectation_maximisation(self, rule: str, skipped: list[str]) -> None:
        try:
            self.linker.training.estimate_parameters_using_expectation_maximisation(
                self.engine_rule(rule), estimate_without_term_frequencies=True, max_pairs=EM_MAX_PAIRS
            )
        except EMTrainingException:
            skipped.append(rule)

    def weight_expressions(self, prediction_columns: Iterable[str]) -> tuple[list[str], list[str]]:
        """Comparison names and the SQL of each one's weight in bits (term-frequency adjustment included)."""
        columns = set(prediction_columns)
        names = [comparison["output_column_name"] for comparison in self.model.splink_settings["comparisons"]]
        parts = [
            f"mw_{name}" + (f" + coalesce(mw_tf_adj_{name}, 0)" if f"mw_tf_adj_{name}" in columns else "")
            for name in names
        ]
        return names, parts

    def predict(self) -> str:
        """Score candidate pairs; returns the table holding those at or above the review threshold."""
        holder: dict[str, Any] = {}

        def run() -> None:
            holder["frame"] = self.linker.inference.predict(
                threshold_match_probability=self.model.review_threshold, warning_mode="never"
            )

        self._time("predict", run)
        self.predictions_frame = holder["frame"]
        return str(self.predictions_frame.physical_name)


class _Session(SplinkSession):
    """One DuckDB database holding the inputs, and a Splink linker over them."""

    def __init__(
        self,
        tables: Sequence[PreparedTable],
        link_type: LinkType,
        model: LinkageModel | None,
        seed: int,
        progress: Progress,
        source_names: Sequence[str],
        explain: bool = False,
    ) -> None:
        super().__init__(link_type, model, seed, progress, source_names, explain)
        self.tables = tables
        started = time.perf_counter()
        features = mark_run_counts(tables)
        check_features(features)
        self.connection = duckdb.connect()
        # Progress goes through ``progress``; DuckDB's own bar would print over it.
        self.connection.execute("SET enable_progress_bar = false")
        # DuckDB's own default is 80 % of the machine's memory, whatever this process already holds (the rows
        # and their features): at 1,000,000 x 5,000,000 the process and DuckDB together passed the machine's
        # memory. Within a budget DuckDB writes what does not fit to disk instead.
        self._spill = tempfile.TemporaryDirectory(prefix="sinergi-linkage-")
        budget = duckdb_memory_limit_mb()
        if budget is not None:
            self.connection.execute(f"SET memory_limit = '{budget}MB'")
        self.connection.execute("SET temp_directory = ?", [self._spill.name])
        database = DuckDBAPI(self.connection)
        frames = [
            database.register(table.arrow, dataset_display_name=name, table_name=f"sinergi_{name}")
            for table, name in zip(tables, ["left", "right"] if link_type == "link_only" else ["input"], strict=False)
        ]
        self.timings["load"] = time.perf_counter() - started  # token rarity, Arrow tables, DuckDB
        self.frames = frames
        self.start(frames, features, [len(table) for table in tables])

    def affordable(self, key: str) -> bool:
        """Counted per key value in DuckDB (a GROUP BY per input), before any pair is made."""
        # ``key`` is a feature column of LOOSE_BLOCKING_KEYS and each table one Splink registered: never input text.
        counts = [
            f"SELECT {key} AS k, count(*) AS n FROM {frame.physical_name} WHERE {key} IS NOT NULL GROUP BY 1"  # noqa: S608
            for frame in self.frames
        ]
        if len(counts) == 2:
            sql = f"SELECT sum(l.n * r.n) FROM ({counts[0]}) l JOIN ({counts[1]}) r ON l.k = r.k"  # noqa: S608
        else:
            sql = f"SELECT sum(n * (n - 1) // 2) FROM ({counts[0]})"  # noqa: S608
        [(pairs,)] = self.connection.execute(sql).fetchall()
        return (pairs or 0) <= LOOSE_RULE_MAX_PAIRS

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.connection.close()
        self._spill.cleanup()

    def weight_columns(self) -> tuple[list[str], str]:
        """Comparison names and the SQL selecting their weights (empty unless explaining)."""
        if not self.explain:
            return [], ""
        described = self.connection.execute(f"DESCRIBE {self.predictions_frame.physical_name}").fetchall()
        names, parts = self.weight_expressions(name for (name, *_) in described)
        return names, "".join(f", {part}" for part in parts)


def _rows(connection: duckdb.DuckDBPyConnection, select: str, table: str, order: str) -> list[tuple[Any, ...]]:
    # ``table`` is always the name of a table Splink created, never text from an input file.
    query = f"SELECT {select} FROM {table} ORDER BY {order}"  # noqa: S608
    return connection.execute(query).fetchall()


def floor_m_probabilities(settings: dict[str, Any], u_pairs: int) -> dict[str, Any]:
    """Raise every trained m probability to its floor and renormalise each comparison; fill unseen u.

    EM on a few thousand pairs can find that no match ever disagreed on, say,
    the KK number, and set that level's m to zero: one disagreement would then
    veto any match, though households split and cards are reissued. A floor
    keeps every piece of evidence finite.
    """
    for comparison in settings["comparisons"]:
        levels = [level for level in comparison["comparison_levels"] if not level.get("is_null_level")]
        floor = M_FLOORS.get(comparison["output_column_name"], M_FLOOR)
        # A level never seen among training matches has no m (None): it gets the floor too.
        raised = [max(_probability(level.get("m_probability")) or 0.0, floor) for level in levels]
        for level in levels:
            # Never seen among the random pairs either: rarer than one in the sample.
            if _probability(level.get("u_probability")) is None:
                level["u_probability"] = 1 / u_pairs
        if is_household_gated(comparison):
            _raise_agreement_u(levels, HOUSEHOLD_U_FLOOR)
        # Fixed levels keep their m; the others share what is left.
        fixed = sum(float(level["m_probability"]) for level in levels if level.get("fix_m_probability"))
        total = sum(value for level, value in zip(levels, raised, strict=True) if not level.get("fix_m_probability"))
        for level, value in zip(levels, raised, strict=True):
            if not level.get("fix_m_probability"):
                level["m_probability"] = value / total * (1 - fixed)
        for level in levels:
            # DuckDB sums in parallel, so the last bits vary between runs; rounded,
            # the same data gives the same model and the same hash.
            for key in ("m_probability", "u_probability"):
                level[key] = float(f"{float(level[key]):.10g}")
    return settings


def _probability(value: object) -> float | None:
    # Splink writes "level not observed" for a level no training pair reached.
    return float(value) if isinstance(value, int | float) else None


def _raise_agreement_u(levels: list[dict[str, Any]], floor: float) -> None:
    """Every level but the last (ELSE) gets u >= floor; ELSE gives up what they gained."""
    *agreeing, other = levels
    gained = 0.0
    for level in agreeing:
        value = float(level["u_probability"])
        if value < floor:
            gained += floor - value
            level["u_probability"] = floor
    other["u_probability"] = max(float(other["u_probability"]) - gained, floor)


_STAGE_LABELS: Final[dict[str, str]] = {
    "prior": "Memperkirakan peluang awal / estimating the prior",
    "u": "Melatih model (u, sampel acak) / training (u, random sampling)",
    "em": "Melatih model (m, EM) / training (m, EM)",
    "predict": "Menilai pasangan / scoring pairs",
}


def duckdb_memory_limit_mb() -> int | None:
    """What DuckDB may hold in memory, in MB: ``SINERGI_LINKAGE_MEMORY_MB``, else three quarters of the memory the
    machine has available now (Linux: ``MemAvailable``, which already leaves out what this process holds); None
    where that is not known (DuckDB keeps its own default, 80 % of all memory)."""
    text = os.environ.get("SINERGI_LINKAGE_MEMORY_MB", "").strip()
    if text:
        if not text.isdigit() or int(text) < 256:
            raise ValueError(f"SINERGI_LINKAGE_MEMORY_MB must be a whole number of MB >= 256, not {text!r}")
        return int(text)
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo)
        return max(256, int(fields["MemAvailable"].split()[0]) * 3 // 4 // 1024)
    except (OSError, KeyError, ValueError):
        return None
