"""The change feed (`GET /api/v1/changes`) and the batch push (`POST /api/v1/persons:batch`) partner systems use.

Mounted at the API root. The feed serves the persons the caller's agency may read in full (the registry's
visibility rule), in cursor order; the push upserts records by (source, id) through the same planning and
applying as file imports, all or nothing, once per Idempotency-Key.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.params import HeaderEx, P, QueryEx
from pydantic import ConfigDict, field_validator

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.audit.events import record_event
from sinergi.changes import idempotency, push
from sinergi.changes.feed import seal_events
from sinergi.changes.selectors import changes_page, snapshot_for
from sinergi.linkage.fields import FIELD_HELP
from sinergi.registry.api import ErrorOut
from sinergi.registry.models import Person
from sinergi.sharing.access import record_access
from sinergi.sources.services import IncomingRecord, SourceError

router = Router(tags=["changes"])

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# The largest value of the cursor column (a 64-bit integer); anything above was never a cursor.
MAX_CURSOR = 2**63 - 1


# --- the feed ------------------------------------------------------------------------------------------------


class ChangeOut(Schema):
    cursor: int = Field(description="Position in the feed; increasing, not consecutive.")
    op: str = Field(description="created, updated, restored (upsert the person), merged or deleted (drop it).")
    person_id: int
    at: datetime
    person: dict[str, Any] | None = Field(
        description="The person's whole state after the change (null for deleted). Merged persons carry "
        "`merged_into`, the survivor's id."
    )


class ChangesOut(Schema):
    changes: list[ChangeOut]
    next_cursor: int = Field(description="Send it as `since` for the next page (and keep it for the next poll).")
    has_more: bool = Field(description="True: more changes are waiting; ask again at once with `next_cursor`.")


def _whole_number(value: str) -> int | None:
    text = value.strip()
    return int(text) if text.isascii() and text.isdigit() else None


@router.get(
    "/changes",
    response={200: ChangesOut, 422: ErrorOut},
    summary="Changes of persons, in cursor order (replayable)",
    description="Every change of a person your agency may read in full, oldest first. Start with `since=0`; "
    "apply each change in order (upsert the person on created/updated/restored, drop it on merged/deleted); "
    "then ask again with `since=next_cursor`. Replaying from 0 rebuilds the current persons. "
    f"`limit`: 1 to {MAX_LIMIT}, default {DEFAULT_LIMIT}.",
)
def list_changes(
    request: AuthedRequest,
    since: QueryEx[str, P(description="The `next_cursor` of the previous page; 0 for the beginning.")] = "0",
    limit: QueryEx[str, P(description=f"Changes per page, 1 to {MAX_LIMIT}.")] = str(DEFAULT_LIMIT),
) -> Any:
    require_scope(request, "persons:read")
    cursor, size = _whole_number(since), _whole_number(limit)
    errors: dict[str, list[str]] = {}
    if cursor is None or cursor > MAX_CURSOR:
        errors["since"] = [
            _(
                "since must be a whole number from 0 up: 0 for the beginning, else the next_cursor of the "
                'last page; you sent "%(value)s".'
            )
            % {"value": since}
        ]
    if size is None or not 1 <= size <= MAX_LIMIT:
        errors["limit"] = [
            _('limit must be a whole number from 1 to %(max)s; you sent "%(value)s".')
            % {"max": MAX_LIMIT, "value": limit}
        ]
    if cursor is None or size is None or errors:
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=errors))
    # Number the events committed since the last read before serving them (see feed.seal_events).
    seal_events()
    page = changes_page(request.user, since=cursor, limit=size)
    sections_cache: dict[int, frozenset[str]] = {}
    # Plain dicts: the response schema validates them once; ChangeOut instances were validated twice
    # (built, then checked again as the response), a third of a 1,000-change page's time (issue 14).
    changes = [
        {
            "cursor": event.cursor or 0,
            "op": event.op,
            "person_id": event.person_id,
            "at": event.at,
            "person": snapshot_for(request.user, event, sections_cache) or None,
        }
        for event in page.events
    ]
    if changes:
        # One access-log line per page: the feed hands out whole person records.
        record_event(
            actor=request.user,
            action="changes.read",
            summary=f"{len(changes)} changes after cursor {cursor}",
            detail={"since": cursor, "next_cursor": page.next_cursor, "count": len(changes)},
        )
        # Another agency's person read through the feed: one access-log line per person, like opening it.
        for person in Person.objects.filter(pk__in=sections_cache.keys()):
            record_access(actor=request.user, person=person, sections=sections_cache[person.pk], context="changes")
    return Status(200, {"changes": changes, "next_cursor": page.next_cursor, "has_more": page.has_more})


# --- the batch push ------------------------------------------------------------------------------------------


def _text(name: str) -> Any:
    return Field(None, description=FIELD_HELP[name])


def _without_nul(value: str | None) -> str | None:
    # PostgreSQL cannot store a NUL character in text; say so instead of failing on the INSERT.
    if value is not None and "\x00" in value:
        raise ValueError(_("The text contains a NUL character (\\0), which cannot be stored: remove it."))
    return value


class PushRecordIn(Schema):
    """One record as the partner system holds it: standard fields (`normalisation.SOURCE_FIELDS`) as text."""

    # An unknown field is a typo (`nama`, `tgl_lahir`) that would otherwise be dropped without a word.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)

    id: str = Field(description="The record's id in your system: the same id later updates the same record.")
    full_name: str | None = _text("full_name")
    given_name: str | None = _text("given_name")
    family_name: str | None = _text("family_name")
    birth_date: str | None = _text("birth_date")
    birth_place: str | None = _text("birth_place")
    sex: str | None = _text("sex")
    nik: str | None = _text("nik")
    kk: str | None = _text("kk")
    passport: str | None = _text("passport")
    phone: str | None = _text("phone")
    address: str | None = _text("address")
    region_code: str | None = _text("region_code")
    other_id: str | None = _text("other_id")
    destination_country: str | None = Field(
        None,
        description="Country of placement abroad: ISO code (MY) or name (Malaysia, Arab Saudi, Saudi Arabia). "
        "Not used for matching: it adds a stay abroad to the person unless one to that country is recorded.",
    )

    @field_validator("*", mode="after")
    @classmethod
    def no_nul(cls, value: str | None) -> str | None:
        return _without_nul(value)


class PushIn(Schema):
    source: str | None = Field(
        None, description="Name of the source in Sinergi, e.g. SIKS-NG; by default the API token's name."
    )
    records: list[PushRecordIn] = Field(max_length=push.MAX_RECORDS, description=f"1 to {push.MAX_RECORDS} records.")

    @field_validator("source", mode="after")
    @classmethod
    def no_nul(cls, value: str | None) -> str | None:
        return _without_nul(value)


class PushedOut(Schema):
    id: str
    action: str = Field(description="create, link (to a person the agency had), update or unchanged.")
    person_id: int | None


class PushOut(Schema):
    source: str
    records: list[PushedOut]
    counts: dict[str, int]


class RecordErrorOut(Schema):
    index: int = Field(description="Position of the record in `records`, from 0.")
    id: str
    field: str
    message: str = Field(description="What to fix.")


class PushErrorOut(Schema):
    detail: str
    errors: list[RecordErrorOut] | dict[str, list[str]] = Field(
        description="Problems per record (a list) when records were refused; messages per request field (an "
        "object) when the request itself was malformed or the source is unknown."
    )


@router.post(
    "/persons:batch",
    response={200: PushOut, 403: ErrorOut, 409: ErrorOut, 422: PushErrorOut},
    summary="Push a batch of person records (upsert by source and id, all or nothing)",
    description="Each record is created, linked to a person your agency already has (same NIK, or the linkage "
    "model is sure), updated, or left unchanged, exactly as a file import would. If any record has a problem, "
    "nothing is written and 422 lists every problem by record. Send an `Idempotency-Key` header (a new "
    "unique value per batch, e.g. a UUID): a retry with the same key and body returns the first answer "
    "without doing anything again (header `Idempotent-Replayed: true`); the same key with another body "
    "answers 422; while the first request with a key runs, another answers 409. Keys are kept 24 hours.",
)
def push_batch(
    request: AuthedRequest,
    response: HttpResponse,
    payload: PushIn,
    idempotency_key: HeaderEx[
        str | None, P(alias="Idempotency-Key", description="A new unique value per batch; the same value to retry it.")
    ] = None,
) -> Any:
    require_scope(request, "persons:write")
    token = getattr(request, "api_token", None)
    source_name = (payload.source or "").strip() or (token.name if token is not None else "")
    if not source_name:
        return Status(
            422,
            PushErrorOut(
                detail=_("Some values need fixing."),
                errors={"source": [_("Name the source of these records, e.g. SIKS-NG.")]},
            ),
        )
    if not payload.records:
        return Status(
            422,
            PushErrorOut(detail=_("Some values need fixing."), errors={"records": [_("Send at least one record.")]}),
        )
    try:
        key = idempotency.check_key(idempotency_key)
        claimed = idempotency.claim_key(
            user=request.user, token=token, key=key, body_hash=idempotency.request_hash(json.loads(request.body))
        )
    except idempotency.KeyRefused as refusal:
        errors = {"Idempotency-Key": [str(refusal)]} if refusal.status == 422 else {}
        return Status(refusal.status, ErrorOut(detail=str(refusal), errors=errors))
    if isinstance(claimed, idempotency.StoredAnswer):
        response["Idempotent-Replayed"] = "true"
        return Status(claimed.status_code, claimed.body)

    records = [
        IncomingRecord(
            external_id=record.id,
            values={name: value for name, value in record.dict(exclude={"id"}).items() if value is not None},
            row_number=index + 1,
        )
        for index, record in enumerate(payload.records)
    ]
    try:
        with transaction.atomic():
            result = push.push_records(
                actor=request.user, source_name=source_name, records=records, reference=f"persons:batch {key}"
            )
            body = PushOut(
                source=result.source.name,
                records=[
                    PushedOut(id=record.external_id, action=record.action.lower(), person_id=record.person_id)
                    for record in result.records
                ],
                counts={action.lower(): count for action, count in result.counts.items()},
            ).dict()
            # Stored in the same transaction as the records: a retry finds either both or neither.
            idempotency.complete_key(claimed, status_code=200, body=body)
    except push.PushRefused as refused:
        idempotency.release_key(claimed)
        return Status(
            422,
            PushErrorOut(
                detail=_("Nothing was saved: fix the records listed and send the batch again."),
                errors=[RecordErrorOut(**vars(error)) for error in refused.errors],
            ),
        )
    except SourceError as refused:
        idempotency.release_key(claimed)
        return Status(422, PushErrorOut(detail=str(refused), errors={"source": [str(refused)]}))
    except BaseException:
        # Permission refused, or a failure: nothing was written, so the key must not stay claimed.
        idempotency.release_key(claimed)
        raise
    return Status(200, body)
