from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sinergi.accounts.http import AuthedRequest
from sinergi.cases.selectors import get_case_for_user


@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    return render(request, "cases/detail.html", {"case": case})


@require_GET
def case_list(request: AuthedRequest) -> HttpResponse:
    from sinergi.cases.selectors import cases_visible_to

    cases = cases_visible_to(request.user).select_related("person").order_by("-id")[:50]
    return render(request, "cases/list.html", {"cases": cases})
