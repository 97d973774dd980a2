"""The access log and the reads that write it: every read of a person's identity or contact section."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Model

from sinergi.audit.events import record_event, record_events
from sinergi.sharing.sections import CONTACT, IDENTITY

if TYPE_CHECKING:
    from sinergi.accounts.models import User
    from sinergi.registry.models import Person

LOGGED_SECTIONS = frozenset({IDENTITY, CONTACT})


def record_access(*, actor: User, person: Person, sections: Iterable[str], context: str = "") -> bool:
    """Write a ``person.viewed`` event when `sections` include the identity or contact section.

    `context` says through what the person was read (``case``, ``referral``, ``search``, ``assistance``…), so
    the auditor's page can tell a record opened from a name seen in a list. Returns whether it logged.
    """
    logged = sorted(LOGGED_SECTIONS & frozenset(sections))
    if not logged or not actor.is_authenticated:
        return False
    record_event(
        actor=actor,
        action="person.viewed",
        obj=person,
        summary=person.full_name,
        detail={"sections": logged, "context": context} if context else {"sections": logged},
        read=True,
    )
    return True


def record_search_results(*, actor: User, persons: Iterable[Person]) -> None:
    """Search results that show another agency's person in full (shared by a referral: name, NIK, birth date)
    count as reads of the identity. The agency's own persons in a result list are not logged one by one (as
    on the list page); opening one is. One statement for the whole page, however many it shows."""
    items: list[tuple[Model, str, dict[str, Any]]] = [
        (person, person.full_name, {"sections": [IDENTITY], "context": "search"})
        for person in persons
        if person.registered_by_agency_id != actor.agency_id
    ]
    record_events(actor=actor, action="person.viewed", items=items, read=True)
