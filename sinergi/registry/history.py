"""Field history of a person for the detail page: who changed what, when (from django-simple-history)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sinergi.registry.models import Person


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class Revision:
    at: datetime
    who: str
    kind: str  # "+" created, "~" changed, "-" deleted
    changes: list[FieldChange]


def person_changes(person: Person, limit: int = 50) -> list[Revision]:
    records = list(person.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    revisions: list[Revision] = []
    # A person written without a history row (a bulk load outside the services) has no revisions to show.
    for newer, older in zip(records, [*records[1:], None][: len(records)], strict=True):
        if newer is records[-1] and len(records) > limit:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for change in delta.changes:
                label = str(getattr(Person._meta.get_field(change.field), "verbose_name", change.field))
                changes.append(FieldChange(label, _display(change.old), _display(change.new)))
        revisions.append(
            Revision(
                at=newer.history_date,
                who=newer.history_user.display_name if newer.history_user else "—",
                kind=newer.history_type,
                changes=changes,
            )
        )
    return revisions


def _display(value: object) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return "✓"
    if value is False:
        return "✗"
    return str(value)
