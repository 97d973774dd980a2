from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.audit.models import AuditEvent


def audit_events_visible_to(user: User) -> QuerySet[AuditEvent]:
    """What the agency's staff did, and who (from any agency) touched the agency's own person records."""
    if not user.is_authenticated or not user.has_capability(Capability.VIEW_AUDIT_LOG):
        return AuditEvent.objects.none()
    from sinergi.registry.models import Person

    own_person_ids = (
        Person.objects.filter(registered_by_agency_id=user.agency_id)
        .annotate(key=Cast("pk", output_field=CharField()))
        .values("key")
    )
    return AuditEvent.objects.filter(
        Q(agency_id=user.agency_id) | Q(object_type="registry.person", object_id__in=own_person_ids)
    )


@dataclass(frozen=True, slots=True)
class AuditSearch:
    """What an auditor looks for; every part optional. Dates are WITA calendar days, both ends included."""

    action: str = ""
    actor: str = ""
    person: int | None = None
    text: str = ""
    date_from: date | None = None
    date_to: date | None = None

    def as_dict(self) -> dict[str, str]:
        return {key: str(value) for key, value in asdict(self).items() if value not in ("", None)}


def search_audit_events(user: User, search: AuditSearch) -> QuerySet[AuditEvent]:
    """The events `user` may read that match `search`, newest first (the page and the export both use it)."""
    queryset = audit_events_visible_to(user).select_related("actor", "agency").order_by("-id")
    if search.action:
        # "import." finds every import event; "person.viewed" that action only.
        queryset = (
            queryset.filter(action__startswith=search.action)
            if search.action.endswith(".")
            else queryset.filter(action=search.action)
        )
    if search.actor:
        queryset = queryset.filter(
            Q(actor__username__icontains=search.actor)
            | Q(actor__first_name__icontains=search.actor)
            | Q(actor__last_name__icontains=search.actor)
        )
    if search.person is not None:
        queryset = queryset.filter(object_type="registry.person", object_id=str(search.person))
    if search.text:
        queryset = queryset.filter(Q(summary__icontains=search.text) | Q(object_id=search.text))
    zone = timezone.get_default_timezone()
    if search.date_from:
        queryset = queryset.filter(at__gte=datetime.combine(search.date_from, time.min, tzinfo=zone))
    if search.date_to:
        queryset = queryset.filter(at__lt=datetime.combine(search.date_to + timedelta(days=1), time.min, tzinfo=zone))
    return queryset
