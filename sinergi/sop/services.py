"""Every write to the joint SOP: permission (EDIT_SOP), validation, audit event, one transaction.

The SOP is joint: only the agencies that are parties to it (its signatories, and for a new version those of
the version in force) draft and edit versions; a version comes into force only when a supervisor of each
signatory agency has approved it (`approve_sop`), and any change to a draft clears its approvals.

A version in force is never edited: a referral reads its route's SLA when it moves on (accept starts the
first-service clock), so changing a route in force would change the rules of referrals already under way.
Changes go into a new version (a copy of the routes of the previous one), which is then activated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Capability
from sinergi.audit.events import record_event
from sinergi.cases.models import ComplaintCategory, ConsentScope
from sinergi.directory.models import Service
from sinergi.registry.services import InvalidData
from sinergi.sop.models import SharedSection, SlaUnit, SopApproval, SopDocument, SopRoute, SopStatus


class SopError(Exception):
    """A refused SOP operation; the message says why and what to do."""


def _require(actor: User) -> None:
    if not actor.is_authenticated or not actor.has_capability(Capability.EDIT_SOP):
        raise PermissionDenied(_("Only an administrator may edit the joint SOP."))


def _require_party(actor: User, sop: SopDocument) -> None:
    """Only an agency that is a party to this SOP drafts or changes it (issue 9, finding 5)."""
    if actor.agency_id is None or not sop.signatories.filter(pk=actor.agency_id).exists():
        raise PermissionDenied(_("Only the agencies that are parties to this joint SOP may change it."))


def _clear_approvals(actor: User, sop: SopDocument) -> None:
    cleared = sop.approvals.count()
    if cleared:
        sop.approvals.all().delete()
        record_event(actor=actor, action="sop.approvals_cleared", obj=sop, summary=str(sop), detail={"count": cleared})


def _add(errors: dict[str, list[str]], name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _locked_sop(sop_id: int) -> SopDocument:
    try:
        return SopDocument.objects.select_for_update().get(pk=sop_id)
    except (SopDocument.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _require_draft(sop: SopDocument) -> None:
    if sop.status != SopStatus.DRAFT:
        raise SopError(
            _("%(sop)s is %(status)s and cannot be changed. Create a new version, change it and activate it.")
            % {"sop": sop, "status": SopStatus(sop.status).label}
        )


# --- versions -------------------------------------------------------------------------------------------------


@dataclass
class SopVersionData:
    title: str
    version: str
    effective_from: date
    effective_to: date | None = None
    notes: str = ""
    signatory_ids: list[int] = field(default_factory=list)


def _check_version(data: SopVersionData, *, exclude_id: int | None = None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        _add(errors, "title", _("Write the title of the SOP."))
    if not data.version.strip():
        _add(errors, "version", _("Write the version, e.g. 1.1."))
    else:
        same = SopDocument.objects.filter(title=data.title.strip(), version=data.version.strip())
        if exclude_id is not None:
            same = same.exclude(pk=exclude_id)
        if same.exists():
            _add(
                errors, "version", _("This SOP already has a version %(version)s.") % {"version": data.version.strip()}
            )
    if data.effective_to is not None and data.effective_to < data.effective_from:
        _add(errors, "effective_to", _("The end date is before the start date."))
    known = set(Agency.objects.filter(pk__in=data.signatory_ids, is_active=True).values_list("pk", flat=True))
    if set(data.signatory_ids) - known:
        _add(errors, "signatory_ids", _("Choose the signing agencies from the list."))
    return errors


def _copy_routes(source: SopDocument, target: SopDocument) -> int:
    count = 0
    for route in source.routes.prefetch_related("services"):
        service_ids = [service.pk for service in route.services.all()]
        route.pk = None
        route._state.adding = True
        route.sop = target
        route.save()
        route.services.set(service_ids)
        count += 1
    return count


@transaction.atomic
def create_sop_version(*, actor: User, data: SopVersionData, copy_from_id: int | None = None) -> SopDocument:
    """A new DRAFT version; with `copy_from_id`, a copy of that version's routes to edit."""
    _require(actor)
    errors = _check_version(data)
    source = None
    if copy_from_id is not None:
        source = SopDocument.objects.filter(pk=copy_from_id).first()
        if source is None:
            _add(errors, "copy_from", _("Choose the version to copy from the list."))
    if errors:
        raise InvalidData(errors)
    in_force = SopDocument.in_force(data.effective_from) or SopDocument.objects.filter(status=SopStatus.ACTIVE).first()
    for party_of in (source, in_force):
        if party_of is not None:
            _require_party(actor, party_of)
    if actor.agency_id not in data.signatory_ids:
        raise PermissionDenied(_("Your agency must be a party to the version it drafts."))
    sop = SopDocument.objects.create(
        title=data.title.strip(),
        version=data.version.strip(),
        effective_from=data.effective_from,
        effective_to=data.effective_to,
        notes=data.notes.strip(),
        status=SopStatus.DRAFT,
    )
    sop.signatories.set(data.signatory_ids)
    copied = _copy_routes(source, sop) if source is not None else 0
    record_event(
        actor=actor,
        action="sop.version_created",
        obj=sop,
        summary=str(sop),
        detail={"copied_from": source.pk if source else None, "routes": copied},
    )
    return sop


