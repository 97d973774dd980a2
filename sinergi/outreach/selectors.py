"""Every read of outreach events: an event is its agency's (readers of that agency); anyone else gets 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.outreach.models import FollowUp, OutreachEvent
from sinergi.programmes.workflow import is_reader


def events_visible_to(user: User) -> QuerySet[OutreachEvent]:
    if not is_reader(user) or user.agency_id is None:
        return OutreachEvent.objects.none()
    return OutreachEvent.objects.filter(agency_id=user.agency_id)


def get_event_for_user(user: User, pk: int) -> OutreachEvent:
    try:
        return events_visible_to(user).select_related("counsellor", "region", "agency").get(pk=pk)
    except (OutreachEvent.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_follow_up_for_user(user: User, pk: int, *, write: bool = False) -> FollowUp:
    queryset = FollowUp.objects.filter(event__in=events_visible_to(user).values("pk")).select_related(
        "event", "person", "case", "enrolment__cohort__programme"
    )
    if write:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (FollowUp.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def attendee_totals(event: OutreachEvent) -> dict[str, int]:
    """Totals by sex ("L", "P") and overall ("all")."""
    totals = {"L": 0, "P": 0, "all": 0}
    for row in event.counts.all():
        totals[row.sex] += row.count
        totals["all"] += row.count
    return totals
