"""The whole API against its own OpenAPI schema, with requests schemathesis generates from it.

For every operation, valid and deliberately invalid requests (wrong types, missing fields, strings where numbers
go) are sent in-process to the WSGI application over the demo data, as a partner system would send them with a
token of every scope. Each answer must: not be a 5xx, have a status the schema documents for that operation, have
the documented content type, and match the documented body schema. A failure names the operation and the request
(as a curl command) that broke it.

The quick run (default: a few examples per operation and mode, about 2,000 requests) is part of `make test`, so
CI runs it on SQLite and PostgreSQL. `SINERGI_API_FUZZ_EXAMPLES=100` runs a longer one (see docs/api.md).
"""

from __future__ import annotations

import io
import os
from typing import Any

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sinergi.accounts.models import User
from sinergi.accounts.tokens import SCOPES, create_token
from sinergi.api.urls import api

EXAMPLES = int(os.environ.get("SINERGI_API_FUZZ_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)


@pytest.fixture
def wsgi_in_test_transaction() -> Any:
    """The WSGI app without Django closing the connection after each request (the test's transaction would go).

    Django's test client does the same; requests then run inside the test's transaction and roll back with it.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _failure_text(label: str, mode: str, error: BaseException) -> str:
    return f"{label} ({mode}): {type(error).__name__}: {str(error)[:1500]}"


@pytest.mark.django_db
def test_every_operation_answers_as_its_schema_says(wsgi_in_test_transaction: Any) -> None:
    call_command("demo", persons=30, seed=5, stdout=io.StringIO())
    supervisor = User.objects.get(username="bp3mi.kepala")
    _, secret = create_token(actor=None, user=supervisor, name="schema fuzz", scopes=list(SCOPES))
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "id"}

    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = wsgi_in_test_transaction
    schema.base_url = "http://testserver"  # the host Django's test settings allow

    failures: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in MODES:
            strategy = operation.as_strategy(generation_mode=mode)

            @settings(
                max_examples=EXAMPLES,
                database=None,  # the same examples on every run: CI stays reproducible
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=strategy)
            def exercise(case: schemathesis.Case) -> None:
                nonlocal sent
                sent += 1
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                exercise()
            except Unsatisfiable:
                # No invalid request exists for this operation (e.g. only free-text parameters): nothing to send.
                assert mode == schemathesis.GenerationMode.NEGATIVE, operation.label
            # Every operation's failure is reported, not only the first one.
            except (Exception, BaseExceptionGroup) as error:
                failures.append(_failure_text(operation.label, mode.value, error))

    print(f"schema fuzz: {sent} requests, {len(list(schema.get_all_operations()))} operations")
    assert sent > 0
    assert not failures, "\n\n".join(failures)


def test_every_schema_name_is_used_by_one_class_only() -> None:
    """Two schema classes of one name become one entry in the OpenAPI document, and one endpoint is then
    documented with the other's shape (`GET /persons/{id}` was documented with the special-assistance person)."""
    from ninja import Schema

    def subclasses(cls: type) -> list[type]:
        found = []
        for sub in cls.__subclasses__():
            found.append(sub)
            found += subclasses(sub)
        return found

    api.get_openapi_schema()  # every router imported
    by_name: dict[str, set[str]] = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith("sinergi.") and ".tests." not in cls.__module__:
            by_name.setdefault(cls.__name__, set()).add(cls.__module__)
    clashes = {name: modules for name, modules in by_name.items() if len(modules) > 1}
    assert not clashes
