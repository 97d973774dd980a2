from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sinergi.audit.events import RequestOrigin, current_origin


class AuditOriginMiddleware:
    """Remembers where the current request came from for audit events written during it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        via = "api" if request.path.startswith("/api/") else "web"
        token = current_origin.set(RequestOrigin(ip_address=request.META.get("REMOTE_ADDR"), via=via))
        try:
            return self.get_response(request)
        finally:
            current_origin.reset(token)
