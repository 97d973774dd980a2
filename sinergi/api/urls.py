"""The REST API (django-ninja): /api/v1/, OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import DataError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from sinergi.api.auth import SessionAuth, TokenAuth
from sinergi.api.openapi import SinergiAPI
from sinergi.api.parsing import CheckedParser, UnstorableText
from sinergi.assessments.api import router as assessments_router
from sinergi.assistance.api import router as assistance_router
from sinergi.benefits.api import router as benefits_router
from sinergi.breaches.api import router as breaches_router
from sinergi.cases.api import router as cases_router
from sinergi.changes.api import router as changes_router
from sinergi.imports.api import router as imports_router
from sinergi.matching.api import router as matching_router
from sinergi.outreach.api import router as outreach_router
from sinergi.privacy.api import router as privacy_router
from sinergi.programmes.api import router as programmes_router
from sinergi.referrals.api import router as referrals_router
from sinergi.regions.api import router as regions_router
from sinergi.registry.api import router as registry_router
from sinergi.reports.api import router as reports_router
from sinergi.sharing.api import router as sharing_router
from sinergi.statements.api import router as statements_router

logger = logging.getLogger(__name__)

api = SinergiAPI(
    title="Sinergi API",
    version="1",
    description=(
        "Inter-agency protection of Indonesian migrant workers. Authenticate with `Authorization: Bearer <token>` "
        '(`sinergi token create`) or a browser session. Errors: `{"detail": ..., "errors": {field: [messages]}}` '
        "in the language of `Accept-Language` (id, en)."
    ),
    auth=[TokenAuth(), SessionAuth()],
    parser=CheckedParser(),
    urls_namespace="api",
)
api.add_router("/persons", registry_router)
api.add_router("/regions", regions_router)
api.add_router("/cases", cases_router)
api.add_router("/referrals", referrals_router)
api.add_router("/imports", imports_router)
api.add_router("/matches", matching_router)
api.add_router("/special-assistance", assistance_router)
api.add_router("/sharing", sharing_router)
api.add_router("/assessments", assessments_router)
api.add_router("/benefits", benefits_router)
api.add_router("/programmes", programmes_router)
api.add_router("/outreach", outreach_router)
api.add_router("/statements", statements_router)
api.add_router("/reports", reports_router)
api.add_router("/privacy", privacy_router)
api.add_router("/breaches", breaches_router)
# /changes and /persons:batch (the feed and the push partner systems use).
api.add_router("", changes_router)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(request, {"detail": _("Not found.")}, status=404)


@api.exception_handler(NinjaValidationError)
def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    """Malformed bodies and parameters answer in the same shape as the services' InvalidData."""
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        # ("body", "payload", "birth_date") → "birth_date": the field name a client sent.
        parts = [str(part) for part in error.get("loc", ())[1:]]
        location = (parts[1:] if parts[:1] == ["payload"] else parts) or ["__all__"]
        errors.setdefault(".".join(location), []).append(str(error.get("msg", "")))
    detail = _("The request is not valid: fix the fields listed.")
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def value_out_of_range(request: HttpRequest, exc: Any) -> HttpResponse:
    """A number beyond what the database column holds (or text beyond its length) is the client's input to fix.

    The service that raised it ran in a transaction, so nothing was written. Found by the schema fuzz: an id of
    10**20 in a list of partner agencies raised OverflowError on SQLite and DataError on PostgreSQL (a 500).
    """
    detail = _("A value is too large or too long for its field: check the numbers and the length of the texts.")
    return api.create_response(request, {"detail": detail, "errors": {"__all__": [detail]}}, status=422)


@api.exception_handler(UnstorableText)
def unstorable_text(request: HttpRequest, exc: UnstorableText) -> HttpResponse:
    """A NUL or a lone surrogate in the body or a query parameter: 422 naming where, as a field error would."""
    detail = _("The request is not valid: fix the fields listed.")
    return api.create_response(request, {"detail": detail, "errors": {exc.location: [str(exc)]}}, status=422)


api.add_exception_handler(OverflowError, value_out_of_range)
api.add_exception_handler(DataError, value_out_of_range)


@api.exception_handler(OperationalError)
def database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    """The database did not answer in time (SQLite's "database is locked" after its lock timeout, a dropped
    PostgreSQL connection): the request's transaction was rolled back, so the client may simply send it again.
    Found by bench/bench_reliability.py: 50 batch pushes at once on SQLite got a few 500 HTML pages."""
    logger.warning("Database busy or unreachable on %s %s", request.method, request.path, exc_info=exc)
    detail = _("The database is busy; nothing was saved. Send the request again in a few seconds.")
    response = api.create_response(request, {"detail": detail}, status=503)
    response["Retry-After"] = "5"
    return response


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """ninja's own refusals; the one it raises for an unreadable body gets a message that says what to send."""
    if exc.status_code == 400 and isinstance(exc.__cause__, UnstorableText):
        return unstorable_text(request, exc.__cause__)
    if exc.status_code == 400:
        detail = _("The body could not be read: send valid JSON (or multipart form data where a file is uploaded).")
    else:
        detail = str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return api.create_response(
        request,
        {"detail": str(exc) or _("Your role does not allow this. Ask your supervisor if you need it.")},
        status=403,
    )


def _exempt_from_login_redirect(patterns: list) -> None:  # type: ignore[type-arg]
    # The API answers 401 itself; LoginRequiredMiddleware must not redirect it to the login page.
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            _exempt_from_login_redirect(pattern.url_patterns)
        elif hasattr(pattern, "callback"):
            pattern.callback.login_required = False


# `api.urls` builds new view functions on every access: take it once, exempt it, include that.
api_urls = api.urls
_exempt_from_login_redirect(api_urls[0])
