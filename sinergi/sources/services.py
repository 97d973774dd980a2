"""Bringing records from a source into the registry: plan (a dry run), then apply.

Imports (``sinergi.imports``) and API pushes (``sinergi.changes``) call the same two functions:

``plan_records``
    Checks and normalises each incoming record (``sinergi.sources.normalisation``) and decides what applying
    it would do, without writing anything:

    * ``UNCHANGED``: this source already sent this record (same external id) with the same values;
    * ``UPDATE``: it sent this record before, with other values;
    * ``LINK``: a record new to this source, of a person the agency already has: the same valid NIK, or the
      linkage model's match probability at or above the match threshold;
    * ``CREATE``: a new person. The model's candidates between the review and the match threshold are kept:
      once the person exists they become pairs for a data officer to review;
    * ``ERROR``: a value to fix, or an external id that is empty or repeated in the same input.

``apply_plans``
    Writes what was planned, through the registry services (permission, validation, history, audit, change
    feed), and keeps each record's values with their provenance in a ``SourceRecord``. It looks again at
    what exists when it runs, so applying the same plans twice changes nothing, and a plan made before
    another import went in still lands right. A person's field is set from a source only when the person
    has no value for it or the value came from this same source; a different value from elsewhere is left
    as it is, and the golden record shows the disagreement.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.audit.events import record_event, record_events
from sinergi.bulk import insert_many, new
from sinergi.changes.feed import changes_savepoint, coalesced_changes, record_person_change
from sinergi.changes.models import ChangeOp
from sinergi.identity.text import has_unstorable_characters
from sinergi.imports.models import RowAction
from sinergi.matching import engine
from sinergi.matching.engine import Candidate
from sinergi.matching.services import MatchingError, propose_pair
from sinergi.registry import services as registry
from sinergi.registry import validation
from sinergi.registry.models import Person
from sinergi.sources.models import DataSource, SourceKind, SourceRecord
from sinergi.sources.normalisation import (
    IDENTIFIER_FIELDS,
    MAX_LENGTHS,
    PERSON_FIELDS,
    RecordIssue,
    collapse,
    content_hash,
    look_up_region_codes,
    normalise_values,
    person_data,
    raw_hash,
)

if TYPE_CHECKING:
    from sinergi.imports.models import ImportBatch


@dataclass(frozen=True)
class IncomingRecord:
    """One row of a file or one pushed record: its id in the source and its standard fields as raw text."""

    external_id: str
    values: Mapping[str, str]
    row_number: int | None = None


@dataclass
class RecordPlan:
    """What applying one incoming record would do; ``values`` are normalised (raw text for ERROR rows)."""

    external_id: str
    row_number: int | None
    action: RowAction
    values: dict[str, str]
    errors: list[RecordIssue] = field(default_factory=list)
    warnings: list[RecordIssue] = field(default_factory=list)
    # The person this record updates or links to (None for CREATE, and for a LINK to a person that an
    # earlier row of the same input creates: it is found by NIK when applied).
    person_id: int | None = None
    probability: float | None = None
    # How a LINK was decided: "nik" or "model".
    linked_by: str = ""
    # For CREATE: persons scoring between the review and the match threshold, best first.
    candidates: list[Candidate] = field(default_factory=list)
    # For UPDATE: standard field -> (value this source sent before, value now).
    changes: dict[str, tuple[str, str]] = field(default_factory=dict)
    # normalisation.raw_hash of the values as received (empty for a plan made before it was kept).
    raw_hash: str = ""

    @property
    def content_hash(self) -> str:
        return content_hash(self.values)


@dataclass
class PlanState:
    """What earlier parts of the same input planned, for inputs planned in chunks (a large file)."""

    # external id -> row number (or None) where it was first seen
    seen_ids: dict[str, int | None] = field(default_factory=dict)
    # NIK -> external id of the earlier record that will create or link the person with it
    planned_niks: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class AppliedRecord:
    """What applying one plan did: the final action (a CREATE may have become a LINK) and the person."""

    external_id: str
    row_number: int | None
    action: RowAction
    person_id: int | None
    errors: tuple[RecordIssue, ...] = ()
    pairs_proposed: int = 0


SOURCE_NAME_LENGTH = 120  # DataSource.name


class SourceError(Exception):
    """A refused source operation; the message says what to do."""


def _require(actor: User) -> None:
    if not actor.is_authenticated or not actor.has_capability(Capability.IMPORT_DATA):
        raise PermissionDenied(_("Your role does not allow importing data. Ask your supervisor if you need it."))


def _check_source(actor: User, source: DataSource) -> None:
    if source.agency_id != actor.agency_id:
        raise Http404  # another agency's source: the same answer as one that does not exist


# --- sources --------------------------------------------------------------------------------------------------


@transaction.atomic
def get_or_create_source(*, actor: User, name: str, kind: str = SourceKind.FILE) -> DataSource:
    """The actor's agency's source of this name (any case), created when new."""
    _require(actor)
    cleaned = collapse(name)
    if not cleaned:
        raise SourceError(_("Name the source, e.g. Ekspor Sisko P2MI."))
    if len(cleaned) > SOURCE_NAME_LENGTH:
        raise SourceError(_("The source name is too long: use at most 120 characters."))
    if kind not in SourceKind.values:
        raise SourceError(_("Choose one of: %s.") % ", ".join(SourceKind.values))
    existing = _find_source(actor.agency_pk, cleaned)
    if existing is not None:
        return existing
    try:
        # A savepoint: two first pushes (or uploads) naming a new source at the same moment both miss the
        # lookup above; the second INSERT then waits for the first to commit and hits the unique constraint.
        with transaction.atomic():
            source = DataSource.objects.create(agency_id=actor.agency_pk, name=cleaned, kind=kind, created_by=actor)
            record_event(actor=actor, action="source.created", obj=source, summary=source.name, detail={"kind": kind})
    except IntegrityError:
        existing = _find_source(actor.agency_pk, cleaned)
        if existing is None:
            raise
        return existing
    return source


def _find_source(agency_id: int, name: str) -> DataSource | None:
    return DataSource.objects.filter(agency_id=agency_id, name__iexact=name).first()


@transaction.atomic
def save_column_mapping(*, actor: User, source_id: int, mapping: Mapping[str, str]) -> DataSource:
    """Remember a file's column mapping (standard field -> column) for the next file of this source."""
    _require(actor)
    source = DataSource.objects.select_for_update().filter(pk=source_id, agency_id=actor.agency_pk).first()
    if source is None:
        raise Http404
    cleaned = {name: column for name, column in mapping.items() if column}
    if source.column_mapping != cleaned:
        source.column_mapping = cleaned
        source.updated_at = timezone.now()
        source.save(update_fields=["column_mapping", "updated_at"])
        record_event(actor=actor, action="source.mapping_saved", obj=source, summary=source.name, detail=cleaned)
    return source


