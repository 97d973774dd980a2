"""Import pages: the agency's imports, upload, column mapping, preview, progress and result.

Forms parse, services decide and write, selectors read. The slow steps (checking the file, importing it)
run in the task worker; their pages poll a small status fragment every second (htmx) and reload when the
step is over.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.imports import services
from sinergi.imports.columns import FIELD_LABELS
from sinergi.imports.forms import MappingForm, UploadForm
from sinergi.imports.models import BatchStatus, ImportBatch, ImportRow, RowAction
from sinergi.imports.selectors import batches_visible_to, get_batch_for_user
from sinergi.sources.selectors import sources_for
from sinergi.sources.services import SourceError

S = BatchStatus
LIST_LIMIT = 50
ROWS_PER_PAGE = 50
# The preview's counts, in the order a data officer reads them.
COUNTED_ACTIONS = (RowAction.CREATE, RowAction.LINK, RowAction.UPDATE, RowAction.UNCHANGED, RowAction.ERROR)
# What each count means to the data officer: a first link also fills the person's empty fields, which is not
# an "update" (a value this source sent before that changed), so the labels say so.
COUNT_LABELS = {
    RowAction.CREATE: gettext_lazy("New persons"),
    RowAction.LINK: gettext_lazy("Linked to a registered person (empty fields filled in)"),
    RowAction.UPDATE: gettext_lazy("Updated: values this source sent before that changed"),
    RowAction.UNCHANGED: gettext_lazy("Unchanged since this source's last import"),
    RowAction.ERROR: gettext_lazy("Rows with errors (skipped)"),
}


def _require_importer(request: AuthedRequest) -> None:
    if not request.user.has_capability(Capability.IMPORT_DATA):
        raise PermissionDenied(_("Your role does not allow importing data. Ask your supervisor if you need it."))


def review_queue_url() -> str:
    """The matching review queue (its page may be named differently while it is built)."""
    try:
        return reverse("matching:queue")
    except NoReverseMatch:
        return "/pencocokan/"


@require_GET
def batch_list(request: AuthedRequest) -> HttpResponse:
    _require_importer(request)
    batches = batches_visible_to(request.user).select_related("source", "created_by", "applied_by")[:LIST_LIMIT]
    return render(request, "imports/list.html", {"batches": batches, "limit": LIST_LIMIT})


@require_http_methods(["GET", "POST"])
def new(request: AuthedRequest) -> HttpResponse:
    _require_importer(request)
    sources = sources_for(request.user)
    form = UploadForm(request.POST or None, request.FILES or None, sources=sources)
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"]
        try:
            batch = services.start_import(
                actor=request.user,
                upload=form.cleaned_data["file"],
                source_id=source.pk if source else None,
                source_name=form.cleaned_data["new_source"],
                language=request.LANGUAGE_CODE,
            )
        except services.UploadRefused as refused:
            form.add_error("file", str(refused))
        except SourceError as refused:
            form.add_error("new_source", str(refused))
        else:
            if batch.status == S.MAPPING:
                return redirect("imports:mapping", pk=batch.pk)
            return redirect("imports:detail", pk=batch.pk)
    return render(request, "imports/new.html", {"form": form})


@require_http_methods(["GET", "POST"])
def mapping(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    if batch.status not in (S.MAPPING, S.PREVIEW):
        return redirect("imports:detail", pk=batch.pk)
    form = MappingForm(request.POST or None, columns=list(batch.columns), mapping=dict(batch.column_mapping))
    if request.method == "POST" and form.is_valid():
        try:
            services.choose_mapping(
                actor=request.user,
                batch_id=batch.pk,
                mapping=form.cleaned_data["mapping"],
                remember=form.cleaned_data["remember"],
            )
        except services.InvalidMapping as refused:
            for problem in refused.problems:
                form.add_error(None, problem)
        except services.ImportRefused as refused:
            messages.error(request, str(refused))
            return redirect("imports:detail", pk=batch.pk)
        else:
            return redirect("imports:detail", pk=batch.pk)
    columns = [
        (form[key], [row[index] if index < len(row) else "" for row in batch.samples])
        for index, key in enumerate(form.column_fields)
    ]
    return render(request, "imports/mapping.html", {"batch": batch, "form": form, "columns": columns})


@dataclass
class RowView:
    row: ImportRow
    name: str
    changes: list[tuple[str, str, str]]


def _row_view(row: ImportRow) -> RowView:
    values = row.values or {}
    name = str(values.get("full_name") or " ".join(str(values.get(k, "")) for k in ("given_name", "family_name")))
    changes = [
        (str(FIELD_LABELS.get(field, field)), str(before), str(after))
        for field, (before, after) in (row.changes or {}).items()
    ]
    return RowView(row=row, name=name.strip(), changes=changes)


def _progress_context(batch: ImportBatch) -> dict[str, Any]:
    done, total = services.progress_of(batch)
    return {
        "batch": batch,
        "done": done,
        "total": total,
        "percent": int(100 * done / total) if total else 0,
        "can_resume": services.can_resume(batch),
    }


@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = get_batch_for_user(request.user, pk)
    show = request.GET.get("show", "")
    if show not in ("errors", "changes"):
        show = "errors" if batch.counts.get(RowAction.ERROR) else "changes"
    rows = ImportRow.objects.filter(batch=batch).select_related("person").order_by("row_number")
    if show == "errors":
        rows = rows.filter(action=RowAction.ERROR)
    else:
        rows = rows.filter(action__in=[RowAction.CREATE, RowAction.LINK, RowAction.UPDATE])
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    counts = [(COUNT_LABELS[action], action, int(batch.counts.get(action, 0))) for action in COUNTED_ACTIONS]
    context = {
        **_progress_context(batch),
        "counts": counts,
        "review_count": int(batch.counts.get("REVIEW", 0)),
        "show": show,
        "page": page,
        "rows": [_row_view(row) for row in page.object_list],
        "review_url": review_queue_url(),
        "has_rows": batch.status in (S.PREVIEW, S.APPLYING, S.DONE),
    }
    return render(request, "imports/detail.html", context)


@require_GET
def status(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress fragment the detail page polls; when the step is over the page reloads itself."""
    batch = get_batch_for_user(request.user, pk)
    if batch.status != request.GET.get("seen", batch.status) or batch.status not in services.RUNNING_STATUSES:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "imports/_progress.html", _progress_context(batch))


@require_POST
def confirm(request: AuthedRequest, pk: int) -> HttpResponse:
    started = services.confirm_import(actor=request.user, batch_id=pk)
    if started:
        messages.success(request, _("The import has started. You can leave this page; it continues."))
    return redirect("imports:detail", pk=pk)


@require_POST
def resume(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        services.resume_import(actor=request.user, batch_id=pk)
    except services.ImportRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("The import continues where it stopped."))
    return redirect("imports:detail", pk=pk)


@require_POST
def cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        services.cancel_import(actor=request.user, batch_id=pk)
    except services.ImportRefused as refused:
        messages.error(request, str(refused))
        return redirect("imports:detail", pk=pk)
    batch = get_batch_for_user(request.user, pk)
    if batch.rows_done:
        messages.success(
            request,
            _("The import was stopped; %(done)s rows already imported stay, the others were not imported.")
            % {"done": batch.rows_done},
        )
        return redirect("imports:detail", pk=pk)
    messages.success(request, _("The import was cancelled; nothing was imported and the file was deleted."))
    return redirect("imports:list")
