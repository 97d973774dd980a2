"""An import from upload to done: every step is a function here, and the slow ones run as background tasks.

    MAPPING ──choose_mapping──► ANALYSING ──(task)──► PREVIEW ──confirm_import──► APPLYING ──(task)──► DONE
       │                          │  ▲                 │  │                         │ ▲
       └──cancel──► CANCELLED ◄───┼──┼─────cancel──────┘  └─choose_mapping (again)  └─┘ resume_import
                     FAILED ◄─────┘  └─ resume_import (checks the file again)

Analysis (``run_analysis``) reads the stored file row by row, plans each chunk of rows with
``sinergi.sources.services.plan_records`` and keeps the plans as ``ImportRow``s: the preview is those rows.
Nothing of the registry changes. A file that cannot be read fails the batch with a message saying why.

Applying (``run_apply``) takes the rows not yet applied in chunks of ``SINERGI_IMPORT_CHUNK_ROWS``
(default 200). One chunk is one transaction: the persons and source records it writes, its rows marked
applied and the batch's ``rows_done`` commit together or not at all. A worker killed in the middle leaves
whole chunks only; ``resume_import`` (the batch page's "Resume" button, or ``sinergi imports resume ID``)
continues with the first row not applied, and reaches the state an uninterrupted run would have reached.

Only one run works on a batch at a time: each run carries the batch's ``run_token`` and stops at its next
chunk when a resume has replaced it. Confirming is a conditional UPDATE (PREVIEW -> APPLYING), so a double
click or two operators confirming at once start one run.

Cancelling works at every stage (``cancel_import``): a run that is checking or applying stops at its next
chunk; rows already imported stay imported and the page says how many. A worker asked to stop (SIGTERM,
``request_shutdown``) ends its run between two chunks too and leaves the batch resumable at once; a worker
that starts resumes such runs by itself (``resume_stalled_imports``), as it does runs whose heartbeat went
silent. Files up to ``SINERGI_IMPORT_SMALL_BYTES`` go to the ``imports-small`` queue, bigger ones to
``imports-large``, so a three-row file never waits behind a million-row check (docs/imports.md "Workers").
"""

from __future__ import annotations

import itertools
import logging
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Count, F, QuerySet
from django.http import Http404
from django.tasks import TaskResultStatus, task, task_backends
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.audit.events import RequestOrigin, current_origin, record_event
from sinergi.imports.columns import check_mapping, guess_mapping
from sinergi.imports.models import BatchStatus, ImportBatch, ImportRow, RowAction
from sinergi.imports.selectors import get_batch_for_user
from sinergi.imports.uploads import (
    UploadRefused,
    check_upload,
    delete_stored,
    safe_file_name,
    store_upload,
    upload_dir,
)
from sinergi.linkage.issues import LinkageError
from sinergi.linkage.tables import OpenTable, TableLimits, TableRow, open_table
from sinergi.sources import services as sources
from sinergi.sources.models import DataSource
from sinergi.sources.normalisation import RecordIssue, cell_text

S = BatchStatus
logger = logging.getLogger(__name__)
SMALL_QUEUE: Final = "imports-small"
LARGE_QUEUE: Final = "imports-large"

# Which status may follow which; every change goes through `_move` or a conditional UPDATE that names both.
TRANSITIONS: Final[dict[str, frozenset[str]]] = {
    S.MAPPING: frozenset({S.ANALYSING, S.CANCELLED, S.FAILED}),
    S.ANALYSING: frozenset({S.PREVIEW, S.FAILED, S.CANCELLED}),
    S.PREVIEW: frozenset({S.APPLYING, S.ANALYSING, S.CANCELLED}),
    S.APPLYING: frozenset({S.DONE, S.CANCELLED}),
    S.FAILED: frozenset(),
    S.DONE: frozenset(),
    S.CANCELLED: frozenset(),
}
RUNNING_STATUSES: Final = (S.ANALYSING, S.APPLYING)
FINAL_STATUSES: Final = (S.FAILED, S.DONE, S.CANCELLED)
SAMPLE_ROWS: Final = 3


class ImportRefused(Exception):
    """A step that cannot be taken now; the message says why and what to do."""