# --- plan -----------------------------------------------------------------------------------------------------


def plan_records(
    *,
    actor: User,
    source: DataSource,
    records: Iterable[IncomingRecord],
    column_for_field: Mapping[str, str] | None = None,
    state: PlanState | None = None,
) -> list[RecordPlan]:
    """What applying these records would do (see the module docstring); writes nothing.

    ``column_for_field`` names the file's column of each standard field, for messages. Pass the same
    ``state`` to successive calls when an input is planned in chunks: ids and NIKs repeat across chunks.
    """
    _require(actor)
    _check_source(actor, source)
    state = state if state is not None else PlanState()
    columns = column_for_field or {}
    today = timezone.localdate()
    incoming = list(records)
    resent = _resent_unchanged(source, incoming, state)
    look_up_region_codes(
        str(record.values.get("region_code") or "") for index, record in enumerate(incoming) if index not in resent
    )
    plans = [resent.get(index) or _checked(record, columns, today, state) for index, record in enumerate(incoming)]
    valid = [plan for index, plan in enumerate(plans) if plan.action != RowAction.ERROR and index not in resent]
    if not valid:
        return plans

    # Plain values, not models: a re-import reads a source record for every row, and most are unchanged.
    existing = {
        external_id: (content_hash, person_id, merged_into_id)
        for external_id, content_hash, person_id, merged_into_id in SourceRecord.objects.filter(
            source=source, external_id__in=[plan.external_id for plan in valid]
        ).values_list("external_id", "content_hash", "person_id", "person__merged_into_id")
    }
    niks = {plan.values["nik"] for plan in valid if plan.values.get("nik")}
    # Ordered here, not in SQL: with ORDER BY, SQLite reads every person of the agency instead of the NIK index.
    holding = Person.objects.filter(registered_by_agency_id=actor.agency_pk, nik__in=niks, merged_into__isnull=True)
    persons_by_nik = {person.nik: person for person in sorted(holding.order_by(), key=attrgetter("pk"))}
    to_score: list[RecordPlan] = []
    updated: list[RecordPlan] = []
    for plan in valid:
        record = existing.get(plan.external_id)
        nik = plan.values.get("nik", "")
        if record is not None:
            stored_hash, person_id, merged_into_id = record
            plan.person_id = _survivor_id(person_id, merged_into_id)
            if stored_hash == plan.content_hash:
                plan.action = RowAction.UNCHANGED
            else:
                plan.action = RowAction.UPDATE
                updated.append(plan)
        elif nik and nik in persons_by_nik:
            plan.action, plan.person_id = RowAction.LINK, persons_by_nik[nik].pk
            plan.linked_by, plan.probability = "nik", 1.0
        elif nik and nik in state.planned_niks:
            plan.action, plan.linked_by, plan.probability = RowAction.LINK, "nik", 1.0
            plan.warnings.append(
                RecordIssue(
                    "nik",
                    columns.get("nik", "nik"),
                    _("The same NIK as record %(id)s earlier in this file: both are linked to one person.")
                    % {"id": state.planned_niks[nik]},
                )
            )
        else:
            if nik:
                state.planned_niks[nik] = plan.external_id
            to_score.append(plan)
    if updated:
        stored = dict(
            SourceRecord.objects.filter(
                source=source, external_id__in=[plan.external_id for plan in updated]
            ).values_list("external_id", "values")
        )
        for plan in updated:
            plan.changes = _differences(stored[plan.external_id], plan.values)
    if to_score:
        _score(actor, to_score)
    return plans


