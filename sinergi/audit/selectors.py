from __future__ import annotations

from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

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
