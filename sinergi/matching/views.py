"""Review pages: the queue of likely duplicates, a pair side by side with its decision, merges, golden records.

Forms parse, services decide and write, selectors read. A refused decision (someone else decided first)
changes nothing and says who decided. With htmx the decision and a verified field swap in place;
without JavaScript every form posts and redirects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.matching import services
from sinergi.matching.explain import FULL_BAR_BITS, explain
from sinergi.matching.forms import DecisionForm, VerifyForm
from sinergi.matching.golden import GoldenField, display_value, golden_record, region_names, value_key
from sinergi.matching.models import OPEN_DECISIONS, MatchCandidate
from sinergi.matching.selectors import (
    QUEUE_TABS,
    get_candidate_for_user,
    get_golden_record_for_user,
    get_merge_for_user,
    queue_counts,
    review_queue,
)
from sinergi.registry.models import Person
from sinergi.registry.services import record_person_view

PAGE_SIZE = 50
TAB_LABELS = {
    "menunggu": pgettext_lazy("match queue tab", "Waiting for review"),
    "ragu": pgettext_lazy("match queue tab", "Unsure"),
    "selesai": pgettext_lazy("match queue tab", "Decided"),
}


def _require(request: AuthedRequest, capability: Capability) -> None:
    if not request.user.has_capability(capability):
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))


def _is_htmx(request: AuthedRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_GET
def queue(request: AuthedRequest) -> HttpResponse:
    _require(request, Capability.REVIEW_MATCHES)
    tab = request.GET.get("tab", "menunggu")
    if tab not in QUEUE_TABS:
        tab = "menunggu"
    pairs = list(review_queue(request.user, tab)[:PAGE_SIZE])
    counts = queue_counts(request.user)
    tabs = [(key, label, counts[key]) for key, label in TAB_LABELS.items()]
    context = {"tab": tab, "tabs": tabs, "pairs": pairs, "page_size": PAGE_SIZE}
    return render(request, "matching/queue.html", context)


@require_POST
def scan(request: AuthedRequest) -> HttpResponse:
    _require(request, Capability.REVIEW_MATCHES)
    proposed = services.scan_agency(actor=request.user)
    waiting = sum(1 for candidate in proposed if candidate.decision in OPEN_DECISIONS)
    messages.success(
        request,
        _("The registry was checked: %(count)s likely duplicate pairs are waiting for review.") % {"count": waiting},
    )
    return redirect("matching:queue")


@dataclass(frozen=True)
class FieldRow:
    """One golden-record field of both persons of a pair."""

    label: str
    left: list[str]
    right: list[str]
    agreement: str  # "agree", "differ" or "missing"


def _field_rows(left: list[GoldenField], right: list[GoldenField], regions: dict[str, str]) -> list[FieldRow]:
    rows = []
    for mine, theirs in zip(left, right, strict=True):
        left_values = [display_value(mine.field, value, regions) for value in mine.current]
        right_values = [display_value(theirs.field, value, regions) for value in theirs.current]
        if not mine.current or not theirs.current:
            agreement = "missing"
        elif {value_key(v) for v in mine.current} & {value_key(v) for v in theirs.current}:
            agreement = "agree"
        else:
            agreement = "differ"
        rows.append(FieldRow(mine.label, left_values, right_values, agreement))
    return rows


def _pair_context(
    request: AuthedRequest, candidate: MatchCandidate, form: DecisionForm | None = None
) -> dict[str, Any]:
    persons = {
        person.pk: person
        for person in Person.objects.filter(pk__in=(candidate.person_id, candidate.other_person_id))
        .select_related("registered_by_agency", "created_by")
        .prefetch_related("phones", "identifiers", "aliases")
    }
    left, right = persons[candidate.person_id], persons[candidate.other_person_id]
    left_fields, right_fields = golden_record(left), golden_record(right)
    regions = region_names([*left_fields, *right_fields])
    return {
        "candidate": candidate,
        "left": left,
        "right": right,
        "rows": _field_rows(left_fields, right_fields, regions),
        "sides": [(left, _sources(left_fields)), (right, _sources(right_fields))],
        "weights": explain(candidate.weights),
        "full_bar": FULL_BAR_BITS,
        "is_open": candidate.decision in OPEN_DECISIONS,
        "form": form or DecisionForm(candidate=candidate),
    }


def _sources(fields: list[GoldenField]) -> list[tuple[str, str, Any]]:
    """Each source of a person once (label, file and row, when), the registry's own entry first."""
    seen: dict[str, tuple[str, str, Any]] = {}
    for field in fields:
        for entry in field.entries:
            where = entry.file_name + (f" #{entry.row_number}" if entry.row_number else "")
            seen.setdefault(f"{entry.label}|{entry.external_id}", (entry.label, where, entry.at))
    return list(seen.values())