@transaction.atomic
def update_sop(*, actor: User, sop_id: int, data: SopVersionData) -> SopDocument:
    """Title, version, dates, signatories and notes of a draft."""
    _require(actor)
    sop = _locked_sop(sop_id)
    _require_draft(sop)
    _require_party(actor, sop)
    errors = _check_version(data, exclude_id=sop.pk)
    if errors:
        raise InvalidData(errors)
    _clear_approvals(actor, sop)
    sop.title, sop.version, sop.notes = data.title.strip(), data.version.strip(), data.notes.strip()
    sop.effective_from, sop.effective_to = data.effective_from, data.effective_to
    sop.save()
    sop.signatories.set(data.signatory_ids)
    record_event(actor=actor, action="sop.version_updated", obj=sop, summary=str(sop))
    return sop


@transaction.atomic
def activate_sop(*, actor: User, sop_id: int) -> SopDocument:
    """DRAFT → BERLAKU from its start date; the version in force before it ends the day before."""
    _require(actor)
    sop = _locked_sop(sop_id)
    _require_draft(sop)
    _require_party(actor, sop)
    if not sop.routes.exists():
        raise SopError(_("The SOP has no routes: add at least one complaint category before activating it."))
    if not sop.signatories.exists():
        raise SopError(_("Record the agencies that signed the SOP before activating it."))
    missing = sop.signatories.exclude(pk__in=sop.approvals.values("agency_id"))
    if missing.exists():
        raise SopError(
            _("A supervisor of each party must approve this version before it comes into force; waiting for: %(who)s.")
            % {"who": ", ".join(agency.name for agency in missing.order_by("name"))}
        )
    later = (
        SopDocument.objects.select_for_update()
        .filter(status=SopStatus.ACTIVE, effective_from__gte=sop.effective_from)
        .first()
    )
    if later is not None:
        raise SopError(
            _("%(other)s is in force from %(day)s, not before this version: retire it first or change the dates.")
            % {"other": later, "day": later.effective_from.strftime("%d-%m-%Y")}
        )
    day_before = sop.effective_from - timedelta(days=1)
    ended = list(
        SopDocument.objects.select_for_update().filter(
            Q(effective_to__isnull=True) | Q(effective_to__gt=day_before),
            status=SopStatus.ACTIVE,
            effective_from__lt=sop.effective_from,
        )
    )
    for previous in ended:
        previous.effective_to = day_before
        previous.save(update_fields=["effective_to"])
    sop.status = SopStatus.ACTIVE
    sop.save(update_fields=["status"])
    record_event(
        actor=actor,
        action="sop.activated",
        obj=sop,
        summary=str(sop),
        detail={"ended": [previous.pk for previous in ended], "effective_from": sop.effective_from.isoformat()},
    )
    return sop


@transaction.atomic
def retire_sop(*, actor: User, sop_id: int) -> SopDocument:
    """BERLAKU or DRAFT → DICABUT. Referrals already sent keep the rules they were sent under."""
    _require(actor)
    sop = _locked_sop(sop_id)
    _require_party(actor, sop)
    if sop.status == SopStatus.RETIRED:
        raise SopError(_("%(sop)s is already retired.") % {"sop": sop})
    previous = sop.status
    sop.status = SopStatus.RETIRED
    sop.save(update_fields=["status"])
    record_event(actor=actor, action="sop.retired", obj=sop, summary=str(sop), detail={"from": previous})
    return sop


# --- routes ---------------------------------------------------------------------------------------------------


@dataclass
class RouteData:
    service_ids: list[int]
    consent_scope: str = ConsentScope.REFERRAL
    shared_sections: list[str] = field(default_factory=list)
    ack_within: int = 1
    ack_unit: str = SlaUnit.WORKING_DAYS
    accept_within: int = 3
    accept_unit: str = SlaUnit.WORKING_DAYS
    first_service_within: int = 7
    first_service_unit: str = SlaUnit.WORKING_DAYS
    complete_within: int | None = None
    complete_unit: str = SlaUnit.WORKING_DAYS
    escalate_after: int = 1