def _resent_unchanged(source: DataSource, records: Sequence[IncomingRecord], state: PlanState) -> dict[int, RecordPlan]:
    """The records (by position) this source sent before with the very same raw values: UNCHANGED plans with the
    values stored then, without normalising or checking them again (a re-import of a large file is mostly these).

    A record whose id is repeated in the input goes the whole way, which reports the repetition.
    """
    ids = [collapse(record.external_id) for record in records]
    stored = {
        external_id: (raw, values, person_id, merged_into_id)
        for external_id, raw, values, person_id, merged_into_id in SourceRecord.objects.filter(
            # An id no database can store is refused by the whole way (and cannot be looked up).
            source=source,
            external_id__in=[
                external_id for external_id in ids if external_id and not has_unstorable_characters(external_id)
            ],
        )
        .exclude(raw_hash="")
        .values_list("external_id", "raw_hash", "values", "person_id", "person__merged_into_id")
    }
    resent: dict[int, RecordPlan] = {}
    for index, (record, external_id) in enumerate(zip(records, ids, strict=True)):
        known = stored.get(external_id)
        if known is None or external_id in state.seen_ids:
            continue
        raw, values, person_id, merged_into_id = known
        if raw != raw_hash(record.values):
            continue
        state.seen_ids[external_id] = record.row_number
        resent[index] = RecordPlan(
            external_id=external_id,
            row_number=record.row_number,
            action=RowAction.UNCHANGED,
            values={name: str(value) for name, value in values.items()},
            person_id=_survivor_id(person_id, merged_into_id),
            raw_hash=raw,
        )
    return resent


def _checked(record: IncomingRecord, columns: Mapping[str, str], today: date, state: PlanState) -> RecordPlan:
    normalised = normalise_values(record.values, today=today, column_for_field=columns)
    external_id = collapse(record.external_id)
    plan = RecordPlan(
        external_id=external_id,
        row_number=record.row_number,
        action=RowAction.CREATE,
        values=normalised.values,
        errors=list(normalised.errors),
        warnings=list(normalised.warnings),
        raw_hash=raw_hash(record.values),
    )
    id_column = columns.get("id", "id")
    # No database stores a NUL, and a lone surrogate is not text: refused here, not by PostgreSQL's INSERT (or
    # its SELECT: the id is looked up before anything is written).
    unstorable = [
        name
        for name, raw in (("id", record.external_id), *record.values.items())
        if isinstance(raw, str) and has_unstorable_characters(raw)
    ]
    for name in unstorable:
        plan.errors.append(
            RecordIssue(
                name,
                columns.get(name, name),
                _("The value holds a NUL character or an invalid character code: remove it."),
            )
        )
    if "id" in unstorable:
        pass  # refused just above; such an id is neither looked up nor remembered
    elif not external_id:
        plan.errors.append(
            RecordIssue(
                "id",
                id_column,
                _(
                    "The id is empty. Fill in this record's id, or do not choose an id column "
                    "(row numbers are then used as ids)."
                ),
            )
        )
    elif len(external_id) > MAX_LENGTHS["id"]:
        plan.errors.append(
            RecordIssue(
                "id",
                id_column,
                _("The id is %(length)s characters long; at most %(limit)s fit. Use the source's short id.")
                % {"length": len(external_id), "limit": MAX_LENGTHS["id"]},
            )
        )
    elif external_id in state.seen_ids:
        first = state.seen_ids[external_id]
        plan.errors.append(
            RecordIssue(
                "id",
                id_column,
                (
                    _(
                        "The id %(id)s was already used on row %(row)s. Each record needs its own id: "
                        "correct or remove one."
                    )
                    if first is not None
                    else _("The id %(id)s was already used in this input. Each record needs its own id.")
                )
                % {"id": external_id, "row": first},
            )
        )
    else:
        state.seen_ids[external_id] = record.row_number
    if plan.errors:
        plan.action = RowAction.ERROR
        plan.values = {name: str(value) for name, value in record.values.items() if value not in (None, "")}
    return plan


