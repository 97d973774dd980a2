"""Issuing and checking API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from sinergi.accounts.models import ApiToken, User
from sinergi.audit.events import record_event

TOKEN_PREFIX = "sng_"
SCOPES = (
    "persons:read",
    "persons:write",
    "cases:read",
    "cases:write",
    "referrals:read",
    "referrals:write",
)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(*, actor: User | None, user: User, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"Unknown scopes {unknown}; known: {', '.join(SCOPES)}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[: len(TOKEN_PREFIX) + 6], key_hash=_hash(secret), scopes=sorted(set(scopes))
    )
    record_event(actor=actor, action="api_token.created", obj=token, summary=f"{name} for {user.username}")
    return token, secret


def user_for_token(secret: str) -> tuple[User, ApiToken] | None:
    token = (
        ApiToken.objects.select_related("user__agency").filter(key_hash=_hash(secret), revoked_at__isnull=True).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Write at most once a minute: a busy integration must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token
