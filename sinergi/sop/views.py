"""The SOP editor for administrators: versions, their routes per complaint category, activation.

The joint SOP is configuration, not personal data; it is read here directly and written through
sinergi.sop.services only.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sinergi.accounts.http import AuthedRequest
from sinergi.accounts.roles import Capability
from sinergi.cases.models import ComplaintCategory
from sinergi.directory.models import Service
from sinergi.registry.services import InvalidData
from sinergi.sop import services
from sinergi.sop.forms import RouteForm, SopVersionForm
from sinergi.sop.models import SharedSection, SopDocument, SopRoute, SopStatus


def _require(request: AuthedRequest) -> None:
    if not request.user.has_capability(Capability.EDIT_SOP):
        raise PermissionDenied(_("Only an administrator may edit the joint SOP."))


def _get_sop(pk: int) -> SopDocument:
    sop = SopDocument.objects.prefetch_related("signatories").filter(pk=pk).first()
    if sop is None:
        raise Http404
    return sop


@require_GET
def sop_list(request: AuthedRequest) -> HttpResponse:
    _require(request)
    documents = (
        SopDocument.objects.annotate(route_count=Count("routes"))
        .prefetch_related("signatories")
        .order_by("-effective_from", "-id")
    )
    in_force = SopDocument.in_force(timezone.localdate())
    return render(request, "sop/list.html", {"documents": documents, "in_force": in_force})


@require_GET
def sop_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    # Supervisors read it too: each party's supervisor approves a draft before it comes into force.
    if not request.user.has_capability(Capability.APPROVE_SOP):
        _require(request)
    sop = _get_sop(pk)
    routes = list(
        sop.routes.select_related("category")
        .prefetch_related(Prefetch("services", queryset=Service.objects.select_related("agency")))
        .order_by("category__order", "category__name")
    )
    labels = dict(SharedSection.choices)
    route_rows = [(route, [labels.get(s, s) for s in route.shared_sections]) for route in routes]
    covered = {route.category_id for route in routes}
    uncovered = [c for c in ComplaintCategory.objects.filter(is_active=True) if c.pk not in covered]
    return render(
        request,
        "sop/detail.html",
        {
            "sop": sop,
            "route_rows": route_rows,
            "uncovered": uncovered,
            "is_draft": sop.status == SopStatus.DRAFT,
            "in_force": SopDocument.in_force(timezone.localdate()),
            "approvals": list(sop.approvals.select_related("agency", "by")),
            "can_edit": request.user.has_capability(Capability.EDIT_SOP),
            "can_approve": sop.status == SopStatus.DRAFT
            and request.user.has_capability(Capability.APPROVE_SOP)
            and sop.signatories.filter(pk=request.user.agency_pk).exists()
            and not sop.approvals.filter(agency_id=request.user.agency_pk).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
def sop_create(request: AuthedRequest) -> HttpResponse:
    _require(request)
    if request.method == "POST":
        form = SopVersionForm(request.POST)
        if form.is_valid():
            source = form.cleaned_data.get("copy_from")
            try:
                sop = services.create_sop_version(
                    actor=request.user, data=form.to_data(), copy_from_id=source.pk if source else None
                )
            except InvalidData as error:
                form.add_service_errors(error)
            else:
                messages.success(
                    request, _("Draft %(sop)s created. Change its routes, then activate it.") % {"sop": sop}
                )
                return redirect("sop:detail", pk=sop.pk)
        return render(request, "sop/sop_form.html", {"form": form, "creating": True}, status=400)
    chosen = request.GET.get("from", "")
    base = (
        (SopDocument.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None)
        or SopDocument.in_force(timezone.localdate())
        or SopDocument.objects.order_by("-effective_from").first()
    )
    initial: dict[str, Any] = {"effective_from": timezone.localdate()}
    if base is not None:
        initial.update(
            title=base.title,
            version=_next_version(base.version),
            signatories=list(base.signatories.all()),
            copy_from=base,
        )
    return render(request, "sop/sop_form.html", {"form": SopVersionForm(initial=initial), "creating": True})


def _next_version(version: str) -> str:
    """1.0 → 1.1; anything else is left for the administrator to write."""
    head, _sep, tail = version.rpartition(".")
    return f"{head}.{int(tail) + 1}" if head and tail.isdigit() else ""


@require_http_methods(["GET", "POST"])
def sop_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _require(request)
    sop = _get_sop(pk)
    if request.method == "POST":
        form = SopVersionForm(request.POST, creating=False)
        if form.is_valid():
            try:
                services.update_sop(actor=request.user, sop_id=sop.pk, data=form.to_data())
            except InvalidData as error:
                form.add_service_errors(error)
            except services.SopError as refusal:
                messages.error(request, str(refusal))
                return redirect("sop:detail", pk=sop.pk)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("sop:detail", pk=sop.pk)
        return render(request, "sop/sop_form.html", {"form": form, "sop": sop, "creating": False}, status=400)
    initial = {
        "title": sop.title,
        "version": sop.version,
        "effective_from": sop.effective_from,
        "effective_to": sop.effective_to,
        "signatories": list(sop.signatories.all()),
        "notes": sop.notes,
    }
    form = SopVersionForm(initial=initial, creating=False)
    return render(request, "sop/sop_form.html", {"form": form, "sop": sop, "creating": False})


@require_http_methods(["GET", "POST"])
def route_edit(request: AuthedRequest, pk: int, route_pk: int) -> HttpResponse:
    _require(request)
    sop = _get_sop(pk)
    route = SopRoute.objects.filter(sop=sop, pk=route_pk).select_related("category").first()
    if route is None:
        raise Http404
    if request.method == "POST":
        form = RouteForm(request.POST)
        if form.is_valid():
            try:
                services.update_route(actor=request.user, route_id=route.pk, data=form.to_data())
            except InvalidData as error:
                form.add_service_errors(error)
            except services.SopError as refusal:
                messages.error(request, str(refusal))
                return redirect("sop:detail", pk=sop.pk)
            else:
                messages.success(request, _("Route for %(category)s saved.") % {"category": route.category})
                return redirect("sop:detail", pk=sop.pk)
        context = {"form": form, "sop": sop, "category": route.category, "route": route}
        return render(request, "sop/route_form.html", context, status=400)
    form = RouteForm(initial=RouteForm.initial_for(route))
    return render(
        request, "sop/route_form.html", {"form": form, "sop": sop, "category": route.category, "route": route}
    )


@require_http_methods(["GET", "POST"])
def route_add(request: AuthedRequest, pk: int, category_pk: int) -> HttpResponse:
    _require(request)
    sop = _get_sop(pk)
    category = ComplaintCategory.objects.filter(pk=category_pk).first()
    if category is None:
        raise Http404
    if request.method == "POST":
        form = RouteForm(request.POST)
        if form.is_valid():
            try:
                services.add_route(actor=request.user, sop_id=sop.pk, category_id=category.pk, data=form.to_data())
            except InvalidData as error:
                form.add_service_errors(error)
            except services.SopError as refusal:
                messages.error(request, str(refusal))
                return redirect("sop:detail", pk=sop.pk)
            else:
                messages.success(request, _("Route for %(category)s saved.") % {"category": category})
                return redirect("sop:detail", pk=sop.pk)
        return render(request, "sop/route_form.html", {"form": form, "sop": sop, "category": category}, status=400)
    defaults = services.RouteData(service_ids=[])
    initial = {name: getattr(defaults, name) for name in RouteForm.base_fields if hasattr(defaults, name)}
    form = RouteForm(initial=initial)
    return render(request, "sop/route_form.html", {"form": form, "sop": sop, "category": category})


@require_POST
def activate(request: AuthedRequest, pk: int) -> HttpResponse:
    _require(request)
    try:
        sop = services.activate_sop(actor=request.user, sop_id=pk)
    except services.SopError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("%(sop)s is in force from %(day)s.") % {"sop": sop, "day": sop.effective_from.strftime("%d-%m-%Y")},
        )
    return redirect("sop:detail", pk=pk)


@require_POST
def approve(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        services.approve_sop(actor=request.user, sop_id=pk)
    except services.SopError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Your agency approved this version."))
    return redirect("sop:detail", pk=pk)


@require_POST
def retire(request: AuthedRequest, pk: int) -> HttpResponse:
    _require(request)
    try:
        sop = services.retire_sop(actor=request.user, sop_id=pk)
    except services.SopError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("%(sop)s is retired.") % {"sop": sop})
        if SopDocument.in_force(timezone.localdate()) is None:
            messages.warning(request, _("No joint SOP is in force today: referrals cannot be created until one is."))
    return redirect("sop:detail", pk=pk)
