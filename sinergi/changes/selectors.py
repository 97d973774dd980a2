"""Which changes a user's agency may read in the feed: the persons it may read in full, and nothing else.

The sharing rule (``sinergi.sharing.rules``): persons its agency registered (every event, including "merged"
and "deleted" ones after the person left the registry), and persons an open referral from their registering
agency currently shares with it — each event's snapshot cut to the sections the referral shares.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.changes.models import ChangeEvent
from sinergi.registry.models import Person
from sinergi.sharing import rules


@dataclass(frozen=True)
class FeedPage:
    events: list[ChangeEvent]
    next_cursor: int
    has_more: bool


def changes_visible_to(user: User) -> QuerySet[ChangeEvent]:
    """Sealed events (with a cursor) of the persons `user`'s agency may read in full, in cursor order."""
    if not user.is_authenticated or not user.has_capability(Capability.VIEW_PERSONS):
        return ChangeEvent.objects.none()
    condition = Q(agency_id=user.agency_id)
    shared = rules.person_ids_shared_with(user)
    if shared:
        condition |= Q(person_id__in=shared)
    return ChangeEvent.objects.filter(condition, cursor__isnull=False).order_by("cursor")


def changes_page(user: User, *, since: int, limit: int) -> FeedPage:
    """Up to `limit` events after cursor `since`; `next_cursor` is the last one served (or `since`)."""
    rows = list(changes_visible_to(user).filter(cursor__gt=since)[: limit + 1])
    events = rows[:limit]
    # Served events are sealed (cursor >= 1).
    next_cursor = (events[-1].cursor or since) if events else since
    return FeedPage(events=events, next_cursor=next_cursor, has_more=len(rows) > limit)


def snapshot_for(user: User, event: ChangeEvent, sections_cache: dict[int, frozenset[str]]) -> dict[str, Any]:
    """The event's snapshot as `user` may read it: whole for the registering agency; for a person a referral
    shares, only the sections it shares (``rules.redact_snapshot``).

    `sections_cache` keeps the answer per person for one page (one query per shared person, not per event).
    """
    snapshot: dict[str, Any] = event.snapshot
    if event.agency_id == user.agency_id:
        return snapshot
    if event.person_id not in sections_cache:
        person = Person.objects.filter(pk=event.person_id).first()
        sections_cache[event.person_id] = rules.person_sections_for(user, person) if person else frozenset()
    return rules.redact_snapshot(snapshot, sections_cache[event.person_id])
