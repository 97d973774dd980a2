"""The audit trail as a hash chain: an event altered or removed directly in the database is found.

Each event gets two hashes:

* ``content_hash``, when it is written (``AuditEvent.save`` and ``bulk_create``, the only ways rows are made):
  SHA-256 of its canonical content (when, who, which agency, what, on which object, summary, detail, origin);
* ``seq`` and ``chain_hash`` once it has committed (``seal_events``): its place in the chain and
  SHA-256 of the previous event's ``chain_hash``, its ``seq`` and its ``content_hash``. The head
  (``AuditChain``, one row) holds the last ``seq`` and hash, so removing the newest events shows too.

Why the chain link is made after commit, as the change feed numbers its events (``changes/feed.py``): linking
inside the writer's transaction means holding one lock row until the writer commits. Every audited write
(and every person view) would then wait for the longest open writer, an import chunk of hundreds of rows, and
a writer holding a person's row lock while waiting for the chain would deadlock with a chunk holding the
chain and wanting that person. Sealing after commit only INSERTs in writers; sealers take the head row with
``select_for_update`` for a short UPDATE, link the committed events that have no ``seq`` yet in id order,
and cannot fork the chain (one sealer at a time on PostgreSQL; SQLite runs one writer at a time anyway).
Until it is sealed (normally milliseconds after commit), an event is covered by its ``content_hash`` only.

``verify_chain`` recomputes everything and names the first broken link. The hashes are not keyed: someone
who can rewrite the whole table and the head can forge a consistent chain; keep the head hash that
``sinergi audit verify`` prints somewhere else (docs/operations.md) to detect that too.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
import os
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from django.conf import settings
from django.db import IntegrityError, connection, transaction

logger = logging.getLogger(__name__)

GENESIS: Final = "0" * 64
SEAL_BATCH: Final = 2000
# The columns an event's content_hash covers, in this order (a data migration must not change them).
CONTENT_FIELDS: Final = (
    "at",
    "actor_id",
    "agency_id",
    "action",
    "object_type",
    "object_id",
    "summary",
    "detail",
    "ip_address",
    "via",
)


def _canonical(value: Any) -> Any:
    """JSON as both databases give it back: floats that are whole numbers and ints are the same number."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {str(key): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    return value


def normalise_ip(value: str | None) -> str | None:
    """The address as PostgreSQL's inet prints it back (compressed IPv6), so the hash survives the round trip."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return value


def content_hash(values: Mapping[str, Any]) -> str:
    """SHA-256 of an event's content (``CONTENT_FIELDS`` of a row, as a dict)."""
    at = values["at"]
    if isinstance(at, datetime):
        at = at.astimezone(UTC).isoformat(timespec="microseconds")
    content = [
        at,
        values["actor_id"],
        values["agency_id"],
        values["action"],
        values["object_type"],
        values["object_id"],
        values["summary"],
        _canonical(values["detail"]),
        normalise_ip(values["ip_address"]),
        values["via"],
    ]
    encoded = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()


def link_hash(previous: str, seq: int, content: str) -> str:
    return hashlib.sha256(f"{previous}\n{seq}\n{content}".encode()).hexdigest()


def seal_after_commit() -> None:
    """Called where an event is written: seal it once the writer's transaction has committed (once per
    transaction however many events it writes)."""
    pending = getattr(connection, "run_on_commit", [])
    if connection.in_atomic_block and any(entry[1] is _seal_quietly for entry in pending):
        return
    transaction.on_commit(_seal_quietly, robust=True)


def seal_soon() -> None:
    """Called where a *read* is logged (``person.viewed``): with ``SINERGI_AUDIT_SEAL_DELAY`` > 0 the event is
    linked by this process's sealer thread within that many seconds, together with every other event of those
    seconds, so logging a read costs its request one INSERT (and no wait for the chain's head row, which every
    concurrent reader would otherwise queue on). Until then it is covered by its ``content_hash``, as any event
    is before it is sealed; an event whose process stopped first is linked by the next seal anywhere (any
    audited write, `sinergi audit seal`, `sinergi audit verify`). With 0 (the default; tests) it is sealed
    after commit like every other event."""
    if settings.SINERGI_AUDIT_SEAL_DELAY <= 0:
        seal_after_commit()
        return
    transaction.on_commit(_wake_sealer, robust=True)


