"""A partner system's batch push: upsert its records by (source, id), all or nothing.

The records go through the same ``plan_records`` / ``apply_plans`` as a file import (validation, linking to
the agency's persons by NIK or the linkage model, provenance, change feed). Unlike an import, which keeps the
good rows of a file, a push is one request: if any record is refused, nothing is written and every problem
comes back at once, so the partner fixes them and sends the batch again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.imports.models import RowAction
from sinergi.sources.models import DataSource, SourceKind
from sinergi.sources.normalisation import RecordIssue
from sinergi.sources.services import AppliedRecord, IncomingRecord, apply_plans, get_or_create_source, plan_records

MAX_RECORDS = 1000


@dataclass(frozen=True)
class RecordError:
    """A problem with one pushed record: its position in the batch, its id, the field and what to fix."""

    index: int
    id: str
    field: str
    message: str


class PushRefused(Exception):
    """Some records cannot go in; nothing was written."""

    def __init__(self, errors: list[RecordError]) -> None:
        super().__init__(f"{len(errors)} problems")
        self.errors = errors


@dataclass(frozen=True)
class PushResult:
    source: DataSource
    records: list[AppliedRecord]

    @property
    def counts(self) -> dict[str, int]:
        counts = {action.value: 0 for action in RowAction if action != RowAction.ERROR}
        for record in self.records:
            counts[record.action] += 1
        return counts


@transaction.atomic
def push_records(
    *, actor: User, source_name: str, records: Sequence[IncomingRecord], reference: str = ""
) -> PushResult:
    """Plan and apply `records` for the actor's agency's source `source_name`; PushRefused if any is refused.

    `reference` is the provenance kept on each source record (which request brought its values).
    """
    source = get_or_create_source(actor=actor, name=source_name, kind=SourceKind.SYSTEM)
    # Pushes to one source take turns: the second plans against what the first wrote, so two requests
    # carrying the same new record cannot both create a person for it.
    source = DataSource.objects.select_for_update().get(pk=source.pk)
    plans = plan_records(actor=actor, source=source, records=records)
    refused = [
        RecordError(index, plan.external_id, issue.field, issue.message)
        for index, plan in enumerate(plans)
        for issue in plan.errors
    ]
    if refused:
        raise PushRefused(refused)
    applied = apply_plans(actor=actor, source=source, plans=plans, file_name=reference)
    for index, record in enumerate(applied):
        if record.action == RowAction.ERROR:
            issues = record.errors or (RecordIssue("", "", _("The registry refused this record: check its values.")),)
            refused += [RecordError(index, record.external_id, issue.field, issue.message) for issue in issues]
    if refused:
        # Raised inside the transaction: what the other records wrote is rolled back with it.
        raise PushRefused(refused)
    return PushResult(source=source, records=applied)
