"""Calling the API as a partner system: a token's `Authorization: Bearer` header on every request."""

from __future__ import annotations

from typing import Any

from django.test import Client

from sinergi.accounts.models import Agency, User
from sinergi.accounts.tokens import create_system_token, create_token


class ApiClient:
    """The test client sending `Authorization: Bearer <secret>` on every call."""

    def __init__(self, secret: str) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self.headers)

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            path, body, content_type="application/json", headers={**self.headers, **(headers or {})}
        )


def api_as(user: User, *scopes: str) -> ApiClient:
    _, secret = create_token(actor=None, user=user, name="test", scopes=list(scopes or ("persons:read",)))
    return ApiClient(secret)


def system_api(agency: Agency, name: str = "SIKS-NG", *scopes: str) -> ApiClient:
    _, secret = create_system_token(
        actor=None, agency=agency, name=name, scopes=list(scopes or ("persons:read", "persons:write"))
    )
    return ApiClient(secret)
