"""Which changes a user's agency may read in the feed: the persons it may read in full, and nothing else.

The same rule as ``registry.selectors.persons_visible_to``: persons its agency registered (every event,
including "merged" and "deleted" ones after the person left the registry), and persons an open referral
currently shares with it (their contact details only if the referral shares the contact section).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.changes.models import ChangeEvent
from sinergi.sop.models import SharedSection

# Snapshot keys that belong to the contact section (KONTAK) of a person's record.
CONTACT_KEYS = ("region_code", "address_text", "phones")


@dataclass(frozen=True)
class FeedPage:
    events: list[ChangeEvent]
    next_cursor: int
    has_more: bool


def changes_visible_to(user: User) -> QuerySet[ChangeEvent]:
    """Sealed events (with a cursor) of the persons `user`'s agency may read in full, in cursor order."""
    if not user.is_authenticated or not user.has_capability(Capability.VIEW_PERSONS):
        return ChangeEvent.objects.none()
    # Imported here, as in registry.selectors: referrals build on the registry and the feed.
    from sinergi.referrals.selectors import person_ids_shared_with

    condition = Q(agency_id=user.agency_id)
    shared = person_ids_shared_with(user)
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


def snapshot_for(user: User, event: ChangeEvent, contact_shared: dict[int, bool]) -> dict[str, Any]:
    """The event's snapshot as `user` may read it: whole for the registering agency; for a person a referral
    shares, without contact details unless the referral shares the contact section.

    `contact_shared` caches the answer per person for one page (one query per shared person, not per event).
    """
    snapshot: dict[str, Any] = event.snapshot
    if event.agency_id == user.agency_id:
        return snapshot
    if event.person_id not in contact_shared:
        from sinergi.referrals.selectors import sections_shared_for_person

        contact_shared[event.person_id] = SharedSection.CONTACT in sections_shared_for_person(user, event.person_id)
    if contact_shared[event.person_id]:
        return snapshot
    redacted = dict(snapshot)
    for key in CONTACT_KEYS:
        if key in redacted:
            redacted[key] = [] if key == "phones" else ""
    return redacted
