from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sinergi.accounts.roles import Role


@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    roles = [Role(role) for role in sorted(request.user.role_set())]
    return render(request, "accounts/profile.html", {"roles": roles})
