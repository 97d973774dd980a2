"""National scale: the same linkage on Apache Spark, from Parquet or CSV paths to Parquet or CSV.

The model is the DuckDB engine's (:mod:`sinergi.linkage.linking`): the same
preparation (:func:`~sinergi.linkage.prepare.prepare_records`, run on the
executors batch by batch), the same token rarity, comparisons, blocking rules,
training and thresholds. Only the SQL is translated to Spark's
(:mod:`sinergi.linkage.spark_sql`), with DuckDB's Jaro-Winkler as an Arrow UDF
(:mod:`sinergi.linkage.similarity`), and Splink runs on its Spark backend. A
model trained on either engine is saved in the same form and runs on the other::

    from sinergi.linkage import LinkageModel
    from sinergi.linkage.spark import link_tables_spark, local_session

    spark = local_session("local[2]")  # or the session spark-submit gives
    run = link_tables_spark(
        "hdfs:///bp3mi/sisko", "hdfs:///kemensos/dtks", spark=spark, out="hdfs:///sinergi/pasangan",
        model=LinkageModel.load("sisko-dtks.json"),
    )
    run.matches  # pairs at or above the match threshold, written to ``out`` with those above the review threshold

A run works in ``work_dir`` (default: ``out`` + ``.work``): the prepared
features and Splink's intermediate tables are written there as Parquet and
removed at the end. See docs/linkage.md, "National scale (Spark)".
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final, Literal

import pyarrow as pa  # type: ignore[import-untyped]
from pyspark.errors import AnalysisException
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T
from pyspark.sql.pandas.functions import arrow_udf
from splink.backends.spark import SparkAPI

from sinergi.linkage.fields import resolve_mapping
from sinergi.linkage.issues import LinkageErrorCode, fail
from sinergi.linkage.jobs import wita_today
from sinergi.linkage.linking import (
    DEFAULT_SEED,
    LinkType,
    SplinkSession,
    check_features,
)
from sinergi.linkage.model import LinkageModel, library_versions
from sinergi.linkage.prepare import (
    ADDRESS_SHARED_MAX,
    FEATURE_SCHEMA,
    FEATURE_TYPES,
    PreparationReport,
    feature_groups,
    prepare_records,
    rare_token_limit,
)
from sinergi.linkage.progress import NO_PROGRESS, Progress
from sinergi.linkage.similarity import jaro_winkler_similarities
from sinergi.linkage.spark_sql import JARO_WINKLER_FUNCTION, duckdb_settings, spark_condition, spark_settings

type FileFormat = Literal["parquet", "csv"]

_SPARK_TYPES: Final[dict[str, T.DataType]] = {
    "str": T.StringType(),
    "date": T.DateType(),
    "bool": T.BooleanType(),
    "list": T.ArrayType(T.StringType()),
}
# Preparation writes each batch's report into the first row of the batch.
_REPORT: Final = "_sinergi_report"
_CSV_SUFFIXES: Final = (".csv", ".txt", ".tsv")
_SHOWN_IDS: Final = 5


@dataclass(frozen=True, slots=True)
class SparkRun:
    """What a Spark run wrote: ``written`` rows to ``out`` (pairs, or every record's cluster)."""

    out: str
    written: int
    pairs: int
    matches: int
    model: LinkageModel
    reports: dict[str, PreparationReport]
    timings: dict[str, float] = field(default_factory=dict)


def local_session(
    master: str = "local[2]",
    *,
    shuffle_partitions: int = 8,
    driver_memory: str = "4g",
    app_name: str = "sinergi-linkage",
) -> SparkSession:
    """A SparkSession on this machine: no web UI, bound to the loopback address, workers on this Python.

    For a single machine and for tests; on a cluster use the session
    spark-submit gives (``SparkSession.builder.getOrCreate()``), see docs/linkage.md.
    """
    # Spark starts its Python workers with PYSPARK_PYTHON, by default whatever
    # "python3" is on PATH, which need not have Sinergi installed.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    builder: Any = SparkSession.builder
    return (  # type: ignore[no-any-return]
        builder.master(master)
        .appName(app_name)
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .getOrCreate()
    )


def session_for(master: str | None) -> tuple[SparkSession, bool]:
    """The session a command runs on, and whether it made it (and so must stop it).

    An active session (a notebook's, a test's) is used as it is. Under
    spark-submit the session follows spark-submit's options. Otherwise the
    run stays on this machine: ``master`` (``local[2]``), default ``local[*]``.
    """
    if master is not None and not master.startswith("local"):
        raise fail(
            LinkageErrorCode.SPARK_SETUP,
            "--master",
            f"--master {master} tidak dipakai: --master hanya untuk mesin ini (local[2], local[*]). Untuk klaster, "
            "jalankan dengan spark-submit --master ... (lihat docs/linkage.md).",
            f"--master {master} is not used: --master is for this machine only (local[2], local[*]). For a "
            "cluster, run through spark-submit --master ... (see docs/linkage.md).",
        )
    active = SparkSession.getActiveSession()
    if active is not None:
        return active, False
    # spark-submit starts the JVM first and tells PySpark where it listens.
    if master is None and "PYSPARK_GATEWAY_PORT" in os.environ:
        return SparkSession.builder.getOrCreate(), True
    return local_session(master or "local[*]"), True


def link_tables_spark(
    left: str | Path,
    right: str | Path,
    *,
    spark: SparkSession,
    out: str | Path,
    model: LinkageModel | None = None,
    left_mapping: Mapping[str, str] | None = None,
    right_mapping: Mapping[str, str] | None = None,
    match_threshold: float | None = None,
    review_threshold: float | None = None,
    input_format: FileFormat | None = None,
    output_format: FileFormat = "parquet",
    separator: str = ",",
    work_dir: str | Path | None = None,
    today: date | None = None,
    seed: int = DEFAULT_SEED,
    explain: bool = False,
    progress: Progress = NO_PROGRESS,
) -> SparkRun:
    """Link two Parquet/CSV inputs on Spark; writes ``left_id, right_id, match_probability`` to ``out``.

    Writes every pair at or above the review threshold (default: the model's),
    best first; with ``explain`` also ``weight_<comparison>`` in bits. Trains a
    model on the inputs unless ``model`` is given. Mappings are field ->
    column, as for :func:`~sinergi.linkage.records.read_records`; an ``id``
    column is required.
    """
    with _Run(spark, out, work_dir, today, progress) as run:
        inputs = [
            run.load(left, left_mapping or {}, input_format, separator),
            run.load(right, right_mapping or {}, input_format, separator),
        ]
        session = run.session(inputs, "link_only", model, seed, explain)
        session.model = session.model.with_thresholds(match=match_threshold, review=review_threshold)
        predictions = session.predict()
        started = time.perf_counter()
        names, weights = session.weight_columns()
        pairs = _query(
            spark,
            "CASE WHEN source_dataset_l = 'left' THEN unique_id_l ELSE unique_id_r END AS left_id, "
            "CASE WHEN source_dataset_l = 'left' THEN unique_id_r ELSE unique_id_l END AS right_id, "
            f"match_probability{weights}",
            predictions,
        ).orderBy(F.desc("match_probability"), "left_id", "right_id")
        written = run.write(pairs, out, output_format, ("left_id", "right_id"), ("match_probability", *names))
        run.timings["write"] = time.perf_counter() - started
        return run.result(session, str(out), written, written)


def dedupe_spark(
    path: str | Path,
    *,
    spark: SparkSession,
    out: str | Path,
    pairs_out: str | Path | None = None,
    model: LinkageModel | None = None,
    mapping: Mapping[str, str] | None = None,
    match_threshold: float | None = None,
    review_threshold: float | None = None,
    input_format: FileFormat | None = None,
    output_format: FileFormat = "parquet",
    separator: str = ",",
    work_dir: str | Path | None = None,
    today: date | None = None,
    seed: int = DEFAULT_SEED,
    progress: Progress = NO_PROGRESS,
) -> SparkRun:
    """Group the records of one Parquet/CSV input into persons; writes ``id, cluster_id`` for every record.

    Records joined by pairs at or above the match threshold share a cluster.
    ``pairs_out`` also receives the pairs at or above the review threshold.
    """
    with _Run(spark, out, work_dir, today, progress) as run:
        inputs = [run.load(path, mapping or {}, input_format, separator)]
        session = run.session(inputs, "dedupe_only", model, seed, False)
        session.model = session.model.with_thresholds(match=match_threshold, review=review_threshold)
        predictions = session.predict()
        started = time.perf_counter()
        progress.start("Mengelompokkan / clustering", None, unit=None)
        clustered = session.linker.clustering.cluster_pairwise_predictions_at_threshold(
            session.predictions_frame, threshold_match_probability=session.model.match_threshold
        )
        progress.finish()
        clusters = _query(
            spark,
            "CAST(unique_id AS STRING) AS id, CAST(cluster_id AS STRING) AS cluster_id",
            clustered.physical_name,
        ).orderBy("cluster_id", "id")
        written = run.write(clusters, out, output_format, ("id", "cluster_id"), ())
        pairs = _query(
            spark, "unique_id_l AS left_id, unique_id_r AS right_id, match_probability", predictions
        ).orderBy(F.desc("match_probability"), "left_id", "right_id")
        if pairs_out is not None:
            scored = run.write(pairs, pairs_out, output_format, ("left_id", "right_id"), ("match_probability",))
        else:
            scored = pairs.count()
        run.timings["cluster"] = time.perf_counter() - started
        return run.result(session, str(out), written, scored)


@dataclass(frozen=True, slots=True)
class _Input:
    name: str
    features: DataFrame
    fields: frozenset[str]
    report: PreparationReport


class _Run:
    """One run's work directory, inputs and outputs; the work directory is removed at the end."""

    def __init__(
        self, spark: SparkSession, out: str | Path, work_dir: str | Path | None, today: date | None, progress: Progress
    ) -> None:
        self.spark = spark
        self.today = today or wita_today()
        self.progress = progress
        self.timings: dict[str, float] = {}
        self.reports: dict[str, PreparationReport] = {}
        base = str(work_dir) if work_dir is not None else f"{str(out).rstrip('/')}.work"
        self.directory = f"{base.rstrip('/')}/run-{uuid.uuid4().hex[:12]}"
        # A work directory of our own choosing goes too; one the caller named stays (without this run's).
        self.removed = self.directory if work_dir is not None else base
        self._previous_checkpoint: str | None = None

    def __enter__(self) -> _Run:
        context = self.spark.sparkContext
        self._previous_checkpoint = context.getCheckpointDir()
        # Splink writes its intermediate tables to the checkpoint directory
        # (break_lineage_method="parquet"): this run's, so they go with it.
        context.setCheckpointDir(f"{self.directory}/checkpoints")
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._previous_checkpoint is not None:
            self.spark.sparkContext.setCheckpointDir(self._previous_checkpoint)
        _delete(self.spark, self.removed)

    def load(self, path: str | Path, mapping: Mapping[str, str], file_format: FileFormat | None, sep: str) -> _Input:
        """Read, check the ids, prepare on the executors and keep the features as Parquet in the work directory."""
        started = time.perf_counter()
        name = _display_name(path)
        raw = self._read(str(path), file_format or _format_of(path), sep)
        columns = [column.lstrip("\ufeff") for column in raw.columns]
        raw = raw.toDF(*columns)
        resolved = resolve_mapping(columns, mapping, source=f"'{name}'")
        if "id" not in resolved:
            raise fail(
                LinkageErrorCode.NO_ID,
                name,
                f"Tidak ada kolom id untuk '{name}'. Petakan kolom id dengan --map 'KOLOM=id': di Spark setiap "
                "baris perlu id sendiri (nomor baris tidak tetap di antara partisi).",
                f"No id column for '{name}'. Map the id column with --map 'COLUMN=id': on Spark every row needs "
                "its own id (row numbers are not stable across partitions).",
            )
        records = raw.select([_column(column).alias(field) for field, column in resolved.items()])
        _check_ids(records, name)
        fields = frozenset(resolved)
        self.progress.start(f"Menyiapkan fitur / preparing features: {name}", None, unit=None)
        prepared_path = f"{self.directory}/prepared-{len(self.reports)}"
        prepared = records.mapInArrow(_preparation(fields, self.today), _prepared_schema())
        prepared.write.parquet(prepared_path)
        prepared = self.spark.read.parquet(prepared_path)
        report = PreparationReport()
        for row in prepared.where(F.col(_REPORT).isNotNull()).select(_REPORT).collect():
            report.merge(_report_from_json(row[0]))
        self.progress.finish()
        self.reports[name] = report
        self.timings["prepare"] = self.timings.get("prepare", 0.0) + time.perf_counter() - started
        return _Input(name, prepared.drop(_REPORT), fields, report)

    def session(
        self, inputs: Sequence[_Input], link_type: LinkType, model: LinkageModel | None, seed: int, explain: bool
    ) -> _SparkSession:
        started = time.perf_counter()
        groups = frozenset.intersection(*(_feature_groups(item.features, item.fields) for item in inputs))
        check_features(groups)
        marked = self._with_shared_addresses([item.features for item in inputs], by_district="region" in groups)
        features = self._with_rare_tokens(marked)
        self.timings["load"] = time.perf_counter() - started
        session = _SparkSession(
            self.spark, features, groups, link_type, model, seed, self.progress, [i.name for i in inputs], explain
        )
        return session

    def _with_shared_addresses(self, frames: Sequence[DataFrame], *, by_district: bool) -> list[DataFrame]:
        """The addresses few records share (:func:`~sinergi.linkage.prepare.mark_shared_addresses`)."""
        place = F.col("region_district") if by_district else F.lit(None).cast(T.StringType())
        out = list(frames)
        for column, shared in (("address", "address_shared"), ("address_numbers", "address_numbers_shared")):
            keyed = [frame.select(F.col(column).alias("value"), place.alias("place")) for frame in out]
            union = keyed[0]
            for other in keyed[1:]:
                union = union.unionAll(other)
            few = (
                union.where(F.col("value").isNotNull())
                .groupBy("value", "place")
                .count()
                .where(F.col("count") <= ADDRESS_SHARED_MAX)
                .select(F.col("value").alias("_few_value"), F.col("place").alias("_few_place"))
            )
            matches = (F.col(column) == F.col("_few_value")) & F.col("_few_place").eqNullSafe(F.col("_own_place"))
            out = [
                frame.drop(shared)
                .withColumn("_own_place", place)
                .join(few, matches, "left")
                .withColumn(shared, F.col("_few_value"))
                .drop("_few_value", "_few_place", "_own_place")
                for frame in out
            ]
        return out

    def _with_rare_tokens(self, frames: Sequence[DataFrame]) -> list[DataFrame]:
        """``name_rare_tokens`` counted over every input (:func:`~sinergi.linkage.prepare.mark_rare_tokens`)."""
        total = sum(frame.count() for frame in frames)
        limit = rare_token_limit(total)
        carried = frames[0].select(F.explode("name_inf_tokens").alias("token"))
        for frame in frames[1:]:
            carried = carried.unionAll(frame.select(F.explode("name_inf_tokens").alias("token")))
        # name_inf_tokens holds each token once, so a count is the number of records carrying it.
        rare = carried.groupBy("token").count().where(F.col("count") <= limit).select("token")
        out = []
        for position, frame in enumerate(frames):
            tokens = (
                frame.select("unique_id", F.explode("name_inf_tokens").alias("token"))
                .join(rare, "token")
                .groupBy("unique_id")
                .agg(F.array_sort(F.collect_list("token")).alias("name_rare_tokens"))
            )
            marked = (
                frame.drop("name_rare_tokens")
                .join(tokens, "unique_id", "left")
                .withColumn(
                    "name_rare_tokens",
                    F.coalesce(F.col("name_rare_tokens"), F.array().cast(T.ArrayType(T.StringType()))),
                )
                .select(*FEATURE_TYPES)
            )
            path = f"{self.directory}/features-{position}"
            marked.write.parquet(path)
            out.append(self.spark.read.parquet(path))
        return out

    def write(
        self,
        frame: DataFrame,
        out: str | Path,
        file_format: FileFormat,
        text_columns: Sequence[str],
        number_columns: Sequence[str],
    ) -> int:
        """Write ``frame`` (Parquet as it is; CSV safe to open in a spreadsheet); returns the rows written."""
        if file_format == "csv":
            # As sinergi.linkage.export: a cell a spreadsheet would evaluate gets a leading apostrophe.
            frame = frame.select(
                *(_escaped(name) for name in text_columns),
                *(F.format_string("%.6f", F.col(name)).alias(name) for name in number_columns),
            )
            frame.write.mode("overwrite").option("header", True).csv(str(out))
        else:
            frame.write.mode("overwrite").parquet(str(out))
        return self._read(str(out), file_format, ",").count()

    def result(self, session: _SparkSession, out: str, written: int, pairs: int) -> SparkRun:
        threshold = session.model.match_threshold
        predictions = _query(self.spark, "match_probability", session.predictions_frame.physical_name)
        matches = predictions.where(F.col("match_probability") >= float(threshold)).count()
        self.timings.update(session.timings)
        return SparkRun(
            out=out,
            written=written,
            pairs=pairs,
            matches=int(matches),
            model=session.model,
            reports=self.reports,
            timings=self.timings,
        )

    def _read(self, path: str, file_format: FileFormat, sep: str) -> DataFrame:
        if "://" not in path and not Path(path).exists():
            raise fail(
                LinkageErrorCode.FILE_NOT_FOUND,
                path,
                f"Berkas atau folder '{path}' tidak ditemukan. Periksa jalurnya.",
                f"The file or folder '{path}' was not found. Check the path.",
            )
        reader = self.spark.read
        try:
            if file_format == "csv":
                # Every value as text, as the file has it: preparation reads it as the DuckDB engine does.
                return reader.options(header=True, sep=sep, encoding="UTF-8", inferSchema=False).csv(path)
            return reader.parquet(path)
        except AnalysisException as error:
            raise fail(
                LinkageErrorCode.UNREADABLE_FILE,
                path,
                f"'{path}' tidak bisa dibaca sebagai {file_format.upper()}: {error.getMessage()}. Simpan sebagai "
                "Parquet, atau CSV UTF-8 dengan baris judul (pilih dengan --input-format).",
                f"'{path}' cannot be read as {file_format.upper()}: {error.getMessage()}. Save it as Parquet, or "
                "as UTF-8 CSV with a header row (choose with --input-format).",
            ) from error


class _SparkSession(SplinkSession):
    """Splink's Spark backend over the feature tables, with the model's SQL in Spark's dialect."""

    def __init__(
        self,
        spark: SparkSession,
        frames: Sequence[DataFrame],
        features: frozenset[str],
        link_type: LinkType,
        model: LinkageModel | None,
        seed: int,
        progress: Progress,
        source_names: Sequence[str],
        explain: bool,
    ) -> None:
        super().__init__(link_type, model, seed, progress, source_names, explain)
        self.spark = spark
        # Splink's jar is not needed: its jaro_winkler is not DuckDB's (sinergi.linkage.similarity).
        database = SparkAPI(  # type: ignore[no-untyped-call]
            spark_session=spark, break_lineage_method="parquet", register_udfs_automatically=False
        )
        spark.udf.register(JARO_WINKLER_FUNCTION, _jaro_winkler_udf())
        run = uuid.uuid4().hex[:8]
        names = ["left", "right"] if link_type == "link_only" else ["input"]
        registered = [
            database.register(frame, dataset_display_name=name, table_name=f"sinergi_{name}_{run}")
            for frame, name in zip(frames, names, strict=False)
        ]
        self.start(registered, features, [frame.count() for frame in frames])

    def engine_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        return spark_settings(settings)

    def engine_rule(self, rule: str) -> str:
        return spark_condition(rule)

    def saved_settings(self, trained: dict[str, Any]) -> dict[str, Any]:
        return duckdb_settings(trained, self.settings)

    def engine_versions(self) -> dict[str, str]:
        return {**library_versions(), "engine": "spark", "pyspark": version("pyspark")}

    def u_sampling_options(self) -> dict[str, Any]:
        # Splink samples in ten chunks and stops early once every level has been seen often enough.
        # On Spark each chunk is a job whose planning (the whole comparison SQL) costs more than
        # scoring a million pairs: one chunk.
        return {"num_chunks": 1}

    def weight_columns(self) -> tuple[list[str], str]:
        """Comparison names and the SQL selecting their weights as ``weight_<name>`` (empty unless explaining)."""
        if not self.explain:
            return [], ""
        columns = self.spark.table(self.predictions_frame.physical_name).columns
        names, parts = self.weight_expressions(columns)
        return [f"weight_{name}" for name in names], "".join(
            f", {part} AS weight_{name}" for name, part in zip(names, parts, strict=True)
        )


def _jaro_winkler_udf() -> Any:
    """DuckDB's jaro_winkler_similarity as an Arrow UDF: rapidfuzz over each batch of pairs."""

    def jaro_winkler(left: pa.Array, right: pa.Array) -> pa.Array:
        return pa.array(jaro_winkler_similarities(left.to_pylist(), right.to_pylist()), pa.float64())

    # The type hints (pa.Array in, pa.Array out) make it a scalar Arrow UDF; pyspark's stubs
    # know only the older form with an explicit function type, which now warns.
    make: Any = arrow_udf
    return make(jaro_winkler, T.DoubleType())


def _query(spark: SparkSession, select: str, table: str) -> DataFrame:
    # ``table`` is always the name of a table Splink created, never text from an input file.
    return spark.sql(f"SELECT {select} FROM {table}")  # noqa: S608


def _preparation(fields: frozenset[str], today: date) -> Callable[[Iterator[Any]], Iterator[Any]]:
    """The function each executor runs over its Arrow batches: the DuckDB engine's preparation, batch by batch."""

    def prepare(batches: Iterator[Any]) -> Iterator[Any]:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            table = prepare_records(batch.to_pylist(), fields=fields, today=today)
            report = [json.dumps(asdict(table.report))] + [None] * (len(table) - 1)
            yield from table.arrow.append_column(_REPORT, pa.array(report, pa.string())).to_batches()

    return prepare


def _prepared_schema() -> T.StructType:
    assert list(FEATURE_SCHEMA.names) == list(FEATURE_TYPES)  # one list of features for both engines
    return T.StructType(
        [T.StructField(name, _SPARK_TYPES[kind]) for name, kind in FEATURE_TYPES.items()]
        + [T.StructField(_REPORT, T.StringType())]
    )


def _report_from_json(text: str) -> PreparationReport:
    data = json.loads(text)
    return PreparationReport(**data)


def _feature_groups(frame: DataFrame, fields: frozenset[str]) -> frozenset[str]:
    scalar = [name for name, kind in FEATURE_TYPES.items() if kind != "list"]
    counts = frame.agg(*(F.count(F.col(name)).alias(name) for name in scalar)).collect()[0].asDict()
    return feature_groups(fields, lambda column: bool(counts.get(column)))


def _check_ids(records: DataFrame, name: str) -> None:
    """As :func:`~sinergi.linkage.records.check_ids`: every record has an id, and no id is used twice."""
    key = F.trim(F.col("id").cast("string"))
    empty = records.where(F.col("id").isNull() | (key == "")).count()
    if empty:
        raise fail(
            LinkageErrorCode.EMPTY_ID,
            "id",
            f"Kolom id kosong di {empty} baris '{name}'. Isi id setiap baris.",
            f"The id column is empty in {empty} rows of '{name}'. Fill in every id.",
        )
    repeated = (
        records.groupBy(key.alias("key")).count().where(F.col("count") > 1).orderBy("key").limit(_SHOWN_IDS).collect()
    )
    if repeated:
        shown = "; ".join(f"{row['key']} ({row['count']}x)" for row in repeated)
        raise fail(
            LinkageErrorCode.DUPLICATE_ID,
            "id",
            f"Id yang sama dipakai lebih dari sekali di '{name}': {shown}. Setiap baris perlu id sendiri.",
            f"The same id is used more than once in '{name}': {shown}. Each row needs its own id.",
        )


def _escaped(name: str) -> Column:
    value = F.col(name).cast("string")
    formula = F.substring(value, 1, 1).isin("=", "+", "-", "@", "\t", "\r")
    return F.when(formula, F.concat(F.lit("'"), value)).otherwise(value).alias(name)


def _column(name: str) -> Column:
    return F.col("`" + name.replace("`", "``") + "`")


def _format_of(path: str | Path) -> FileFormat:
    return "csv" if str(path).lower().rstrip("/").endswith(_CSV_SUFFIXES) else "parquet"


def _display_name(path: str | Path) -> str:
    return str(path).rstrip("/").rsplit("/", 1)[-1] or str(path)


def _delete(spark: SparkSession, path: str) -> None:
    """Remove a directory on whatever file system Spark reads it from (local, HDFS, S3)."""
    jvm: Any = spark.sparkContext._jvm
    hadoop_path = jvm.org.apache.hadoop.fs.Path(path)
    hadoop_path.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()).delete(hadoop_path, True)