class InvalidMapping(ImportRefused):
    def __init__(self, problems: list[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = problems


class _Superseded(Exception):
    """This run is no longer the batch's run (resumed elsewhere, cancelled): stop without touching it."""


class _ShuttingDown(Exception):
    """The worker was asked to stop: end the run between two chunks, leaving the batch resumable."""


# Set by the worker's SIGTERM handler (``request_shutdown``); runs look at it between chunks.
_shutdown = threading.Event()


def request_shutdown() -> None:
    _shutdown.set()


def shutdown_requested() -> bool:
    return _shutdown.is_set()


def _between_chunks(batch_id: int, run_token: str) -> None:
    """Where a long run may stop: on shutdown it says at once that it stopped (the batch can be resumed)."""
    if _shutdown.is_set():
        ImportBatch.objects.filter(pk=batch_id, run_token=run_token).update(heartbeat_at=None)
        raise _ShuttingDown


def table_limits() -> TableLimits:
    return TableLimits(
        max_rows=int(getattr(settings, "SINERGI_IMPORT_MAX_ROWS", 1_000_000)),
        max_cell_chars=int(getattr(settings, "SINERGI_IMPORT_MAX_CELL_CHARS", 32_767)),
        max_unpacked_bytes=int(getattr(settings, "SINERGI_IMPORT_MAX_UNPACKED_BYTES", 1 << 30)),
    )


def queue_for(batch: ImportBatch) -> str:
    small = int(getattr(settings, "SINERGI_IMPORT_SMALL_BYTES", 5 * 1024 * 1024))
    return SMALL_QUEUE if batch.file_size <= small else LARGE_QUEUE


def chunk_rows() -> int:
    return max(1, int(getattr(settings, "SINERGI_IMPORT_CHUNK_ROWS", 200)))


# Rows whose apply writes nothing: a chunk of only these may hold up to ``cheap_chunk_rows()``.
CHEAP_ACTIONS: Final = frozenset({RowAction.UNCHANGED, RowAction.ERROR})


def cheap_chunk_rows() -> int:
    """The length of a chunk of unchanged and error rows (default 2,000): re-reading the same file
    is mostly such rows, and each chunk has a fixed cost (its transaction, the batch's lock, an audit event)."""
    return max(chunk_rows(), int(getattr(settings, "SINERGI_IMPORT_CHEAP_CHUNK_ROWS", 2000)))


def analysis_chunk_rows() -> int:
    # Each analysis chunk scores its rows against the whole registry at once: bigger chunks, fewer passes.
    return max(1, int(getattr(settings, "SINERGI_IMPORT_ANALYSIS_ROWS", 2000)))


def analysis_chunk_max_rows() -> int:
    """The longest analysis chunk: chunks start at ``analysis_chunk_rows()`` and double up to this.

    Each chunk is one linkage pass, with a fixed cost of a few seconds (Splink starts and checks its settings):
    a 100,000-row file in chunks of 2,000 paid it 50 times. Doubling keeps the first chunks (and the progress
    a small file shows) short and makes a large file's passes few (2 + 4 + 8 + 16 + 20 + 20 ... thousand)."""
    return max(analysis_chunk_rows(), int(getattr(settings, "SINERGI_IMPORT_ANALYSIS_MAX_ROWS", 20_000)))


def stall_after() -> timedelta:
    """A run that has not reported a chunk for this long is taken for dead (its worker was killed)."""
    return timedelta(seconds=int(getattr(settings, "SINERGI_IMPORT_STALL_SECONDS", 300)))


def _require(actor: User) -> None:
    if not actor.is_authenticated or not actor.has_capability(Capability.IMPORT_DATA):
        raise PermissionDenied(_("Your role does not allow importing data. Ask your supervisor if you need it."))


def _new_token() -> str:
    return secrets.token_hex(16)


def _move(batch: ImportBatch, to: str, **changes: Any) -> bool:
    """Change the status with a conditional UPDATE (only from the status the caller saw); True if it moved."""
    if to not in TRANSITIONS[batch.status]:
        raise ImportRefused(
            _("This import is %(status)s; it cannot become %(to)s.")
            % {"status": batch.get_status_display(), "to": BatchStatus(to).label}
        )
    moved = ImportBatch.objects.filter(pk=batch.pk, status=batch.status).update(status=to, **changes)
    if moved:
        batch.status = to
        for name, value in changes.items():
            setattr(batch, name, value)
    return bool(moved)


# --- upload and mapping ---------------------------------------------------------------------------------------


def start_import(
    *,
    actor: User,
    upload: UploadedFile[bytes],
    source_id: int | None = None,
    source_name: str = "",
    language: str = "id",
) -> ImportBatch:
    """Store an uploaded export and read its header; the batch then waits for its column mapping.

    Raises UploadRefused (wrong type, too big, empty) before anything is stored. A file whose header
    cannot be read becomes a FAILED batch that says why.
    """
    _require(actor)
    check_upload(upload)
    if source_id is not None:
        source = DataSource.objects.filter(pk=source_id, agency_id=actor.agency_pk).first()
        if source is None:
            raise Http404
    else:
        source = sources.get_or_create_source(actor=actor, name=source_name)
    path, sha256, size = store_upload(upload)
    try:
        batch = _create_batch(actor, upload, source, path, sha256, size, language)
    except BaseException:
        delete_stored(str(path))  # no batch refers to it: do not leave it behind
        raise
    try:
        table = open_table(path, limits=table_limits())
        samples = _samples(table)
    except LinkageError as problem:
        _fail(batch, batch.status, problem.issue.message(batch.language))
        return batch
    except Exception:
        logger.exception("Reading the header of import %s failed", batch.pk)
        _fail(batch, batch.status, _unexpected_message())
        return batch
    ImportBatch.objects.filter(pk=batch.pk).update(
        columns=list(table.columns),
        samples=samples,
        column_mapping=guess_mapping(table.columns, source.column_mapping),
    )
    batch.refresh_from_db()
    return batch


def _unexpected_message() -> str:
    return _(
        "Checking the file stopped on an unexpected error; nothing was imported. Upload the file again; "
        "if it fails again, send it to your administrator."
    )


def _create_batch(
    actor: User,
    upload: UploadedFile[bytes],
    source: DataSource,
    path: Path,
    sha256: str,
    size: int,
    language: str,
) -> ImportBatch:
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            source=source,
            agency_id=actor.agency_pk,
            file_name=safe_file_name(upload.name or ""),
            stored_path=str(path),
            file_sha256=sha256,
            file_size=size,
            status=S.MAPPING,
            created_by=actor,
            language=(language or "id")[:10],
        )
        record_event(
            actor=actor,
            action="import.uploaded",
            obj=batch,
            summary=batch.file_name,
            detail={"source": source.name, "bytes": size},
        )
    return batch


def _samples(table: OpenTable) -> list[list[str]]:
    rows: list[list[str]] = []
    for row in table.rows():
        rows.append([cell_text(cell) for cell in row.cells][: len(table.columns)])
        if len(rows) == SAMPLE_ROWS:
            break
    return rows


def choose_mapping(*, actor: User, batch_id: int, mapping: Mapping[str, str], remember: bool = False) -> ImportBatch:
    """Set the columns (standard field -> column) and check the file in the background.

    From the preview too: the rows of the earlier check are replaced. ``remember`` saves the mapping on
    the source for its next file.
    """
    _require(actor)
    batch = get_batch_for_user(actor, batch_id)
    if batch.status not in (S.MAPPING, S.PREVIEW):
        raise ImportRefused(
            _("The columns can be chosen before the file is imported; this import is %(status)s.")
            % {"status": batch.get_status_display()}
        )
    cleaned = {name: column for name, column in mapping.items() if column}
    problems = check_mapping(batch.columns, cleaned)
    if problems:
        raise InvalidMapping(problems)
    token = _new_token()
    with transaction.atomic():
        if remember:
            sources.save_column_mapping(actor=actor, source_id=batch.source_id, mapping=cleaned)
        moved = _move(
            batch,
            S.ANALYSING,
            column_mapping=cleaned,
            run_token=token,
            task_id="",
            heartbeat_at=timezone.now(),
            total_rows=0,
            rows_done=0,
            counts={},
            error="",
        )
        if not moved:
            raise ImportRefused(_("Someone else changed this import at the same moment. Reload the page."))
        ImportRow.objects.filter(batch=batch).delete()
        record_event(actor=actor, action="import.mapped", obj=batch, summary=batch.file_name, detail=cleaned)
        _enqueue_after_commit("analyse", batch.pk, token)
    return batch


@transaction.atomic
def cancel_import(*, actor: User, batch_id: int) -> ImportBatch:
    """Stop an import at any stage; its file goes. Before it was confirmed nothing was imported and its
    preview rows go. While it is being imported, the run stops after the chunk it is writing (this waits for
    that chunk's lock): the rows already imported stay, ``counts`` says how many, the others are dropped."""
    _require(actor)
    batch = get_batch_for_user(actor, batch_id, for_update=True)
    if batch.status == S.CANCELLED:
        return batch  # a second click
    if S.CANCELLED not in TRANSITIONS[batch.status]:
        raise ImportRefused(
            _("This import is %(status)s; it is over and cannot be cancelled.") % {"status": batch.get_status_display()}
        )
    _cancel_locked(batch, actor=actor)
    return batch


def _cancel_locked(batch: ImportBatch, *, actor: User | None, by: str = "") -> None:
    """Cancel `batch` (locked by the caller, in its transaction): the rows not imported and the file go, audited.
    `actor` None with `by` naming the system run that cancelled it (retention)."""
    stage = batch.status
    stored = batch.stored_path
    if stage == S.APPLYING:
        ImportRow.objects.filter(batch=batch, applied=False).delete()
        counts = {**_action_counts(batch), "REVIEW": int(batch.counts.get("REVIEW", 0))}
    else:
        ImportRow.objects.filter(batch=batch).delete()
        counts = {}
    _move(
        batch,
        S.CANCELLED,
        finished_at=timezone.now(),
        run_token="",
        task_id="",
        stored_path="",
        counts=counts,
        heartbeat_at=None,
    )
    transaction.on_commit(partial(delete_stored, stored))
    detail: dict[str, Any] = {"stage": stage, "rows_imported": batch.rows_done if stage == S.APPLYING else 0}
    if by:
        detail["by"] = by
    record_event(actor=actor, action="import.cancelled", obj=batch, summary=batch.file_name, detail=detail)


# --- analysis -------------------------------------------------------------------------------------------------


def run_analysis(batch_id: int, run_token: str) -> None:
    """Check every row of the batch's file and keep its plan; the batch becomes PREVIEW (or FAILED)."""
    batch = ImportBatch.objects.select_related("source", "created_by").filter(pk=batch_id).first()
    if batch is None or batch.status != S.ANALYSING or batch.run_token != run_token:
        return
    with translation.override(batch.language), _background():
        try:
            _analyse(batch, run_token)
        except _Superseded:
            return
        except _ShuttingDown:
            logger.info("Import %s: check interrupted by shutdown; it will be resumed", batch_id)
            return
        except LinkageError as problem:
            _fail(batch, S.ANALYSING, problem.issue.message(batch.language), run_token=run_token)
        except (PermissionDenied, ImportRefused) as refused:
            _fail(batch, S.ANALYSING, str(refused), run_token=run_token)
        except Exception:
            # The user is told only that it stopped; the operator needs the cause (the task worker may not log it).
            logger.exception("Import %s: the check stopped on an unexpected error", batch_id)
            _fail(batch, S.ANALYSING, _unexpected_message(), run_token=run_token)
            raise


def _analyse(batch: ImportBatch, run_token: str) -> None:
    table = open_table(Path(batch.stored_path), limits=table_limits())
    mapping = {name: str(column) for name, column in batch.column_mapping.items()}
    problems = check_mapping(table.columns, mapping)
    if problems:
        raise InvalidMapping(problems)
    positions = {name: table.columns.index(column) for name, column in mapping.items()}
    state = sources.PlanState()
    chunk: list[sources.IncomingRecord] = []
    limit, longest = analysis_chunk_rows(), analysis_chunk_max_rows()
    for row in table.rows():
        chunk.append(_incoming(row, positions))
        if len(chunk) >= limit:
            _between_chunks(batch.pk, run_token)
            _plan_chunk(batch, run_token, chunk, mapping, state)
            chunk = []
            limit = min(limit * 2, longest)
    if chunk:
        _plan_chunk(batch, run_token, chunk, mapping, state)
    with transaction.atomic():
        current = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if current.status != S.ANALYSING or current.run_token != run_token:
            raise _Superseded
        if current.total_rows == 0:
            raise _no_rows(batch)
        counts = _action_counts(current)
        _move(current, S.PREVIEW, counts=counts, heartbeat_at=timezone.now(), task_id="")
        record_event(
            actor=batch.created_by, action="import.analysed", obj=current, summary=batch.file_name, detail=counts
        )


def _no_rows(batch: ImportBatch) -> LinkageError:
    from sinergi.linkage.issues import LinkageErrorCode, fail

    return fail(
        LinkageErrorCode.EMPTY_FILE,
        batch.file_name,
        f"Berkas '{batch.file_name}' hanya berisi baris judul kolom, tanpa data. Ekspor ulang datanya.",
        f"The file '{batch.file_name}' has a header row but no data rows. Export the data again.",
    )


def _incoming(row: TableRow, positions: Mapping[str, int]) -> sources.IncomingRecord:
    cells = row.cells
    values = {
        name: cell_text(cells[position]) if position < len(cells) else ""
        for name, position in positions.items()
        if name != "id"
    }
    if "id" in positions:
        position = positions["id"]
        external_id = cell_text(cells[position]) if position < len(cells) else ""
    else:
        external_id = str(row.number)  # the file's own row number: stable while the file keeps its order
    return sources.IncomingRecord(external_id=external_id, values=values, row_number=row.number)


def _plan_chunk(
    batch: ImportBatch,
    run_token: str,
    records: list[sources.IncomingRecord],
    columns: Mapping[str, str],
    state: sources.PlanState,
) -> None:
    plans = sources.plan_records(
        actor=batch.created_by, source=batch.source, records=records, column_for_field=columns, state=state
    )
    with transaction.atomic():
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=S.ANALYSING, run_token=run_token).update(
            total_rows=F("total_rows") + len(plans), heartbeat_at=timezone.now()
        )
        if not claimed:
            raise _Superseded
        _insert_rows(batch, plans)


