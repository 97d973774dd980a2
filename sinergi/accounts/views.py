from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Role


@require_GET
def profile(request: AuthedRequest) -> HttpResponse:
    roles = [Role(role) for role in sorted(request.user.role_set())]
    return render(request, "accounts/profile.html", {"roles": roles})