class _Sealer:
    """One daemon thread per process that seals shortly after it is woken (``seal_soon``)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.wanted = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = 0

    def wake(self) -> None:
        with self.lock:
            # A forked child (a gunicorn worker) does not inherit its parent's thread: it starts its own.
            if self.thread is None or not self.thread.is_alive() or self.pid != os.getpid():
                self.pid = os.getpid()
                self.thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)
                self.thread.start()
        self.wanted.set()

    def _run(self) -> None:
        while True:
            self.wanted.wait()
            time.sleep(settings.SINERGI_AUDIT_SEAL_DELAY)
            self.wanted.clear()
            try:
                seal_events()
            except Exception:
                logger.exception("Sealing audit events failed; they will be sealed later")
            finally:
                # This thread's own connection: not left open between batches (a fresh one next time).
                connection.close()


_sealer = _Sealer()


def _wake_sealer() -> None:
    _sealer.wake()


def _seal_quietly() -> None:
    try:
        seal_events()
    except Exception:
        # The events are committed and keep their content_hash; the next seal (or `audit verify`) links them.
        logger.exception("Sealing audit events failed; they will be sealed later")


def seal_events() -> int:
    """Link the committed events that have no place in the chain yet, oldest id first; returns how many."""
    from sinergi.audit.models import AuditChain, AuditEvent

    sealed = 0
    while True:
        with transaction.atomic():
            head = _locked_head()
            if head is None:
                return sealed
            rows = list(
                AuditEvent.objects.filter(seq__isnull=True)
                .order_by("id")
                .values_list("id", "content_hash", *CONTENT_FIELDS)[:SEAL_BATCH]
            )
            if not rows:
                return sealed
            previous, seq = head.last_hash, head.last_seq
            links: list[tuple[int, str, str, int]] = []
            for row in rows:
                event_id, stored = row[0], row[1]
                if not stored:  # written by a path that did not hash (cannot happen through the model)
                    stored = content_hash(dict(zip(CONTENT_FIELDS, row[2:], strict=True)))
                seq += 1
                previous = link_hash(previous, seq, stored)
                links.append((seq, previous, stored, event_id))
            AuditEvent.objects.seal(links)
            AuditChain.objects.filter(pk=head.pk).update(last_seq=seq, last_hash=previous)
            sealed += len(rows)


def _locked_head() -> Any:
    from sinergi.audit.models import AuditChain, AuditEvent

    head = AuditChain.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    if AuditEvent.objects.filter(seq__isnull=False).exists():
        # The head was removed while the chain has links: starting a new chain would hide that.
        logger.error("The audit chain head is missing; run `sinergi audit verify`")
        return None
    try:
        with transaction.atomic():
            AuditChain.objects.create(pk=1, last_seq=0, last_hash=GENESIS)
    except IntegrityError:
        pass  # another sealer created it at the same moment
    return AuditChain.objects.select_for_update().get(pk=1)


@dataclass(frozen=True, slots=True)
class BrokenLink:
    seq: int | None
    event_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"seq {self.seq}" if self.seq is not None else "unsealed"
        event = f"event #{self.event_id}" if self.event_id is not None else "the chain"
        return f"{event} ({where}): {self.reason}"


@dataclass(frozen=True, slots=True)
class ChainReport:
    events: int
    sealed_now: int
    head_seq: int
    head_hash: str
    first_break: BrokenLink | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def verify_chain(*, seal_first: bool = True) -> ChainReport:
    """Recompute every hash in chain order and report the first link that does not hold."""
    from sinergi.audit.models import AuditChain, AuditEvent

    sealed_now = seal_events() if seal_first else 0
    head = AuditChain.objects.filter(pk=1).first()
    fields = ("id", "seq", "content_hash", "chain_hash", *CONTENT_FIELDS)
    rows: Iterable[tuple[Any, ...]] = (
        AuditEvent.objects.filter(seq__isnull=False).order_by("seq").values_list(*fields).iterator(chunk_size=5000)
    )
    previous, expected, count = GENESIS, 1, 0
    first_break: BrokenLink | None = None
    last_id: int | None = None
    for event_id, seq, stored_content, stored_chain, *content in rows:
        count += 1
        if first_break is not None:
            continue
        if seq != expected:
            first_break = BrokenLink(
                expected,
                last_id,
                f"events seq {expected}–{seq - 1} are missing (removed) after event #{last_id}"
                if last_id is not None
                else f"events seq {expected}–{seq - 1} are missing (removed) at the start of the chain",
            )
            continue
        if content_hash(dict(zip(CONTENT_FIELDS, content, strict=True))) != stored_content:
            first_break = BrokenLink(seq, event_id, "its content was changed after it was written")
            continue
        if link_hash(previous, seq, stored_content) != stored_chain:
            first_break = BrokenLink(seq, event_id, "its chain hash does not follow from the previous event")
            continue
        previous, expected, last_id = stored_chain, seq + 1, event_id
    if first_break is None:
        first_break = _check_head(head, expected - 1, previous, last_id)
    if first_break is None:
        first_break = _check_unsealed()
    count += AuditEvent.objects.filter(seq__isnull=True).count()
    return ChainReport(
        events=count,
        sealed_now=sealed_now,
        head_seq=head.last_seq if head is not None else 0,
        head_hash=head.last_hash if head is not None else GENESIS,
        first_break=first_break,
    )


def _check_head(head: Any, last_seq: int, last_hash: str, last_id: int | None) -> BrokenLink | None:
    if head is None:
        if last_seq:
            return BrokenLink(None, None, "the chain head (audit_auditchain row 1) was removed")
        return None
    if head.last_seq > last_seq:
        return BrokenLink(
            last_seq + 1,
            last_id,
            f"the newest events seq {last_seq + 1}–{head.last_seq} are missing (removed)"
            + (f" after event #{last_id}" if last_id is not None else ""),
        )
    if head.last_seq < last_seq or head.last_hash != last_hash:
        return BrokenLink(head.last_seq, None, "the chain head does not match the last event (head altered)")
    return None


def _check_unsealed() -> BrokenLink | None:
    from sinergi.audit.models import AuditEvent

    rows = AuditEvent.objects.filter(seq__isnull=True).order_by("id").values_list("id", "content_hash", *CONTENT_FIELDS)
    for event_id, stored, *content in rows.iterator(chunk_size=5000):
        if content_hash(dict(zip(CONTENT_FIELDS, content, strict=True))) != stored:
            return BrokenLink(None, event_id, "its content was changed after it was written")
    return None
