"""Answering a data subject's request for access: permission, the audit event, the export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404
from django.utils import timezone

from sinergi.accounts.roles import Capability
from sinergi.audit.events import record_event
from sinergi.privacy.subject_access import collect
from sinergi.registry.selectors import get_person_for_user

if TYPE_CHECKING:
    from sinergi.accounts.models import User
    from sinergi.registry.models import Person

FORMAT_VERSION = 1


def subject_person_for(actor: User, person_id: int) -> Person:
    """The agency's own person, for a supervisor or administrator; 404 otherwise (another agency's person, even
    one shared by a referral, is that agency's to export)."""
    if not actor.has_capability(Capability.ANSWER_SUBJECT_REQUESTS):
        raise Http404
    person = get_person_for_user(actor, person_id)
    if person.registered_by_agency_id != actor.agency_id:
        raise Http404
    return person


def export_subject_data(*, actor: User, person_id: int, file_format: str) -> dict[str, Any]:
    """Everything the actor's agency holds about the person, as one JSON-ready dict; the export is audited
    (who, when, which format) and the event appears in the person's own access log from the next export on."""
    person = subject_person_for(actor, person_id)
    data = collect(person)
    record_event(
        actor=actor,
        action="person.subject_access_exported",
        obj=person,
        summary=person.full_name,
        detail={"format": file_format, "records": sum(len(rows) for rows in data.values())},
    )
    return {
        "format_version": FORMAT_VERSION,
        "generated_at": timezone.now().isoformat(),
        "controller": str(actor.agency),
        "person_id": person.pk,
        "scope": "Everything this agency holds about the person; other agencies answer for their own records.",
        **data,
    }