# The preview rows' columns, in the order `_row_values` gives them.
_ROW_COLUMNS: Final = (
    "batch",
    "row_number",
    "external_id",
    "values",
    "action",
    "errors",
    "warnings",
    "person",
    "match_probability",
    "linked_by",
    "changes",
    "candidates",
    "applied",
    "content_hash",
    "raw_hash",
)


def _insert_rows(batch: ImportBatch, plans: list[sources.RecordPlan]) -> None:
    """Keep the chunk's plans as preview rows: one prepared INSERT run for every row (``executemany``).

    ``bulk_create`` compiles one SQL text with a placeholder per value and prepares each value through its
    field; for the thousands of rows of an analysis chunk that cost more than writing them. The values are
    prepared here as the fields would (JSON through the field, which adapts it for the database).
    """
    by_name = {field.name: field for field in ImportRow._meta.concrete_fields}
    fields = [by_name[name] for name in _ROW_COLUMNS]
    json_fields = {index for index, field in enumerate(fields) if field.get_internal_type() == "JSONField"}
    table = connection.ops.quote_name(ImportRow._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = []
    for plan in plans:
        values = _row_values(batch, plan)
        rows.append(
            [
                fields[index].get_db_prep_save(value, connection) if index in json_fields else value
                for index, value in enumerate(values)
            ]
        )
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def _row_values(batch: ImportBatch, plan: sources.RecordPlan) -> tuple[Any, ...]:
    return (
        batch.pk,
        plan.row_number or 0,
        plan.external_id[:100],
        plan.values,
        str(plan.action),
        [issue.as_dict() for issue in plan.errors],
        [issue.as_dict() for issue in plan.warnings],
        plan.person_id,
        plan.probability,
        plan.linked_by,
        {name: list(change) for name, change in plan.changes.items()},
        sources.candidates_to_json(plan.candidates),
        False,
        plan.content_hash if plan.action != RowAction.ERROR else "",
        plan.raw_hash,
    )


def plan_of(row: ImportRow) -> sources.RecordPlan:
    """The plan a preview row holds, as ``apply_plans`` takes it."""
    return sources.RecordPlan(
        external_id=row.external_id,
        row_number=row.row_number,
        action=RowAction(row.action),
        values={name: str(value) for name, value in row.values.items()},
        errors=[RecordIssue(**issue) for issue in row.errors],
        warnings=[RecordIssue(**issue) for issue in row.warnings],
        person_id=row.person_id,
        probability=row.match_probability,
        linked_by=row.linked_by,
        candidates=sources.candidates_from_json(row.candidates),
        changes={name: (str(change[0]), str(change[1])) for name, change in row.changes.items()},
        raw_hash=row.raw_hash,
    )


def _action_counts(batch: ImportBatch) -> dict[str, int]:
    counts = dict.fromkeys(RowAction.values, 0)
    for action, count in ImportRow.objects.filter(batch=batch).values_list("action").annotate(n=Count("id")):
        counts[action] = count
    return counts


def _fail(batch: ImportBatch, expected: str, message: str, *, run_token: str | None = None) -> None:
    """FAILED with a message; the stored file and any preview rows go (nothing was imported)."""
    assert S.FAILED in TRANSITIONS[expected]
    with transaction.atomic():
        queryset = ImportBatch.objects.filter(pk=batch.pk, status=expected)
        if run_token is not None:
            queryset = queryset.filter(run_token=run_token)
        moved = queryset.update(
            status=S.FAILED, error=message, finished_at=timezone.now(), stored_path="", run_token="", task_id=""
        )
        if not moved:
            return
        ImportRow.objects.filter(batch=batch).delete()
        record_event(actor=batch.created_by, action="import.failed", obj=batch, summary=batch.file_name)
    delete_stored(batch.stored_path)
    batch.refresh_from_db()


# --- apply ----------------------------------------------------------------------------------------------------


def confirm_import(*, actor: User, batch_id: int) -> bool:
    """Start importing a previewed batch; True if this call started it (a second click, or a second operator
    confirming at the same moment, gets False and starts nothing)."""
    _require(actor)
    batch = get_batch_for_user(actor, batch_id)
    if batch.status != S.PREVIEW:
        return False
    token = _new_token()
    with transaction.atomic():
        moved = _move(
            batch,
            S.APPLYING,
            applied_by=actor,
            applied_at=timezone.now(),
            run_token=token,
            task_id="",
            heartbeat_at=timezone.now(),
            rows_done=0,
        )
        if moved:
            record_event(actor=actor, action="import.confirmed", obj=batch, summary=batch.file_name)
            _enqueue_after_commit("apply", batch.pk, token)
    return moved


def run_apply(batch_id: int, run_token: str) -> None:
    """Apply the batch's rows chunk by chunk until none is left (or another run took the batch over)."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        return
    with translation.override(batch.language), _background():
        try:
            while _apply_chunk(batch_id, run_token):
                _between_chunks(batch_id, run_token)
        except _ShuttingDown:
            logger.info("Import %s: interrupted by shutdown after a whole chunk; it will be resumed", batch_id)
        except Exception:
            # The run is over: say so at once instead of waiting for the stall timeout, so the page offers
            # "Resume". The chunk that failed was rolled back whole.
            ImportBatch.objects.filter(pk=batch_id, run_token=run_token).update(heartbeat_at=None)
            raise


def _apply_chunk(batch_id: int, run_token: str) -> bool:
    """Apply the next chunk in one transaction; False when there is nothing (more) for this run to do."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update(of=("self",))
            .select_related("source", "applied_by")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or batch.status != S.APPLYING or batch.run_token != run_token or batch.applied_by is None:
            return False
        pending = ImportRow.objects.filter(batch=batch, applied=False).order_by("row_number")
        head = list(pending.values_list("pk", "row_number", "action")[: chunk_rows()])
        if not head:
            _finish(batch)
            return False
        if all(action in CHEAP_ACTIONS for _pk, _number, action in head):
            head += _more_cheap_rows(pending, after=head[-1][1], room=cheap_chunk_rows() - len(head))
            rows = _settle_cheap_rows(batch, [pk for pk, _number, _action in head])
        else:
            rows = list(ImportRow.objects.filter(pk__in=[pk for pk, _number, _action in head]).order_by("row_number"))
        batch.rows_done += len(head)
        batch.heartbeat_at = timezone.now()
        if rows:
            _apply_rows(batch, rows)
        batch.save(update_fields=["rows_done", "heartbeat_at", "counts"])
    return True


def _settle_cheap_rows(batch: ImportBatch, pks: list[int]) -> list[ImportRow]:
    """Mark applied the chunk's rows that stand as previewed without reading their values: error rows (nothing to
    write) and unchanged rows whose source record is as previewed (``sources.confirm_unchanged``). Returns the
    others (a record changed or merged since the preview), to be applied the whole way."""
    assert batch.applied_by is not None
    rows = list(
        ImportRow.objects.filter(pk__in=pks).values_list("pk", "external_id", "action", "person_id", "content_hash")
    )
    unchanged = [row for row in rows if row[2] == RowAction.UNCHANGED]
    standing = sources.confirm_unchanged(
        actor=batch.applied_by,
        source=batch.source,
        records=[(external_id, person_id, content) for _pk, external_id, _action, person_id, content in unchanged],
        errors=len(rows) - len(unchanged),
        file_name=batch.file_name,
        batch=batch,
    )
    rest = {row[0] for row, stands in zip(unchanged, standing, strict=True) if not stands}
    settled = [row[0] for row in rows if row[0] not in rest]
    if settled:
        ImportRow.objects.filter(pk__in=settled).update(applied=True)
    return list(ImportRow.objects.filter(pk__in=rest).order_by("row_number")) if rest else []


def _apply_rows(batch: ImportBatch, rows: list[ImportRow]) -> None:
    """Apply `rows` through ``sources.apply_plans`` and mark each with its outcome (in the chunk's transaction)."""
    assert batch.applied_by is not None
    results = sources.apply_plans(
        actor=batch.applied_by,
        source=batch.source,
        plans=[plan_of(row) for row in rows],
        file_name=batch.file_name,
        batch=batch,
    )
    proposed = 0
    refused: list[ImportRow] = []
    as_planned: list[ImportRow] = []
    changed: list[ImportRow] = []
    for row, result in zip(rows, results, strict=True):
        errors = [issue.as_dict() for issue in result.errors] if result.action == RowAction.ERROR else []
        if result.action == row.action and result.person_id == row.person_id and errors == row.errors:
            as_planned.append(row)
        else:
            row.action = result.action
            row.person_id = result.person_id
            changed.append(row)
            if errors:
                row.errors = errors
                refused.append(row)
        row.applied = True
        proposed += result.pairs_proposed
    if as_planned:
        # Most rows end as the preview said: one UPDATE marks them.
        ImportRow.objects.filter(pk__in=[row.pk for row in as_planned]).update(applied=True)
    _mark_applied(changed)
    if refused:
        ImportRow.objects.bulk_update(refused, ["errors"])
    batch.counts = {**batch.counts, "REVIEW": int(batch.counts.get("REVIEW", 0)) + proposed}


def _more_cheap_rows(pending: QuerySet[ImportRow], *, after: int, room: int) -> list[tuple[int, int, str]]:
    """The rows after `after` up to the next one that needs work, at most `room`, as (pk, row number, action): a
    chunk made only of rows that are unchanged or errors writes nothing but their marks, so it may be much longer
    than a working chunk."""
    if room <= 0:
        return []
    following = list(pending.filter(row_number__gt=after).values_list("pk", "row_number", "action")[:room])
    return list(itertools.takewhile(lambda item: item[2] in CHEAP_ACTIONS, following))


def _mark_applied(rows: list[ImportRow]) -> None:
    """Mark the chunk's rows applied with their final action and person: one prepared UPDATE for all
    (``bulk_update`` builds a CASE per column and row, which cost more than the rows' own writes)."""
    table = connection.ops.quote_name(ImportRow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET applied = %s, action = %s, person_id = %s WHERE id = %s",  # noqa: S608
            [(True, str(row.action), row.person_id, row.pk) for row in rows],
        )


def _finish(batch: ImportBatch) -> None:
    counts = {**_action_counts(batch), "REVIEW": int(batch.counts.get("REVIEW", 0))}
    stored = batch.stored_path
    _move(batch, S.DONE, counts=counts, finished_at=timezone.now(), stored_path="", run_token="", task_id="")
    record_event(actor=batch.applied_by, action="import.applied", obj=batch, summary=batch.file_name, detail=counts)
    transaction.on_commit(partial(delete_stored, stored))


# --- runs: are they alive, resume ------------------------------------------------------------------------------


def run_is_alive(batch: ImportBatch) -> bool:
    """Whether a task is (or will be) working on this batch: queued, or running and reporting progress."""
    if batch.status not in RUNNING_STATUSES:
        return False
    fresh = batch.heartbeat_at is not None and timezone.now() - batch.heartbeat_at < stall_after()
    backend = task_backends["default"]
    if batch.task_id and backend.supports_get_result:
        try:
            result = backend.get_result(batch.task_id)
        except TaskResultDoesNotExist:
            return False
        if result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
            return False
        if result.status == TaskResultStatus.READY:
            return True
    return fresh


def can_resume(batch: ImportBatch) -> bool:
    return batch.status in RUNNING_STATUSES and not run_is_alive(batch)


@transaction.atomic
def resume_import(*, actor: User, batch_id: int) -> ImportBatch:
    """Start a new run for a batch whose run died: applying continues after the last applied chunk; a check
    of the file starts again. Refused while the current run is alive."""
    _require(actor)
    batch = get_batch_for_user(actor, batch_id)
    token = _claim_resume(batch, actor)
    record_event(actor=actor, action="import.resumed", obj=batch, summary=batch.file_name)
    transaction.on_commit(partial(_enqueue, "apply" if batch.status == S.APPLYING else "analyse", batch.pk, token))
    return batch


def resume_in_foreground(batch_id: int) -> ImportBatch:
    """``sinergi imports resume ID``: the same as the button, run in this process (no worker needed)."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise ImportRefused(_("There is no import %(id)s.") % {"id": batch_id})
    actor = batch.applied_by if batch.status == S.APPLYING else batch.created_by
    token = _claim_resume(batch, actor)
    record_event(actor=None, action="import.resumed", obj=batch, summary=batch.file_name)
    if batch.status == S.APPLYING:
        run_apply(batch.pk, token)
    else:
        run_analysis(batch.pk, token)
    batch.refresh_from_db()
    return batch


def _claim_resume(batch: ImportBatch, actor: User | None) -> str:
    if batch.status not in RUNNING_STATUSES:
        raise ImportRefused(
            _("Only an import that is being checked or imported can be resumed; this one is %(status)s.")
            % {"status": batch.get_status_display()}
        )
    if run_is_alive(batch):
        raise ImportRefused(_("This import is still running. Wait for it; the page shows its progress."))
    token = _new_token()
    changes: dict[str, Any] = {"run_token": token, "task_id": "", "heartbeat_at": timezone.now()}
    if batch.status == S.APPLYING and actor is not None:
        changes["applied_by"] = actor
    claimed = ImportBatch.objects.filter(pk=batch.pk, status=batch.status, run_token=batch.run_token).update(**changes)
    if not claimed:
        raise ImportRefused(_("Someone else resumed this import at the same moment. Reload the page."))
    if batch.status == S.ANALYSING:
        ImportBatch.objects.filter(pk=batch.pk).update(total_rows=0, counts={})
        ImportRow.objects.filter(batch=batch).delete()
    batch.refresh_from_db()
    return token


# --- background tasks ------------------------------------------------------------------------------------------


@contextmanager
def _background() -> Iterator[None]:
    """Audit events written by a run say "import" (not the web request or command that happened to start it)."""
    token = current_origin.set(RequestOrigin(ip_address=None, via="import"))
    try:
        yield
    finally:
        current_origin.reset(token)


def _enqueue_after_commit(kind: str, batch_id: int, run_token: str) -> None:
    transaction.on_commit(partial(_enqueue, kind, batch_id, run_token))


def _enqueue(kind: str, batch_id: int, run_token: str) -> None:
    job = analyse_import_task if kind == "analyse" else apply_import_task
    batch = ImportBatch.objects.filter(pk=batch_id).only("file_size").first()
    if batch is None:
        return
    result = job.using(queue_name=queue_for(batch)).enqueue(batch_id, run_token)
    # Kept to ask the backend later whether the run is still alive (an immediate backend has run it already).
    ImportBatch.objects.filter(pk=batch_id, run_token=run_token).update(task_id=str(result.id)[:64])


@task(queue_name=SMALL_QUEUE)
def analyse_import_task(batch_id: int, run_token: str) -> None:
    run_analysis(batch_id, run_token)


@task(queue_name=SMALL_QUEUE)
def apply_import_task(batch_id: int, run_token: str) -> None:
    run_apply(batch_id, run_token)


def resume_stalled_imports() -> list[int]:
    """Start a new run for every import whose run died (its worker was killed, stopped or went silent);
    called by the worker when it starts and then periodically. Returns the batches resumed."""
    resumed: list[int] = []
    for batch in ImportBatch.objects.filter(status__in=RUNNING_STATUSES).order_by("pk"):
        if run_is_alive(batch):
            continue
        actor = batch.applied_by if batch.status == S.APPLYING else batch.created_by
        try:
            with transaction.atomic():
                token = _claim_resume(batch, actor)
                record_event(
                    actor=None, action="import.resumed", obj=batch, summary=batch.file_name, detail={"by": "worker"}
                )
                _enqueue_after_commit("apply" if batch.status == S.APPLYING else "analyse", batch.pk, token)
        except ImportRefused:
            continue  # someone (or another worker) resumed it at the same moment
        resumed.append(batch.pk)
    return resumed


ABANDONED_STATUSES: Final = (S.MAPPING, S.PREVIEW)


def abandoned_imports(before: datetime) -> QuerySet[ImportBatch]:
    """Imports uploaded before `before` that nobody confirmed: still waiting for a column mapping or a preview
    decision. They hold a copy of an agency's file and its rows; the retention run discards them."""
    return ImportBatch.objects.filter(status__in=ABANDONED_STATUSES, created_at__lt=before)


def discard_abandoned_import(batch_id: int) -> bool:
    """Cancel one abandoned import for the retention run (no user): its rows and file go, as with
    ``cancel_import`` before confirmation. False when someone moved it on in between."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().filter(pk=batch_id, status__in=ABANDONED_STATUSES).first()
        if batch is None:
            return False
        _cancel_locked(batch, actor=None, by="retention")
    return True


@dataclass(frozen=True, slots=True)
class CleanupReport:
    stored_files: list[str]
    temporary_uploads: list[str]

    def __str__(self) -> str:
        return (
            f"{len(self.stored_files)} stored import file(s) no import refers to, "
            f"{len(self.temporary_uploads)} abandoned temporary upload(s) deleted"
        )


def cleanup_orphan_files(*, older_than: timedelta | None = None) -> CleanupReport:
    """Delete what a killed upload or run left: files in the import folder that no batch refers to (or whose
    batch is over), and temporary uploads (``FILE_UPLOAD_TEMP_DIR``) nobody finished receiving.

    Only files untouched for ``older_than`` (default an hour) go: an upload being received or stored right
    now is younger than that and not yet referred to by its batch."""
    grace = older_than if older_than is not None else timedelta(hours=1)
    cutoff = timezone.now().timestamp() - grace.total_seconds()
    referenced = {
        str(Path(path).resolve())
        for path in ImportBatch.objects.exclude(status__in=FINAL_STATUSES)
        .exclude(stored_path="")
        .values_list("stored_path", flat=True)
    }
    for batch in ImportBatch.objects.filter(status__in=FINAL_STATUSES).exclude(stored_path=""):
        delete_stored(batch.stored_path)
        ImportBatch.objects.filter(pk=batch.pk, status=batch.status).update(stored_path="")
    stored = [
        str(path)
        for path in _old_files(upload_dir(), cutoff)
        if str(path.resolve()) not in referenced and _unlinked(path)
    ]
    temporary_dir = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    temporary = (
        [str(path) for path in _old_files(Path(temporary_dir), cutoff) if _unlinked(path)] if temporary_dir else []
    )
    if stored or temporary:
        logger.warning("Import cleanup: %s", CleanupReport(stored, temporary))
    return CleanupReport(stored, temporary)


def _old_files(directory: Path, cutoff: float) -> list[Path]:
    if not directory.is_dir():
        return []
    return [path for path in directory.iterdir() if path.is_file() and path.stat().st_mtime < cutoff]


def _unlinked(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def progress_of(batch: ImportBatch) -> tuple[int, int]:
    """(done, total) for the progress bar: rows checked while analysing, rows imported while applying."""
    if batch.status == S.ANALYSING:
        return batch.total_rows, 0  # the total is unknown until the whole file is read
    return batch.rows_done, batch.total_rows


__all__ = [
    "TRANSITIONS",
    "ImportRefused",
    "InvalidMapping",
    "UploadRefused",
    "can_resume",
    "cancel_import",
    "choose_mapping",
    "cleanup_orphan_files",
    "confirm_import",
    "plan_of",
    "resume_import",
    "resume_in_foreground",
    "resume_stalled_imports",
    "run_analysis",
    "run_apply",
    "start_import",
]