def _score(actor: User, plans: Sequence[RecordPlan]) -> None:
    """LINK the plans the model is sure about; keep the candidates worth a review on the rest."""
    found = engine.find_candidates(
        agency_id=actor.agency_pk, records=[{**plan.values, "id": plan.external_id} for plan in plans]
    )
    threshold = engine.match_threshold()
    for plan in plans:
        candidates = found.get(plan.external_id, [])
        if candidates and candidates[0].probability >= threshold:
            best = candidates[0]
            plan.action, plan.person_id = RowAction.LINK, best.person_id
            plan.linked_by, plan.probability = "model", best.probability
        else:
            plan.candidates = [candidate for candidate in candidates if candidate.probability < threshold]


def _differences(before: Mapping[str, Any], after: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    names = sorted(set(before) | set(after))
    return {
        name: (str(before.get(name, "")), after.get(name, ""))
        for name in names
        if str(before.get(name, "")) != after.get(name, "")
    }


def _survivor_id(person_id: int, merged_into_id: int | None) -> int:
    """``_survivor``'s id from a person's id and its merged_into_id, read only when the person was merged."""
    return person_id if merged_into_id is None else _survivor(Person.objects.get(pk=person_id)).pk


def _survivor(person: Person) -> Person:
    """The record a merged person lives on in (merges can chain)."""
    seen = {person.pk}
    while person.merged_into_id is not None:
        person = Person.objects.get(pk=person.merged_into_id)
        if person.pk in seen:  # a cycle would be a bug in merging; stop rather than loop
            break
        seen.add(person.pk)
    return person


# --- apply ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Provenance:
    file_name: str
    batch: ImportBatch | None
    at: datetime
    origin: str


@dataclass
class _Writes:
    """What a chunk writes in one statement each at its end, and the persons it already read.

    ``records`` and ``linked`` grow row by row; a row the registry refuses takes its own back (``mark`` /
    ``undo``), as its savepoint takes back its other writes.
    """

    records: list[SourceRecord] = field(default_factory=list)
    # person.source_linked audit events: (person, summary, detail)
    linked: list[tuple[Person, str, dict[str, Any]]] = field(default_factory=list)
    # the agency's persons the chunk's plans name, read at once (and replaced by what an update returns)
    persons: dict[int, Person] = field(default_factory=dict)

    def mark(self) -> tuple[int, int]:
        return len(self.records), len(self.linked)

    def undo(self, mark: tuple[int, int]) -> None:
        del self.records[mark[0] :]
        del self.linked[mark[1] :]


@transaction.atomic
def apply_plans(
    *,
    actor: User,
    source: DataSource,
    plans: Sequence[RecordPlan],
    file_name: str = "",
    batch: ImportBatch | None = None,
) -> list[AppliedRecord]:
    """Write what ``plans`` say, in one transaction; returns what happened to each, in order.

    A record the registry refuses (its values broke a rule since it was planned) comes back as ERROR with
    the registry's message, and the others go in. Idempotent: a plan already applied finds its source
    record with the same values and does nothing.
    """
    _require(actor)
    _check_source(actor, source)
    provenance = _Provenance(
        file_name=file_name[:255],
        batch=batch,
        at=timezone.now(),
        origin="import" if source.kind == SourceKind.FILE else "api",
    )
    existing = _locked_records(source, plans)
    writes = _Writes(persons=_named_persons(actor, plans, existing))
    # One change-feed event per person the chunk touched (see feed.coalesced_changes), written at its end.
    with coalesced_changes():
        created = _register_new(actor, plans, existing)
        try:
            # Every row in one savepoint: a row the registry refuses is rare, and a savepoint per row cost more
            # than most rows' own writes. When one is refused, the rows are applied again, each in its own.
            with transaction.atomic(), changes_savepoint():
                results = _apply_each(actor, source, plans, created, existing, provenance, writes, isolated=False)
        except registry.RegistryError:
            # Rolled back to just after the registrations: read again what the rows changed in memory.
            existing = _locked_records(source, plans)
            writes = _Writes(persons=_named_persons(actor, plans, existing))
            results = _apply_each(actor, source, plans, created, existing, provenance, writes, isolated=True)
        insert_many(SourceRecord, writes.records)
        record_events(actor=actor, action="person.source_linked", items=list(writes.linked))
    counts: dict[str, int] = {}
    for result in results:
        counts[result.action] = counts.get(result.action, 0) + 1
    record_event(
        actor=actor,
        action="source.records_applied",
        obj=source,
        summary=file_name or source.name,
        detail={"counts": counts, "import": batch.pk if batch is not None else None},
    )
    return results


@transaction.atomic
def confirm_unchanged(
    *,
    actor: User,
    source: DataSource,
    records: Sequence[tuple[str, int | None, str]],
    errors: int = 0,
    file_name: str = "",
    batch: ImportBatch | None = None,
) -> list[bool]:
    """For records planned UNCHANGED, given as (external id, person id, content hash): whether each still is.

    True where the source record still holds values of that hash on that person, not merged since: what
    ``apply_plans`` would answer for the plan (UNCHANGED, that person, nothing written), from three columns
    instead of the values and a plan per record. A re-import applies most of its rows this way; the others go
    through ``apply_plans``. ``errors`` counts the input's refused records (nothing to write either), for the
    audit event, which records the outcome as ``apply_plans`` does.
    """
    _require(actor)
    _check_source(actor, source)
    stored = {
        external_id: (content, person_id)
        for external_id, content, person_id in SourceRecord.objects.filter(
            source=source,
            external_id__in=[external_id for external_id, _person_id, _content in records],
            person__merged_into__isnull=True,
        ).values_list("external_id", "content_hash", "person_id")
    }
    standing = [
        bool(content) and stored.get(external_id) == (content, person_id) for external_id, person_id, content in records
    ]
    counts = {RowAction.UNCHANGED: sum(standing), RowAction.ERROR: errors}
    record_event(
        actor=actor,
        action="source.records_applied",
        obj=source,
        summary=file_name or source.name,
        detail={
            "counts": {str(action): count for action, count in counts.items() if count},
            "import": batch.pk if batch is not None else None,
        },
    )
    return standing


def _locked_records(source: DataSource, plans: Sequence[RecordPlan]) -> dict[str, SourceRecord]:
    """The source's records of these plans, by external id, locked until the chunk commits."""
    return {
        record.external_id: record
        for record in SourceRecord.objects.select_for_update()
        .filter(source=source, external_id__in=[plan.external_id for plan in plans if plan.external_id])
        .select_related("person")
    }


def _named_persons(actor: User, plans: Sequence[RecordPlan], existing: Mapping[str, SourceRecord]) -> dict[int, Person]:
    """The agency's persons the plans that write something name, read at once."""
    named = {
        plan.person_id
        for plan in plans
        if plan.person_id is not None and plan.action != RowAction.ERROR and not _unchanged(plan, existing)
    }
    if not named:
        return {}
    return {
        person.pk: person
        for person in Person.objects.filter(registered_by_agency_id=actor.agency_pk, pk__in=named)
        .select_related("registered_by_agency")
        .prefetch_related("aliases")
    }


def _apply_each(
    actor: User,
    source: DataSource,
    plans: Sequence[RecordPlan],
    created: Mapping[int, Person | registry.InvalidData],
    existing: dict[str, SourceRecord],
    provenance: _Provenance,
    writes: _Writes,
    *,
    isolated: bool,
) -> list[AppliedRecord]:
    """Apply the plans in order (``created``: the persons ``_register_new`` registered for them). ``isolated``: each
    row that may be refused in its own savepoint, a refusal becoming the row's ERROR; otherwise a refusal raises."""
    results: list[AppliedRecord] = []
    for index, plan in enumerate(plans):
        if plan.action == RowAction.ERROR:
            results.append(AppliedRecord(plan.external_id, plan.row_number, RowAction.ERROR, None, tuple(plan.errors)))
            continue
        made = created.get(index)
        if isinstance(made, registry.InvalidData):
            results.append(AppliedRecord(plan.external_id, plan.row_number, RowAction.ERROR, None, _issues_of(made)))
            continue
        if made is not None:
            # Registered above with its identifiers; its stay abroad was checked there too, so a refusal here
            # is a bug: it fails the chunk (rolled back whole) rather than leave a person without its record.
            results.append(_create(actor, source, plan, existing, provenance, writes, made))
            continue
        if _unchanged(plan, existing):
            # This source sent these very values before: nothing to write (what `_apply_one` answers for it,
            # without its cost: a re-import is mostly such rows).
            record = existing[plan.external_id]
            results.append(
                AppliedRecord(plan.external_id, plan.row_number, RowAction.UNCHANGED, _survivor(record.person).pk)
            )
            continue
        if not isolated:
            results.append(_apply_one(actor, source, plan, existing, provenance, writes))
            continue
        mark, known = writes.mark(), plan.external_id in existing
        try:
            with transaction.atomic(), changes_savepoint():
                result = _apply_one(actor, source, plan, existing, provenance, writes)
        except registry.RegistryError as refused:
            writes.undo(mark)
            if not known:
                existing.pop(plan.external_id, None)
            result = AppliedRecord(plan.external_id, plan.row_number, RowAction.ERROR, None, _issues_of(refused))
        results.append(result)
    return results


def _unchanged(plan: RecordPlan, existing: Mapping[str, SourceRecord]) -> bool:
    record = existing.get(plan.external_id)
    return record is not None and record.content_hash == plan.content_hash


def _issues_of(refused: registry.RegistryError) -> tuple[RecordIssue, ...]:
    if isinstance(refused, registry.InvalidData):
        return tuple(
            RecordIssue(name, name, message) for name, messages in refused.errors.items() for message in messages
        )
    return (RecordIssue("", "", str(refused)),)


def _register_new(
    actor: User, plans: Sequence[RecordPlan], existing: Mapping[str, SourceRecord]
) -> dict[int, Person | registry.InvalidData]:
    """Register the chunk's new persons at once (``registry.register_persons``): plan index -> person or refusal.

    Left to the row-by-row path: a plan whose NIK another plan of the chunk also carries (which row gets it
    depends on the order), one whose stay abroad the registry would refuse (the row must be an error as a
    whole), and one whose NIK the agency registered since the plan was made (it becomes a LINK). A plan whose
    values or identifiers the registry refuses comes back refused, as the row-by-row path would report it.
    """
    other_niks = {
        plan.values["nik"]
        for plan in plans
        if plan.action not in (RowAction.ERROR, RowAction.CREATE) and plan.values.get("nik")
    }
    chosen: list[tuple[int, RecordPlan]] = []
    for index, plan in enumerate(plans):
        if plan.action != RowAction.CREATE or plan.external_id in existing:
            continue
        if plan.values.get("nik") and plan.values["nik"] in other_niks:
            continue
        if _would_refuse_extras(plan.values):
            continue
        chosen.append((index, plan))
    if not chosen:
        return {}
    made = registry.register_persons(
        actor=actor,
        people=[person_data(plan.values) for _, plan in chosen],
        identifiers=[
            [(kind, plan.values[name]) for name, kind in IDENTIFIER_FIELDS.items() if plan.values.get(name)]
            for _, plan in chosen
        ],
    )
    return {
        index: result
        for (index, _plan), result in zip(chosen, made, strict=True)
        if isinstance(result, Person | registry.InvalidData)
    }


def _would_refuse_extras(values: Mapping[str, str]) -> bool:
    """Whether ``add_migration_episode`` would refuse the stay abroad these values add."""
    errors: dict[str, list[str]] = {}
    if values.get("destination_country"):
        born = values.get("birth_date")
        validation.check_episode(
            registry.EpisodeData(destination_country=values["destination_country"]),
            date.fromisoformat(born) if born else None,
            errors,
        )
    return bool(errors)


def _apply_one(
    actor: User,
    source: DataSource,
    plan: RecordPlan,
    existing: dict[str, SourceRecord],
    provenance: _Provenance,
    writes: _Writes,
) -> AppliedRecord:
    record = existing.get(plan.external_id)
    if record is not None:
        if record.content_hash == plan.content_hash:
            return AppliedRecord(plan.external_id, plan.row_number, RowAction.UNCHANGED, _survivor(record.person).pk)
        return _update(actor, record, plan, provenance, writes)
    target = _link_target(actor, plan, writes)
    if target is not None:
        existing[plan.external_id] = _link(actor, source, target, plan, provenance, plan.linked_by or "nik", writes)
        return AppliedRecord(plan.external_id, plan.row_number, RowAction.LINK, target.pk)
    return _create(actor, source, plan, existing, provenance, writes)


def _link_target(actor: User, plan: RecordPlan, writes: _Writes) -> Person | None:
    """The existing person a LINK (or an UPDATE whose source record has gone) attaches to, if still there."""
    if plan.action not in (RowAction.LINK, RowAction.UPDATE, RowAction.UNCHANGED):
        return None
    person = writes.persons.get(plan.person_id) if plan.person_id is not None else None
    if person is None and plan.person_id is not None:
        person = Person.objects.filter(registered_by_agency_id=actor.agency_pk, pk=plan.person_id).first()
    if person is None and plan.values.get("nik"):
        same_nik = Person.objects.filter(registered_by_agency_id=actor.agency_pk, nik=plan.values["nik"])
        person = same_nik.order_by("id").first()
    return _survivor(person) if person is not None else None


def _create(
    actor: User,
    source: DataSource,
    plan: RecordPlan,
    existing: dict[str, SourceRecord],
    provenance: _Provenance,
    writes: _Writes,
    person: Person | None = None,
) -> AppliedRecord:
    """A new person for `plan` (`person` when ``_register_new`` already registered it, with its identifiers)."""
    if person is None:
        try:
            person = registry.register_person(actor=actor, data=person_data(plan.values), confirm_new=True)
        except registry.NikAlreadyRegistered as clash:
            # Registered since the plan was made (or by an earlier record of this input): the same person.
            target = _survivor(clash.existing)
            existing[plan.external_id] = _link(actor, source, target, plan, provenance, "nik", writes)
            return AppliedRecord(plan.external_id, plan.row_number, RowAction.LINK, target.pk)
        _add_identifiers(actor, person, plan.values, previous=None)
    _add_stay_abroad(actor, person, plan.values, previous=None)
    existing[plan.external_id] = _new_record(source, person, plan, provenance, writes, linked_by="new")
    record_person_change(person, ChangeOp.UPDATED)  # its source ids are part of what partners replicate
    proposed = _propose(actor, person, plan.candidates, provenance.origin)
    return AppliedRecord(plan.external_id, plan.row_number, RowAction.CREATE, person.pk, pairs_proposed=proposed)


def _link(
    actor: User,
    source: DataSource,
    person: Person,
    plan: RecordPlan,
    provenance: _Provenance,
    linked_by: str,
    writes: _Writes,
) -> SourceRecord:
    person = _fill_person(actor, person, plan.values, previous=None)
    writes.persons[person.pk] = person
    _add_phone(actor, person, plan.values, previous=None)
    _add_identifiers(actor, person, plan.values, previous=None)
    _add_stay_abroad(actor, person, plan.values, previous=None)
    record = _new_record(source, person, plan, provenance, writes, linked_by=linked_by)
    record_person_change(person, ChangeOp.UPDATED)
    writes.linked.append(
        (
            person,
            person.full_name,
            {"source": source.name, "id": plan.external_id, "linked_by": linked_by, "probability": plan.probability},
        )
    )
    return record


def _update(
    actor: User, record: SourceRecord, plan: RecordPlan, provenance: _Provenance, writes: _Writes
) -> AppliedRecord:
    person = _survivor(record.person)
    previous = {name: str(value) for name, value in record.values.items()}
    person = _fill_person(actor, person, plan.values, previous=previous)
    writes.persons[person.pk] = person
    _add_phone(actor, person, plan.values, previous=previous)
    _add_identifiers(actor, person, plan.values, previous=previous)
    _add_stay_abroad(actor, person, plan.values, previous=previous)
    changed = sorted(_differences(previous, plan.values))
    record.person = person
    record.values = plan.values
    record.content_hash = plan.content_hash
    record.raw_hash = plan.raw_hash
    record.file_name = provenance.file_name
    record.row_number = plan.row_number
    record.import_batch = provenance.batch
    record.imported_at = provenance.at
    if record.pk is not None:  # one this chunk made is still waiting in `writes.records`, and goes in as it is now
        record.save()
    record_event(
        actor=actor,
        action="person.source_updated",
        obj=person,
        summary=person.full_name,
        detail={"source": record.source.name, "id": plan.external_id, "fields": changed},
    )
    return AppliedRecord(plan.external_id, plan.row_number, RowAction.UPDATE, person.pk)


def _new_record(
    source: DataSource, person: Person, plan: RecordPlan, provenance: _Provenance, writes: _Writes, *, linked_by: str
) -> SourceRecord:
    """The source record, written with the chunk's others when ``apply_plans`` ends."""
    record = new(
        SourceRecord,
        source=source,
        external_id=plan.external_id,
        person=person,
        values=plan.values,
        content_hash=plan.content_hash,
        raw_hash=plan.raw_hash,
        file_name=provenance.file_name,
        row_number=plan.row_number,
        import_batch=provenance.batch,
        imported_at=provenance.at,
        first_seen_at=provenance.at,
        linked_by=linked_by,
        link_probability=plan.probability if linked_by in ("nik", "model") else None,
    )
    writes.records.append(record)
    return record


def _fill_person(
    actor: User, person: Person, values: Mapping[str, str], *, previous: Mapping[str, str] | None
) -> Person:
    """Set the person's fields this source knows, where the person has none or had this source's old value.

    A value another source (or a worker) gave stays: the golden record shows both. When the registry
    refuses a combination (a NIK whose birth date contradicts the person's), the refused fields are left
    out and the rest goes in.
    """
    current = registry.person_data_of(person)
    updates: dict[str, Any] = {}
    for name, attribute in PERSON_FIELDS.items():
        new = values.get(name, "")
        now = getattr(current, attribute)
        now_text = now.isoformat() if isinstance(now, date) else (now or "")
        if not new or now_text == new:
            continue
        if not now_text or (previous is not None and previous.get(name, "") == now_text):
            updates[attribute] = date.fromisoformat(new) if name == "birth_date" else new
    while updates:
        try:
            return registry.update_person(
                actor=actor,
                person_id=person.pk,
                data=registry.merged(current, **updates),
                expected_version=person.version,
            )
        except registry.InvalidData as refused:
            # A NIK that contradicts a birth date or sex is reported on "nik" even when the date is the update.
            dropped = {key for key in refused.errors if key in updates} or ({"birth_date", "sex"} & set(updates))
            if not dropped:
                break
            for key in dropped:
                del updates[key]
        except registry.NikAlreadyRegistered:
            # Another person of the agency has this NIK: leave it for the review of that pair.
            del updates["nik"]
    return person


def _add_phone(actor: User, person: Person, values: Mapping[str, str], *, previous: Mapping[str, str] | None) -> None:
    number = values.get("phone", "")
    if number and (previous is None or previous.get("phone") != number):
        registry.add_phone(actor=actor, person_id=person.pk, number=number)


def _add_identifiers(
    actor: User, person: Person, values: Mapping[str, str], *, previous: Mapping[str, str] | None
) -> None:
    for name, kind in IDENTIFIER_FIELDS.items():
        value = values.get(name, "")
        if value and (previous is None or previous.get(name) != value):
            registry.add_identifier(actor=actor, person_id=person.pk, kind=kind, value=value)


def _add_stay_abroad(
    actor: User, person: Person, values: Mapping[str, str], *, previous: Mapping[str, str] | None
) -> None:
    """A destination country the source gives becomes a stay abroad, unless the person already has one there."""
    country = values.get("destination_country", "")
    if not country or (previous is not None and previous.get("destination_country") == country):
        return
    if person.episodes.filter(destination_country=country).exists():
        return
    registry.add_migration_episode(
        actor=actor, person_id=person.pk, data=registry.EpisodeData(destination_country=country)
    )


def _propose(actor: User, person: Person, candidates: Sequence[Candidate], origin: str) -> int:
    proposed = 0
    for candidate in candidates:
        if candidate.person_id == person.pk:
            continue
        try:
            propose_pair(
                actor=actor,
                person_id=person.pk,
                other_person_id=candidate.person_id,
                probability=candidate.probability,
                weights=candidate.weights,
                origin=origin,
            )
        except (MatchingError, Http404):
            # The candidate was merged or removed after the analysis: there is nothing left to review.
            continue
        proposed += 1
    return proposed


# --- plans stored between the preview and the apply -----------------------------------------------------------


def candidates_to_json(candidates: Sequence[Candidate]) -> list[dict[str, Any]]:
    return [
        {
            "person_id": candidate.person_id,
            "probability": candidate.probability,
            "weights": [[name, weight] for name, weight in candidate.weights],
        }
        for candidate in candidates
    ]


def candidates_from_json(data: Sequence[Mapping[str, Any]]) -> list[Candidate]:
    return [
        Candidate(
            person_id=int(item["person_id"]),
            probability=float(item["probability"]),
            weights=tuple((str(name), float(weight)) for name, weight in item.get("weights", [])),
        )
        for item in data
    ]