def _check_route(data: RouteData) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not data.service_ids:
        _add(errors, "service_ids", _("Choose at least one service a case may be referred to."))
    elif Service.objects.filter(pk__in=data.service_ids, is_active=True).count() != len(set(data.service_ids)):
        _add(errors, "service_ids", _("Choose active services from the directory."))
    if data.consent_scope and data.consent_scope not in ConsentScope.values:
        _add(errors, "consent_scope", _("Choose which consent is required."))
    unknown = sorted(set(data.shared_sections) - set(SharedSection.values))
    if unknown:
        _add(errors, "shared_sections", _("Unknown sections: %(names)s.") % {"names": ", ".join(unknown)})
    for name in ("ack", "accept", "first_service", "complete"):
        amount = getattr(data, f"{name}_within")
        if name == "complete" and amount is None:
            continue
        if amount is None or amount < 1:
            _add(errors, f"{name}_within", _("Give at least 1."))
        if getattr(data, f"{name}_unit") not in SlaUnit.values:
            _add(errors, f"{name}_unit", _("Choose hours or working days."))
    if data.escalate_after < 1:
        _add(errors, "escalate_after", _("Give at least 1 working day."))
    return errors


def _apply(route: SopRoute, data: RouteData) -> None:
    route.consent_scope = data.consent_scope
    # Kept in the order of SharedSection, so the letter and pages list them the same way.
    route.shared_sections = [section for section in SharedSection.values if section in data.shared_sections]
    route.ack_within, route.ack_unit = data.ack_within, data.ack_unit
    route.accept_within, route.accept_unit = data.accept_within, data.accept_unit
    route.first_service_within, route.first_service_unit = data.first_service_within, data.first_service_unit
    route.complete_within, route.complete_unit = data.complete_within, data.complete_unit
    route.escalate_after = data.escalate_after
    route.save()
    route.services.set(data.service_ids)


@transaction.atomic
def update_route(*, actor: User, route_id: int, data: RouteData) -> SopRoute:
    """Change one complaint category's route in a draft SOP."""
    _require(actor)
    route = SopRoute.objects.filter(pk=route_id).select_related("category").first()
    if route is None:
        raise Http404
    sop = _locked_sop(route.sop_id)
    _require_draft(sop)
    _require_party(actor, sop)
    errors = _check_route(data)
    if errors:
        raise InvalidData(errors)
    _clear_approvals(actor, sop)
    before = {"services": sorted(route.services.values_list("pk", flat=True)), "sections": route.shared_sections}
    _apply(route, data)
    record_event(
        actor=actor,
        action="sop.route_updated",
        obj=sop,
        summary=f"{sop} · {route.category}",
        detail={
            "route": route.pk,
            "before": before,
            "after": {"services": sorted(data.service_ids), "sections": route.shared_sections},
        },
    )
    return route


@transaction.atomic
def add_route(*, actor: User, sop_id: int, category_id: int, data: RouteData) -> SopRoute:
    """A route for a complaint category the draft SOP does not cover yet."""
    _require(actor)
    sop = _locked_sop(sop_id)
    _require_draft(sop)
    _require_party(actor, sop)
    _clear_approvals(actor, sop)
    category = ComplaintCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise Http404
    if sop.routes.filter(category=category).exists():
        raise SopError(_("%(sop)s already has a route for %(category)s.") % {"sop": sop, "category": category})
    errors = _check_route(data)
    if errors:
        raise InvalidData(errors)
    route = SopRoute(sop=sop, category=category)
    _apply(route, data)
    record_event(actor=actor, action="sop.route_added", obj=sop, summary=f"{sop} · {category}")
    return route


@transaction.atomic
def approve_sop(*, actor: User, sop_id: int) -> SopApproval:
    """A supervisor of a party approves the draft as it stands now, for their agency."""
    if not actor.is_authenticated or not actor.has_capability(Capability.APPROVE_SOP):
        raise PermissionDenied(_("Only a supervisor approves the joint SOP for their agency."))
    sop = _locked_sop(sop_id)
    _require_draft(sop)
    _require_party(actor, sop)
    if sop.approvals.filter(agency_id=actor.agency_pk).exists():
        raise SopError(_("Your agency has already approved this version."))
    assert actor.agency is not None
    approval = SopApproval.objects.create(sop=sop, agency=actor.agency, by=actor)
    record_event(actor=actor, action="sop.approved", obj=sop, summary=str(sop), detail={"agency": actor.agency_id})
    return approval
