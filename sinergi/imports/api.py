"""Imports API (/api/v1/imports): upload an export, follow its check, read its errors, confirm it.

The same services as the pages: the file is checked in the background (status ANALYSING, then PREVIEW or
FAILED), and applied in the background after ``POST /{id}/apply`` (APPLYING, then DONE). Poll
``GET /{id}`` for progress. Only the agency's data officers (and supervisors) may import; another
agency's import answers 404. Scopes: ``persons:write`` to upload and apply, ``persons:read`` to read.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.imports import services
from sinergi.imports.models import BatchStatus, ImportBatch, ImportRow, RowAction
from sinergi.imports.selectors import batches_visible_to, get_batch_for_user
from sinergi.registry.api import ErrorOut
from sinergi.sources.normalisation import SOURCE_FIELDS
from sinergi.sources.services import SourceError

router = Router(tags=["imports"])

MAX_PAGE = 200


class BatchOut(Schema):
    id: int
    status: str = Field(description="MAPPING, ANALYSING, PREVIEW, FAILED, APPLYING, DONE or CANCELLED.")
    status_label: str
    source: str
    file_name: str
    file_size: int
    file_sha256: str
    column_mapping: dict[str, str] = Field(description="Standard field -> column of the file.")
    error: str = Field(description="Why the file was refused (status FAILED).")
    counts: dict[str, int] = Field(
        description="Rows per action (CREATE, LINK, UPDATE, UNCHANGED, ERROR): planned in PREVIEW, final in DONE, "
        "with REVIEW: pairs proposed for review."
    )
    total_rows: int
    rows_done: int = Field(description="Rows applied so far (APPLYING, DONE).")
    progress: float = Field(description="0-1 while applying; rows checked so far are in total_rows while ANALYSING.")
    can_resume: bool = Field(description="The run stopped before the end: POST /{id}/resume continues it.")
    created_by: str
    created_at: datetime
    applied_by: str | None
    applied_at: datetime | None
    finished_at: datetime | None


class RowErrorOut(Schema):
    row: int = Field(description="Row number in the file (the header is row 1, or the row it is on).")
    external_id: str
    field: str = Field(description="Standard field (nik, birth_date, ...).")
    column: str = Field(description="The file's column.")
    message: str = Field(description="What to fix, in the language of Accept-Language.")


class BatchDetailOut(BatchOut):
    errors: list[RowErrorOut]
    errors_total: int = Field(description="Rows with errors.")
    next_page: int | None = Field(description="Pass it as `?page=` for the next rows with errors.")


def _batch_out(batch: ImportBatch) -> BatchOut:
    done, total = batch.rows_done, batch.total_rows
    return BatchOut(
        id=batch.pk,
        status=batch.status,
        status_label=str(BatchStatus(batch.status).label),
        source=batch.source.name,
        file_name=batch.file_name,
        file_size=batch.file_size,
        file_sha256=batch.file_sha256,
        column_mapping={str(k): str(v) for k, v in batch.column_mapping.items()},
        error=batch.error,
        counts={str(k): int(v) for k, v in batch.counts.items()},
        total_rows=total,
        rows_done=done,
        progress=round(done / total, 4) if total and batch.status in (BatchStatus.APPLYING, BatchStatus.DONE) else 0.0,
        can_resume=services.can_resume(batch),
        created_by=batch.created_by.display_name,
        created_at=batch.created_at,
        applied_by=batch.applied_by.display_name if batch.applied_by else None,
        applied_at=batch.applied_at,
        finished_at=batch.finished_at,
    )


def _invalid(message: str, errors: dict[str, list[str]] | None = None) -> Status[ErrorOut]:
    return Status(422, ErrorOut(detail=message, errors=errors or {}))


@router.get("", response=list[BatchOut], summary="The agency's imports, newest first")
def list_imports(request: AuthedRequest, limit: int = 50) -> list[BatchOut]:
    require_scope(request, "persons:read")
    batches = batches_visible_to(request.user).select_related("source", "created_by", "applied_by")
    return [_batch_out(batch) for batch in batches[: max(1, min(limit, MAX_PAGE))]]


@router.post(
    "",
    response={201: BatchOut, 422: ErrorOut},
    summary="Upload an export file (CSV or XLSX) and check it in the background",
    description=(
        "Multipart form: `file`, `source` (the source's name, e.g. `Ekspor Sisko P2MI`; created when new) and "
        "optionally `mapping`, a JSON object of standard field -> column, e.g. "
        '`{"full_name": "Nama Lengkap", "nik": "NIK", "birth_date": "Tgl Lahir"}`. Without `mapping` the '
        "source's saved mapping is used, else columns are recognised by name. Fields: "
        + ", ".join(SOURCE_FIELDS)
        + ". The answer's status is ANALYSING (poll `GET /{id}`), or FAILED with `error` when the file "
        "cannot be read. 422: not CSV/XLSX, too big, empty, or a mapping that does not fit the file."
    ),
)
def upload(
    request: AuthedRequest,
    file: File[UploadedFile],
    source: Form[str],
    mapping: Form[str] = "",
) -> Any:
    require_scope(request, "persons:write")
    chosen: dict[str, str] | None = None
    if mapping.strip():
        try:
            parsed = json.loads(mapping)
        except json.JSONDecodeError:
            parsed = None
        if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
            return _invalid(
                _("The mapping is not valid: send a JSON object of field -> column."),
                {"mapping": [_('Example: {"full_name": "Nama Lengkap", "nik": "NIK"}.')]},
            )
        chosen = {str(k): v for k, v in parsed.items()}
    # One transaction from the stored file to the queued check: a server killed before it answers leaves no
    # batch waiting for a mapping nobody will send (its file goes to the orphan cleanup), never a stuck batch.
    with transaction.atomic():
        try:
            batch = services.start_import(
                actor=request.user, upload=file, source_name=source, language=request.LANGUAGE_CODE
            )
        except services.UploadRefused as refused:
            return _invalid(str(refused), {"file": [str(refused)]})
        except SourceError as refused:
            return _invalid(str(refused), {"source": [str(refused)]})
        if batch.status == BatchStatus.MAPPING:
            try:
                batch = services.choose_mapping(
                    actor=request.user,
                    batch_id=batch.pk,
                    mapping=chosen if chosen is not None else batch.column_mapping,
                )
            except services.InvalidMapping as refused:
                services.cancel_import(actor=request.user, batch_id=batch.pk)
                return _invalid(
                    _("The mapping does not fit the file: fix it and upload again."), {"mapping": refused.problems}
                )
    batch = get_batch_for_user(request.user, batch.pk)
    return Status(201, _batch_out(batch))


@router.get(
    "/{batch_id}",
    response=BatchDetailOut,
    summary="An import's status, counts, progress and the rows with errors",
    description="Errors come `page_size` rows at a time (at most 200); each row may have several.",
)
def detail(request: AuthedRequest, batch_id: int, page: int = 1, page_size: int = 50) -> BatchDetailOut:
    require_scope(request, "persons:read")
    batch = get_batch_for_user(request.user, batch_id)
    size = max(1, min(page_size, MAX_PAGE))
    page = max(1, page)
    rows = ImportRow.objects.filter(batch=batch, action=RowAction.ERROR).order_by("row_number")
    total = rows.count()
    chosen = list(rows[(page - 1) * size : page * size])
    errors = [
        RowErrorOut(
            row=row.row_number,
            external_id=row.external_id,
            field=str(issue.get("field", "")),
            column=str(issue.get("column", "")),
            message=str(issue.get("message", "")),
        )
        for row in chosen
        for issue in row.errors
    ]
    return BatchDetailOut(
        **_batch_out(batch).dict(),
        errors=errors,
        errors_total=total,
        next_page=page + 1 if page * size < total else None,
    )


@router.post(
    "/{batch_id}/apply",
    response={202: BatchOut, 409: ErrorOut},
    summary="Import a checked file (status PREVIEW) in the background",
    description="409 when the import is not waiting for confirmation (already confirmed, done, failed).",
)
def apply(request: AuthedRequest, batch_id: int) -> Any:
    require_scope(request, "persons:write")
    started = services.confirm_import(actor=request.user, batch_id=batch_id)
    batch = get_batch_for_user(request.user, batch_id)
    if not started:
        return Status(
            409,
            ErrorOut(
                detail=_("Only a checked import waiting for confirmation can be applied; this one is %(status)s.")
                % {"status": batch.get_status_display()}
            ),
        )
    return Status(202, _batch_out(batch))


@router.post(
    "/{batch_id}/resume",
    response={202: BatchOut, 409: ErrorOut},
    summary="Continue an import whose run stopped (can_resume)",
)
def resume(request: AuthedRequest, batch_id: int) -> Any:
    require_scope(request, "persons:write")
    try:
        services.resume_import(actor=request.user, batch_id=batch_id)
    except services.ImportRefused as refused:
        return Status(409, ErrorOut(detail=str(refused)))
    return Status(202, _batch_out(get_batch_for_user(request.user, batch_id)))


@router.post(
    "/{batch_id}/cancel",
    response={200: BatchOut, 409: ErrorOut},
    summary="Cancel an import at any stage (mapping, checking, preview, importing)",
    description=(
        "A check or an import in progress stops after the chunk it is working on. Rows already imported stay "
        "imported (`counts` says how many); nothing else is. 409 when the import is already over (done, failed)."
    ),
)
def cancel(request: AuthedRequest, batch_id: int) -> Any:
    require_scope(request, "persons:write")
    try:
        batch = services.cancel_import(actor=request.user, batch_id=batch_id)
    except services.ImportRefused as refused:
        return Status(409, ErrorOut(detail=str(refused)))
    return Status(200, _batch_out(batch))
