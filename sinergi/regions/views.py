from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from sinergi.regions.picker import RegionPickerMixin


@require_GET
def region_picker(request: HttpRequest) -> HttpResponse:
    """The picker alone, re-rendered for the levels chosen so far (htmx swaps it into the form)."""
    prefix = request.GET.get("prefix") or None
    form = RegionPickerMixin(data=request.GET, prefix=prefix)
    form.setup_region_picker()
    return render(request, "regions/picker.html", {"form": form})
