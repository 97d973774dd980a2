from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer

from sinergi.accounts.tokens import user_for_token


class TokenAuth(HttpBearer):
    """`Authorization: Bearer sng_…` for partner systems and scripts."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        found = user_for_token(token)
        if found is None:
            return None
        user, api_token = found
        request.user = user
        request.api_token = api_token  # type: ignore[attr-defined]
        return user


class SessionAuth(APIKeyCookie):
    """The browser's login session (CSRF-checked for writes), so pages' scripts and the docs can call the API."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            request.api_token = None  # type: ignore[attr-defined]
            return user
        return None


def has_scope(request: HttpRequest, scope: str) -> bool:
    token = getattr(request, "api_token", None)
    return token is None or scope in token.scopes


def require_scope(request: HttpRequest, scope: str) -> None:
    """403 unless the request's token carries `scope` (a browser session carries all)."""
    if not has_scope(request, scope):
        raise PermissionDenied(
            _("This API token lacks the scope %(scope)s: create a token with it (sinergi token create --scopes ...).")
            % {"scope": scope}
        )
