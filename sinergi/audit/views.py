from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.audit.selectors import audit_events_visible_to

PAGE_SIZE = 50


@require_GET
def events(request: AuthedRequest) -> HttpResponse:
    """The audit trail and access log, newest first, for auditors and supervisors of the agency."""
    if not request.user.has_capability(Capability.VIEW_AUDIT_LOG):
        raise PermissionDenied(
            _("Only auditors, supervisors and administrators can read the audit trail; ask one of them.")
        )
    queryset = audit_events_visible_to(request.user).select_related("actor", "agency").order_by("-id")
    action = request.GET.get("action", "")
    person = request.GET.get("person", "")
    if action:
        queryset = queryset.filter(action=action)
    if person.isdigit():
        queryset = queryset.filter(object_type="registry.person", object_id=person)
    before = request.GET.get("before", "")
    if before.isdigit():
        queryset = queryset.filter(id__lt=int(before))
    page = list(queryset[: PAGE_SIZE + 1])
    next_before = page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None
    return render(
        request,
        "audit/events.html",
        {"events": page[:PAGE_SIZE], "next_before": next_before, "action": action, "person": person},
    )
