"""Every read of the breach register. A breach is its agency's: the heads, administrators and auditors read the
register, anyone else only the breaches they reported; other agencies never (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.breaches.clock import ClockState, clock_state
from sinergi.breaches.models import OPEN_BREACH_STATUSES, Breach


def breaches_visible_to(user: User) -> QuerySet[Breach]:
    if not user.is_authenticated or not user.is_active or user.agency_id is None:
        return Breach.objects.none()
    own = Breach.objects.filter(agency_id=user.agency_id)
    if user.has_capability(Capability.VIEW_BREACHES):
        return own
    return own.filter(reported_by=user)


def get_breach_for_user(user: User, pk: int, *, write: bool = False) -> Breach:
    queryset = breaches_visible_to(user).select_related(
        "agency", "reported_by", "assessed_by", "partner_agency", "subjects_notified_by", "authority_notified_by"
    )
    if write:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (Breach.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def running_clocks_for(user: User) -> QuerySet[Breach]:
    """Breaches of the user's agency whose notices are still owed, most urgent first (home page, list filter)."""
    if not user.has_capability(Capability.MANAGE_BREACHES):
        return Breach.objects.none()
    return (
        breaches_visible_to(user)
        .filter(status__in=OPEN_BREACH_STATUSES)
        .exclude(subjects_notified_at__isnull=False, authority_notified_at__isnull=False)
        .order_by("notify_by", "id")
    )


def home_clocks(user: User, limit: int = 5) -> list[tuple[Breach, ClockState]]:
    """The running clocks the home page of a head or administrator shows, most urgent first."""
    now = timezone.now()
    return [(breach, clock_state(breach.notify_by, now)) for breach in running_clocks_for(user)[:limit]]