@require_http_methods(["GET", "POST"])
def pair(request: AuthedRequest, pk: int) -> HttpResponse:
    candidate = get_candidate_for_user(request.user, pk)  # 404 before anything: other agencies learn nothing
    if request.method == "GET":
        context = _pair_context(request, candidate)
        for person in (context["left"], context["right"]):
            record_person_view(actor=request.user, person=person)
        return render(request, "matching/pair.html", context)
    form = DecisionForm(request.POST, candidate=candidate)
    refusal = ""
    if form.is_valid():
        try:
            services.decide_pair(
                actor=request.user,
                candidate_id=candidate.pk,
                decision=form.cleaned_data["decision"],
                expected_decision=form.cleaned_data["expected_decision"],
                survivor_id=form.cleaned_data.get("survivor"),
                note=form.cleaned_data.get("note") or "",
            )
        except services.MatchingError as error:
            refusal = str(error)
        else:
            candidate.refresh_from_db()
            done = _("Decision saved: %(decision)s.") % {"decision": candidate.get_decision_display()}
            if _is_htmx(request):
                context = {**_pair_context(request, candidate), "saved": done}
                return render(request, "matching/pair.html#decision", context)
            messages.success(request, done)
            return redirect(_next_pair_url(request, candidate))
    candidate.refresh_from_db()
    context = {**_pair_context(request, candidate, form if not refusal else None), "refusal": refusal}
    status = 409 if refusal else 400
    if _is_htmx(request):
        # htmx swaps only 2xx answers: the refusal is shown in place, the status is in the page.
        return render(request, "matching/pair.html#decision", context)
    return render(request, "matching/pair.html", context, status=status)


def _next_pair_url(request: AuthedRequest, decided: MatchCandidate) -> str:
    following = review_queue(request.user).exclude(pk=decided.pk).first()
    return reverse("matching:pair", args=[following.pk]) if following else reverse("matching:queue")


@require_POST
def undo_merge(request: AuthedRequest, pk: int) -> HttpResponse:
    merge = get_merge_for_user(request.user, pk)
    try:
        services.unmerge(actor=request.user, merge_id=merge.pk)
    except services.MatchingError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("The merge was undone: %(absorbed)s and %(survivor)s are separate records again.")
            % {"absorbed": merge.absorbed.full_name, "survivor": merge.survivor.full_name},
        )
    return redirect("registry:detail", pk=merge.survivor_id)


@require_http_methods(["GET", "POST"])
def golden(request: AuthedRequest, pk: int) -> HttpResponse:
    record = get_golden_record_for_user(request.user, pk)
    if record.person.merged_into_id is not None and request.method == "GET":
        messages.info(request, _("This record was merged into another: showing the surviving record."))
        return redirect("matching:golden", pk=record.person.merged_into_id)
    if request.method == "GET":
        record_person_view(actor=request.user, person=record.person)
        return render(request, "matching/golden.html", _golden_context(record))
    _require(request, Capability.REVIEW_MATCHES)
    field = request.POST.get("field", "")
    if field not in {golden.field for golden in record.fields}:
        raise Http404
    form = VerifyForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            services.verify_field(
                actor=request.user, person_id=record.person.pk, field=field, value=form.cleaned_data["value"]
            )
        except services.MatchingError as refusal:
            error = str(refusal)
    else:
        error = " ".join(str(message) for messages_ in form.errors.values() for message in messages_)
    if not error and not _is_htmx(request):
        messages.success(request, _("Verified value saved."))
        return redirect(reverse("matching:golden", args=[pk]) + f"#field-{field}")
    record = get_golden_record_for_user(request.user, pk)
    context = {**_golden_context(record), "errors": {field: error} if error else {}, "saved": "" if error else field}
    if _is_htmx(request):
        context["item"] = next(item for item in context["fields"] if item["field"].field == field)
        return render(request, "matching/golden.html#field", context)
    return render(request, "matching/golden.html", context, status=400)


def _golden_context(record: Any) -> dict[str, Any]:
    regions = region_names(record.fields)
    fields = [
        {
            "field": golden,
            "current": [display_value(golden.field, value, regions) for value in golden.current],
            "entries": [(entry, display_value(golden.field, entry.value, regions)) for entry in golden.entries],
            "choices": [(value, display_value(golden.field, value, regions)) for value in golden.choices],
        }
        for golden in record.fields
    ]
    return {"record": record, "person": record.person, "fields": fields}
