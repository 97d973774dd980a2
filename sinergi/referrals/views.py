from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sinergi.accounts.http import AuthedRequest
from sinergi.referrals.selectors import get_referral_for_user


@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    referral = get_referral_for_user(request.user, pk)
    return render(request, "referrals/detail.html", {"referral": referral})


@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    from sinergi.referrals.selectors import referrals_visible_to

    referrals = referrals_visible_to(request.user).select_related("case", "from_agency", "to_agency")[:50]
    return render(request, "referrals/inbox.html", {"referrals": referrals})
