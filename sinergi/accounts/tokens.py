"""Issuing, listing, revoking and checking API tokens, and the system accounts partner systems act as."""

from __future__ import annotations

import functools
import hashlib
import secrets

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from sinergi.accounts.backends import remember_roles, user_roles_subquery
from sinergi.accounts.models import Agency, ApiToken, User
from sinergi.accounts.roles import Role
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
SYSTEM_USERNAME_PREFIX = "system."


class TokenError(ValueError):
    """A refusal with a message that says what to do instead."""


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def create_token(*, actor: User | None, user: User, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise TokenError(f"Unknown scopes {unknown}; known: {', '.join(SCOPES)}")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[: len(TOKEN_PREFIX) + 6], key_hash=_hash(secret), scopes=sorted(set(scopes))
    )
    record_event(actor=actor, action="api_token.created", obj=token, summary=f"{name} for {user.username}")
    return token, secret


def system_username(agency: Agency, name: str) -> str:
    """`system.bp3mi-sulteng.siks-ng-sentra`: one account per agency and partner system."""
    slug = slugify(name) or "api"
    return f"{SYSTEM_USERNAME_PREFIX}{agency.code}.{slug}"[:150]


@transaction.atomic
def get_or_create_system_account(*, actor: User | None, agency: Agency, name: str) -> User:
    """The account a partner system acts as: of `agency`, a data officer (it may import), no usable password.

    A second token for the same agency and system name acts as the same account (rotate, then revoke the old).
    """
    username = system_username(agency, name)
    account = User.objects.select_for_update().filter(username=username).first()
    if account is not None:
        if not account.is_system_account or account.agency_id != agency.pk:
            raise TokenError(f"The username {username!r} belongs to a person's account; choose another system name.")
        return account
    account = User(username=username, agency=agency, first_name=name[:150], is_system_account=True)
    # No password can match: the account never logs into the pages, it only acts through its tokens.
    account.set_unusable_password()
    account.save()
    account.set_roles([Role.OPERATOR_DATA])
    record_event(actor=actor, action="system_account.created", obj=account, summary=f"{name} ({agency.code})")
    return account


def create_system_token(*, actor: User | None, agency: Agency, name: str, scopes: list[str]) -> tuple[ApiToken, str]:
    with transaction.atomic():
        account = get_or_create_system_account(actor=actor, agency=agency, name=name)
        return create_token(actor=actor, user=account, name=name, scopes=scopes)


def tokens_for_listing(*, agency: Agency | None = None) -> QuerySet[ApiToken]:
    tokens = ApiToken.objects.select_related("user__agency").order_by("user__agency__code", "name", "created_at")
    return tokens.filter(user__agency=agency) if agency is not None else tokens


@transaction.atomic
def revoke_token(*, actor: User | None, prefix: str = "", token_id: int | None = None) -> ApiToken:
    """Revoke the active token with this prefix (as `token list` shows it; `sng_` optional) or this id."""
    active = ApiToken.objects.select_for_update().filter(revoked_at__isnull=True)
    if token_id is not None:
        matches = list(active.filter(pk=token_id))
        wanted = f"#{token_id}"
    else:
        wanted = prefix if prefix.startswith(TOKEN_PREFIX) else TOKEN_PREFIX + prefix
        matches = list(active.filter(prefix=wanted).order_by("pk"))
    if not matches:
        raise TokenError(f"No active token {wanted!r}: see `sinergi token list`.")
    if len(matches) > 1:
        ids = ", ".join(str(token.pk) for token in matches)
        raise TokenError(f"Several active tokens start with {wanted!r} (ids {ids}): revoke one with --id.")
    [token] = matches
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record_event(actor=actor, action="api_token.revoked", obj=token, summary=f"{token.name} ({token.prefix})")
    return token


@functools.cache
def _live_tokens() -> QuerySet[ApiToken]:
    """Unrevoked tokens with their user, agency and the user's roles (one query per API request, instead of a
    second for the roles); built once per process, filtered per request."""
    return (
        ApiToken.objects.select_related("user__agency")
        .annotate(user_roles=user_roles_subquery("user_id"))
        .filter(revoked_at__isnull=True)
    )


def user_for_token(secret: str) -> tuple[User, ApiToken] | None:
    found = list(_live_tokens().filter(key_hash=_hash(secret)))  # key_hash is unique
    token = found[0] if found else None
    if token is None or not token.user.is_active:
        return None
    remember_roles(token.user, token.user_roles)  # type: ignore[attr-defined]
    now = timezone.now()
    # Write at most once a minute: a busy integration must not turn every read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user, token
