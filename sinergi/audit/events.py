"""Recording audit events. Services call `record_event` inside their transaction."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone

from sinergi.audit.models import AuditEvent
from sinergi.bulk import new

if TYPE_CHECKING:
    from sinergi.accounts.models import User


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str | None
    via: str


# Set by middleware (web) or the API auth layer, so services need not pass the request around.
current_origin: ContextVar[RequestOrigin | None] = ContextVar("current_origin", default=None)


def _event(
    actor: User | None, action: str, obj: models.Model | None, summary: str, detail: dict[str, Any] | None
) -> AuditEvent:
    origin = current_origin.get()
    return new(
        AuditEvent,
        actor=actor,
        agency_id=getattr(actor, "agency_id", None),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        summary=summary[:300],
        detail=detail or {},
        ip_address=origin.ip_address if origin else None,
        via=origin.via if origin else "command",
    )


def record_event(
    *,
    actor: User | None,
    action: str,
    obj: models.Model | None = None,
    summary: str = "",
    detail: dict[str, Any] | None = None,
    read: bool = False,
) -> AuditEvent:
    """`read=True` for an event that logs a read (``person.viewed``): one INSERT, linked into the chain in a batch
    shortly after (``chain.seal_soon``)."""
    event = _event(actor, action, obj, summary, detail)
    event.save(read=read)
    return event


def record_events(
    *,
    actor: User | None,
    action: str,
    items: list[tuple[models.Model, str, dict[str, Any]]],
    read: bool = False,
) -> list[AuditEvent]:
    """One event per (object, summary, detail), written in one statement: a page that reads many records (a
    person's assessment history, a search's results) logs each read without a query per record. The events' ids
    are not read back; `read` as in ``record_event``."""
    if not items:
        return []
    events = [_event(actor, action, obj, summary, detail) for obj, summary, detail in items]
    at = timezone.now()
    for event in events:
        event.at = at  # one statement, one time
    return AuditEvent.objects.insert_many(events, read=read)
