"""Responses with personal data are not kept by browsers or proxies (issue 9, finding 7)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# Public, non-personal responses that may be cached as their views say.
CACHEABLE_PREFIXES = ("/static/", "/healthz")


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page and API response of a signed-in user or a token, unless the view
    set its own caching (static files, health check)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(CACHEABLE_PREFIXES):
            return response
        personal = request.path.startswith("/api/") or getattr(request.user, "is_authenticated", False)
        # A view that already forbids storing (exports: "private, no-store") keeps its own header.
        if personal and "no-store" not in response.get("Cache-Control", ""):
            add_never_cache_headers(response)
            response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
        return response
