"""Two-factor login required for the roles that can do the most (issue 9, finding 3).

`SINERGI_MFA_REQUIRED_ROLES` (default: supervisors, data officers, admins; empty switches it off) names the
roles that must have TOTP switched on. Until they do, every page sends them to the TOTP setup page (the account
pages, logout and static files stay reachable) and the API refuses their session with 403. Bearer tokens are
for partner systems and scripts, issued by an admin, and are not affected. Superusers count as admins.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from sinergi.accounts.models import User

# Paths a user without TOTP may still open: the account pages (TOTP setup, logout), static files, health.
OPEN_PREFIXES = ("/akun/", "/static/", "/healthz", "/i18n/")


def mfa_required_for(user: User) -> bool:
    required = set(settings.SINERGI_MFA_REQUIRED_ROLES)
    if not required or not user.is_authenticated:
        return False
    if user.is_superuser and "admin" in required:
        return True
    return bool({str(role) for role in user.role_set()} & required)


# Loaded with the request's user (accounts/backends.py; registered in apps.py): the check on every page of a
# role that needs two-factor login costs no query of its own.
HAS_TOTP = "has_totp_loaded"


def has_totp_expression() -> Exists:
    from allauth.mfa.models import Authenticator

    return Exists(Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP))


def has_totp(user: User) -> bool:
    loaded: bool | None = getattr(user, HAS_TOTP, None)
    if loaded is not None:
        return loaded
    from allauth.mfa.models import Authenticator

    found: bool = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return found


class RequireMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            isinstance(user, User)
            and not request.path.startswith(OPEN_PREFIXES)
            and not request.headers.get("Authorization", "").startswith("Bearer ")
            and mfa_required_for(user)
            and not has_totp(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Your role requires two-factor login. Switch it on under your account first.")},
                    status=403,
                )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
