"""The answers every operation can give, documented once for the whole schema.

Each endpoint declares what its own logic answers (200, 201, 409 …). The answers that come from the layers around
it are the same everywhere, so they are added here rather than repeated (and forgotten) in every `response={…}`:

- 400 — a body that cannot be parsed (not JSON, a broken multipart body), on every operation with a body;
- 401 — no token or session, 403 — a token without the scope or a role without the capability, on every
  operation that needs authentication;
- 404 — "not found" and "not yours" alike, on every operation with a path parameter;
- 422 — a parameter or a body field of the wrong type or missing, on every operation with parameters or a body;
- 503 — the database did not answer in time (nothing was saved; retry after `Retry-After` seconds), on every
  operation.

All have the one error shape (`ErrorOut`). The quick schemathesis run in the suite
(`api/tests/test_schema_fuzz.py`) checks that no operation answers a status the schema does not list.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema

METHODS = ("get", "post", "put", "patch", "delete")
ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}

COMMON_ANSWERS = {
    "400": _("The body could not be read: send valid JSON (or multipart form data where a file is uploaded)."),
    "401": _("No valid token or session: send `Authorization: Bearer <token>`."),
    "403": _("The token lacks the scope, or the account's role lacks the capability."),
    "404": _("Not found, or not visible to this account (both answer the same)."),
    "422": _("A parameter or field is missing or of the wrong type: `errors` names each one."),
    "503": _("The database is busy; nothing was saved: send the request again after `Retry-After` seconds."),
}


def _answers_for(operation: dict[str, Any]) -> list[str]:
    parameters = operation.get("parameters", [])
    has_body = "requestBody" in operation
    answers = []
    if has_body:
        answers.append("400")
    if operation.get("security") != [] and "security" in operation:
        answers += ["401", "403"]
    if any(parameter.get("in") == "path" for parameter in parameters):
        answers.append("404")
    if parameters or has_body:
        answers.append("422")
    answers.append("503")
    return answers


def document_common_answers(schema: dict[str, Any]) -> dict[str, Any]:
    for item in schema.get("paths", {}).values():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            declared = {str(status) for status in responses}  # ninja's keys are ints
            for status in _answers_for(operation):
                if status not in declared:
                    content = {"application/json": {"schema": ERROR_REF}}
                    responses[int(status)] = {"description": str(COMMON_ANSWERS[status]), "content": content}
    return schema


class SinergiAPI(NinjaAPI):
    """NinjaAPI whose published schema lists the common answers too (see the module docstring)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_common_answers(schema)
        return schema
