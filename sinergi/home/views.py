"""The home page: each role starts where its work is (the inbox, what waits for approval, what is late)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.breaches.selectors import home_clocks
from sinergi.home.selectors import home_work


@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "home/home.html",
        {
            "work": home_work(user),
            "can_view_cases": user.has_capability(Capability.VIEW_CASES),
            "can_handle_referrals": user.has_capability(Capability.HANDLE_REFERRALS),
            "can_manage_cases": user.has_capability(Capability.MANAGE_CASES),
            "can_view_kpis": user.has_capability(Capability.VIEW_KPIS),
            "can_view_audit_log": user.has_capability(Capability.VIEW_AUDIT_LOG),
            "can_agree_assistance": user.has_capability(Capability.AGREE_ASSISTANCE),
            "breach_clocks": home_clocks(user),
        },
    )
