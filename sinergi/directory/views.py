from itertools import groupby

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sinergi.accounts.http import AuthedRequest
from sinergi.directory.models import Service


@require_GET
def service_list(request: AuthedRequest) -> HttpResponse:
    """The service directory: what each agency offers, to whom, where (public facts, no personal data)."""
    services = Service.objects.filter(is_active=True, agency__is_active=True).select_related("agency", "region")
    by_agency = [
        (agency, list(items))
        for agency, items in groupby(services.order_by("agency__name", "name"), key=lambda s: s.agency)
    ]
    return render(request, "directory/list.html", {"by_agency": by_agency})
