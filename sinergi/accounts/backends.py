"""The signed-in user of a page request, loaded with what every page asks of it in one query.

Every page needs the user (`request.user`), the user's roles (the menu and each permission check) and a few
per-user figures: the unread-notification badge (registered by the notifications app, above this one) and,
for the roles that must use two-factor login, whether the user has TOTP (`mfa.py`). Django's backends load the user
alone; the roles and each figure were then one query more on every page. These backends load them together:
the roles as one aggregated sub-select, and each figure an app registered at start-up
(`register_user_annotation`) as another, so this app names no app above it.

Only the loading changes: the session check (`get_session_auth_hash`), `is_active` (`user_can_authenticate`)
and every capability check behave as before, and the roles are read fresh from the database on every request
(a role taken away counts from the next page on, as before).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.db.models import OuterRef, QuerySet, StringAgg, Subquery, Value
from django.db.models.expressions import BaseExpression

from sinergi.accounts.models import User, UserRole
from sinergi.accounts.roles import Role

_USER_ANNOTATIONS: dict[str, Callable[[], BaseExpression]] = {}
_ROLES = "request_roles"


def register_user_annotation(name: str, expression: Callable[[], BaseExpression]) -> None:
    """Load `expression()` (a sub-select on the user's `pk`) as `user.<name>` with the request's user. Called
    from an app's `ready()`; read it with `getattr(user, name, None)`: a user loaded otherwise (a token's, a
    test's) does not carry it."""
    _USER_ANNOTATIONS[name] = expression
    users_for_requests.cache_clear()


def user_roles_subquery(user: str = "pk") -> Subquery:
    """The roles of the user `user` (an outer reference) as one comma-separated string (NULL for none)."""
    roles = (
        UserRole.objects.filter(user=OuterRef(user))
        .order_by()
        .values("user")
        .annotate(roles=StringAgg("role", delimiter=Value(",")))
        .values("roles")
    )
    return Subquery(roles)


def remember_roles(user: User, loaded: str | None) -> None:
    """Keep the roles loaded by `user_roles_subquery` as the user's role set for this request."""
    user.__dict__["_role_cache"] = frozenset(Role(role) for role in (loaded or "").split(",") if role)


@functools.cache
def users_for_requests() -> QuerySet[User]:
    """Built once per process (building the sub-selects cost 2 ms a request); callers filter a copy, and this
    queryset itself is never evaluated."""
    figures: dict[str, Any] = {name: expression() for name, expression in _USER_ANNOTATIONS.items()}
    return User.objects.annotate(**{_ROLES: user_roles_subquery()}, **figures)


def load_request_user(user_id: Any) -> User | None:
    found = list(users_for_requests().filter(pk=user_id))  # at most one: no ORDER BY as .first() would add
    user = found[0] if found else None
    if user is not None:
        remember_roles(user, getattr(user, _ROLES))
    return user


class ModelBackend(DjangoModelBackend):
    """Django's username/password backend; the user of a session is loaded by `load_request_user`."""

    def get_user(self, user_id: Any) -> User | None:
        user = load_request_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class AllauthAuthenticationBackend(AllauthBackend):
    """allauth's backend (the sessions its login and two-factor flow make name it); loaded the same way."""

    def get_user(self, user_id: Any) -> User | None:
        user = load_request_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
