"""Idempotency-Key for batch pushes: a retried request is answered from memory instead of running twice.

The key is claimed by inserting its row before the work starts (committed at once, so a second request sees
it); the unique constraint on (account, key) decides which of two simultaneous requests runs. The answer is
stored with the key when the work committed. Keys are remembered for ``KEY_TTL`` (24 hours).

Only answers of work that ran are stored: a request refused because of invalid records wrote nothing, so
its key is released and the corrected records may be sent with the same key.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import ApiToken, User
from sinergi.changes.models import IdempotencyKey

KEY_TTL = timedelta(hours=24)
# A key still "in progress" this long after it was claimed belongs to a request that died (worker killed):
# a retry may take it over instead of waiting a day.
ABANDONED_AFTER = timedelta(minutes=15)
MAX_KEY_LENGTH = 200


class KeyRefused(Exception):
    """The request cannot run under this key; ``status`` (409 or 422) and the message say why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class StoredAnswer:
    status_code: int
    body: dict[str, Any]


def request_hash(body: Any) -> str:
    """SHA-256 of the request body as JSON with sorted keys: spacing and key order do not make it another request."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str | None) -> str:
    """The key, or KeyRefused(422) saying how to send one."""
    key = (key or "").strip()
    if not key:
        raise KeyRefused(
            422,
            _(
                "Send an Idempotency-Key header: a new unique value (e.g. a UUID) per batch, the same value when "
                "you retry that batch."
            ),
        )
    if not key.isprintable():
        raise KeyRefused(422, _("The Idempotency-Key contains control characters: use letters, digits and dashes."))
    if len(key) > MAX_KEY_LENGTH:
        raise KeyRefused(
            422, _("The Idempotency-Key is too long: use at most %(max)s characters.") % {"max": MAX_KEY_LENGTH}
        )
    return key


def claim_key(*, user: User, token: ApiToken | None, key: str, body_hash: str) -> IdempotencyKey | StoredAnswer:
    """The claimed key (the caller runs the work, then `complete_key` or `release_key`), or the stored answer
    of the earlier request with this key and body. KeyRefused when the key is in use or was used differently."""
    now = timezone.now()
    # Housekeeping on the way: keys older than a day are forgotten (indexed on created_at, so cheap).
    IdempotencyKey.objects.filter(created_at__lt=now - KEY_TTL).delete()
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(user=user, token=token, key=key, request_hash=body_hash)
    except IntegrityError:
        pass
    existing = IdempotencyKey.objects.filter(user=user, key=key).first()
    if existing is None:
        # Released between our insert and this read: the other request wrote nothing; ask for a retry.
        raise KeyRefused(409, _("A request with this Idempotency-Key is in progress: retry in a few seconds."))
    if existing.request_hash != body_hash:
        raise KeyRefused(
            422,
            _(
                "This Idempotency-Key was used for a different request in the last 24 hours: use a new key for "
                "new records, the same key only to retry the same body."
            ),
        )
    if existing.status_code is not None:
        return StoredAnswer(existing.status_code, existing.response)
    # Take over a key whose request died; the conditional UPDATE lets only one retry win it.
    if existing.created_at < now - ABANDONED_AFTER and (
        IdempotencyKey.objects.filter(pk=existing.pk, status_code__isnull=True, created_at=existing.created_at).update(
            created_at=now, token=token
        )
    ):
        existing.created_at = now
        return existing
    raise KeyRefused(409, _("A request with this Idempotency-Key is in progress: retry in a few seconds."))


def complete_key(claimed: IdempotencyKey, *, status_code: int, body: dict[str, Any]) -> None:
    """Store the answer; call inside the transaction of the work, so the two commit together."""
    IdempotencyKey.objects.filter(pk=claimed.pk).update(
        status_code=status_code, response=body, completed_at=timezone.now()
    )


def release_key(claimed: IdempotencyKey) -> None:
    """Forget the claim: nothing was written, the same key may be used again."""
    IdempotencyKey.objects.filter(pk=claimed.pk, status_code__isnull=True).delete()
