from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.audit import export
from sinergi.audit.events import record_event
from sinergi.audit.forms import ACTION_CHOICES, AuditSearchForm
from sinergi.audit.labels import action_label, via_label
from sinergi.audit.selectors import search_audit_events

PAGE_SIZE = 50


def _require_auditor(request: AuthedRequest) -> None:
    if not request.user.has_capability(Capability.VIEW_AUDIT_LOG):
        raise PermissionDenied(
            _("Only auditors, supervisors and administrators can read the audit trail; ask one of them.")
        )


@require_GET
def events(request: AuthedRequest) -> HttpResponse:
    """The audit trail and access log, newest first, for auditors and supervisors of the agency."""
    _require_auditor(request)
    form = AuditSearchForm(request.GET)
    search = form.search()
    queryset = search_audit_events(request.user, search)
    before = request.GET.get("before", "")
    if before.isdigit():
        queryset = queryset.filter(id__lt=int(before))
    page = list(queryset[: PAGE_SIZE + 1])
    next_before = page[PAGE_SIZE - 1].pk if len(page) > PAGE_SIZE else None
    rows = [(event, action_label(event.action), via_label(event.via)) for event in page[:PAGE_SIZE]]
    query = request.GET.copy()
    query.pop("before", None)
    return render(
        request,
        "audit/events.html",
        {
            "events": page[:PAGE_SIZE],
            "next_before": next_before,
            "form": form,
            "action_choices": ACTION_CHOICES,
            "action": search.action,
            "query": query.urlencode(),
            "max_export_rows": export.MAX_EXPORT_ROWS,
            "rows": rows,
        },
    )


@require_GET
def export_events(request: AuthedRequest, fmt: str) -> HttpResponseBase:
    """The events the search finds (at most MAX_EXPORT_ROWS), as CSV or XLSX; the export is itself audited."""
    _require_auditor(request)
    search = AuditSearchForm(request.GET).search()
    queryset = search_audit_events(request.user, search)
    record_event(
        actor=request.user, action="audit.exported", summary=fmt.upper(), detail={"format": fmt, **search.as_dict()}
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        response = HttpResponse(
            export.xlsx_bytes(queryset),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="jejak-audit-{stamp}.xlsx"'
        return response
    streaming = StreamingHttpResponse(export.csv_lines(queryset), content_type="text/csv; charset=utf-8")
    streaming["Content-Disposition"] = f'attachment; filename="jejak-audit-{stamp}.csv"'
    return streaming
