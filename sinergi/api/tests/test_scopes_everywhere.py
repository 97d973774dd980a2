"""Every operation of the API refuses a token without scopes: generated from the OpenAPI schema, so a new
endpoint that forgets its `require_scope` fails here. Only the public operations (no security in the schema:
public statistics, published statements) and two reference reads answer; none of them fails on an empty
installation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from sinergi.accounts.tokens import create_token
from sinergi.api.urls import api

METHODS = ("get", "post", "put", "patch", "delete")
# Reference and validation for any signed-in caller: they read nobody's data (region names; what a NIK's digits say,
# without looking it up in any registry).
REFERENCE = {("get", "/api/v1/regions"), ("get", "/api/v1/persons/nik/{nik}")}


def operations() -> list[tuple[str, str, bool]]:
    schema = api.get_openapi_schema()
    found = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is not None:
                public = operation.get("security", None) == [] or "security" not in operation
                found.append((method, path, public))
    return found


@pytest.mark.parametrize(("method", "path", "public"), operations())
def test_a_token_without_scopes_gets_nothing(client: Client, alice: Any, method: str, path: str, public: bool) -> None:
    _, secret = create_token(actor=None, user=alice, name="no scopes", scopes=[])
    url = re.sub(r"\{[^}]+\}", "1", path)
    response = getattr(client, method)(
        url,
        data={} if method == "get" else "{}",
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    if public or (method, path) in REFERENCE:
        assert response.status_code < 500, (method, path)
        return
    assert response.status_code in (403, 422), (method, path, response.status_code)
