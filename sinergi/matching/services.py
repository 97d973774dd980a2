"""Every write of the matching app: proposing pairs, deciding them, merging, unmerging, verifying fields.

Each function checks the actor's capability and that both persons belong to the actor's agency, runs
in one transaction, writes the audit event and, when a person changes, the change-feed event.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.audit.events import record_event
from sinergi.changes.feed import record_person_change
from sinergi.changes.models import ChangeOp
from sinergi.matching import engine
from sinergi.matching.golden import IDENTIFIER_KINDS, PERSON_ATTRIBUTES, golden_record, value_key
from sinergi.matching.models import (
    DECISION_TRANSITIONS,
    OPEN_DECISIONS,
    Decision,
    FieldVerification,
    MatchCandidate,
    Merge,
)
from sinergi.matching.selectors import get_candidate_for_user, get_merge_for_user
from sinergi.registry import services as registry
from sinergi.registry.models import Person, PersonAlias

# The registry's search index of a person's names (full name and aliases); a merge adds aliases.
from sinergi.registry.services import _index_names as index_person_names
from sinergi.sources.models import SourceRecord


class MatchingError(Exception):
    """A refused matching action; the message says what happened and what to do."""


def _require_any(actor: User, *capabilities: Capability) -> None:
    if not actor.is_authenticated or not any(actor.has_capability(c) for c in capabilities):
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))


def _weights(weights: Sequence[tuple[str, float]]) -> list[list[str | float]]:
    return [[name, round(value, 4)] for name, value in weights]


@transaction.atomic
def propose_pair(
    *,
    actor: User,
    person_id: int,
    other_person_id: int,
    probability: float,
    weights: Sequence[tuple[str, float]],
    origin: str,
) -> MatchCandidate:
    """A pending review item for two persons of the actor's agency; the same unordered pair twice is one item.

    An open item gets the newer score; a decided one is returned unchanged (a pair judged different is
    never proposed again). Refused (MatchingError) for a person with itself or a merged person.
    """
    _require_any(actor, Capability.IMPORT_DATA, Capability.REVIEW_MATCHES)
    if person_id == other_person_id:
        raise MatchingError(_("A person cannot be proposed as a duplicate of themselves."))
    low, high = sorted((person_id, other_person_id))
    persons = {
        person.pk: person
        for person in Person.objects.filter(pk__in=(low, high), registered_by_agency_id=actor.agency_pk)
    }
    if len(persons) != 2:
        raise Http404  # not the actor's agency's persons (or gone): the same answer as "does not exist"
    if any(person.merged_into_id is not None for person in persons.values()):
        raise MatchingError(_("One of these persons was merged into another record; review that record instead."))
    candidate, created = MatchCandidate.objects.select_for_update().get_or_create(
        person_id=low,
        other_person_id=high,
        defaults={
            "agency_id": actor.agency_pk,
            "probability": probability,
            "weights": _weights(weights),
            "origin": origin,
        },
    )
    if created:
        record_event(
            actor=actor,
            action="matching.pair_proposed",
            obj=candidate,
            summary=f"{persons[low].full_name} ~ {persons[high].full_name}",
            detail={"person": low, "other_person": high, "probability": round(probability, 6), "origin": origin},
        )
    elif candidate.decision in (Decision.PENDING, Decision.UNSURE) and (
        candidate.probability != probability or candidate.weights != _weights(weights)
    ):
        candidate.probability = probability
        candidate.weights = _weights(weights)
        candidate.save(update_fields=["probability", "weights"])
    return candidate


def scan_agency(*, actor: User) -> list[MatchCandidate]:
    """Score the actor's agency's registry against itself and propose every likely duplicate pair.

    Not one transaction: scoring takes seconds and each pair is proposed on its own (idempotently).
    """
    _require_any(actor, Capability.REVIEW_MATCHES)
    proposed = []
    for pair in engine.find_duplicates(agency_id=actor.agency_pk):
        try:
            proposed.append(
                propose_pair(
                    actor=actor,
                    person_id=pair.person_id,
                    other_person_id=pair.other_person_id,
                    probability=pair.probability,
                    weights=pair.weights,
                    origin="scan",
                )
            )
        except (MatchingError, Http404):
            continue  # merged or removed since the scan read it: nothing to propose
    return proposed


# --- Decisions on review pairs -------------------------------------------------------------------------------


class AlreadyDecided(MatchingError):
    """Someone decided the pair (or undid the merge) first; nothing was changed by this request."""


def _decided_message(candidate: MatchCandidate) -> str:
    who = candidate.decided_by.display_name if candidate.decided_by else _("another data officer")
    when = timezone.localtime(candidate.decided_at).strftime("%d-%m-%Y %H:%M") if candidate.decided_at else ""
    return _(
        "%(who)s already decided this pair at %(when)s (%(decision)s). Your decision was not saved: "
        "reload the page to see the pair as it is now."
    ) % {"who": who, "when": when, "decision": candidate.get_decision_display()}


@transaction.atomic
def decide_pair(
    *,
    actor: User,
    candidate_id: int,
    decision: str,
    expected_decision: str | None = None,
    survivor_id: int | None = None,
    note: str = "",
) -> MatchCandidate:
    """Record a data officer's decision; "same" merges the pair (the lower id survives unless ``survivor_id``).

    ``expected_decision`` is the state the officer saw (the form sends it). The claim is one conditional
    UPDATE, so of two officers deciding at once, or a double submit, exactly one wins; the other gets
    AlreadyDecided naming who decided. Deciding "same" and merging are one transaction.
    """
    _require_any(actor, Capability.REVIEW_MATCHES)
    candidate = get_candidate_for_user(actor, candidate_id)
    if decision not in (Decision.SAME, Decision.DIFFERENT, Decision.UNSURE):
        raise MatchingError(_("Choose one of: same person, different persons, unsure."))
    allowed_from = [state for state, targets in DECISION_TRANSITIONS.items() if decision in targets]
    expected = [expected_decision] if expected_decision else list(OPEN_DECISIONS)
    now = timezone.now()
    claimed = MatchCandidate.objects.filter(
        pk=candidate.pk, decision__in=[state for state in expected if state in allowed_from]
    ).update(decision=decision, decided_by=actor, decided_at=now, note=note.strip()[:300])
    candidate.refresh_from_db()
    if not claimed:
        raise AlreadyDecided(_decided_message(candidate))
    record_event(
        actor=actor,
        action="matching.pair_decided",
        obj=candidate,
        summary=str(candidate.get_decision_display()),
        detail={
            "person": candidate.person_id,
            "other_person": candidate.other_person_id,
            "decision": decision,
            "probability": candidate.probability,
        },
    )
    if decision == Decision.SAME:
        survivor = survivor_id if survivor_id is not None else candidate.person_id
        if survivor not in (candidate.person_id, candidate.other_person_id):
            raise MatchingError(_("The record to keep must be one of the two records of this pair."))
        absorbed = candidate.other_person_id if survivor == candidate.person_id else candidate.person_id
        merge_persons(actor=actor, survivor_id=survivor, absorbed_id=absorbed, candidate=candidate)
    return candidate


# --- Merge and unmerge ----------------------------------------------------------------------------------------

# Core fields a survivor takes from the absorbed person when its own is empty; the flags when they are set.
MERGE_FIELDS = ("sex", "birth_date", "birth_date_accuracy", "birth_place", "nik", "region_id", "address_text")
MERGE_FLAGS = ("flag_child", "flag_disability", "flag_trafficking")
# Sub-records copied to the survivor (and removed again on unmerge): related name -> fields that make one unique.
COPIED_RECORDS: dict[str, tuple[str, ...]] = {
    "aliases": ("name",),
    "identifiers": ("kind", "value"),
    "phones": ("number",),
    "family": ("relationship", "name", "phone"),
    "episodes": ("destination_country", "departure_date", "employer"),
}


def _json_value(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def _field_value(attribute: str, value: object) -> object:
    if attribute == "birth_date" and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def _lock_persons(actor: User, *person_ids: int) -> dict[int, Person]:
    """Both persons, locked, registered by the actor's agency and not merged; else 404 / MatchingError."""
    persons = {
        person.pk: person
        for person in Person.objects.select_for_update()
        .filter(pk__in=person_ids, registered_by_agency_id=actor.agency_pk)
        .order_by("pk")
    }
    if len(persons) != len(set(person_ids)):
        raise Http404
    if any(person.merged_into_id is not None for person in persons.values()):
        raise MatchingError(_("One of these persons was already merged into another record; open that record."))
    return persons


@transaction.atomic
def merge_persons(*, actor: User, survivor_id: int, absorbed_id: int, candidate: MatchCandidate | None = None) -> Merge:
    """Merge ``absorbed`` into ``survivor`` without losing a value, recording all an unmerge needs.

    The survivor takes the absorbed person's values where its own are empty (and any protection flag);
    differing values stay on the absorbed record, which the golden record shows as a source, so the
    conflict is visible until a data officer verifies the value. The absorbed person's names (as
    aliases), identifiers, phones, family and episodes are copied; its source records move. Cases keep
    pointing at the absorbed person, whose page then leads to the survivor.
    """
    _require_any(actor, Capability.REVIEW_MATCHES)
    if not actor.has_capability(Capability.EDIT_PERSONS):
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))
    if survivor_id == absorbed_id:
        raise MatchingError(_("A record cannot be merged with itself."))
    persons = _lock_persons(actor, survivor_id, absorbed_id)
    survivor, absorbed = persons[survivor_id], persons[absorbed_id]

    taken: dict[str, dict[str, object]] = {}
    for attribute in (*MERGE_FIELDS, *MERGE_FLAGS):
        mine, theirs = getattr(survivor, attribute), getattr(absorbed, attribute)
        empty = not mine if attribute in MERGE_FLAGS else mine in ("", None)
        if attribute == "birth_date_accuracy":
            empty = "birth_date" in taken
        if empty and theirs not in ("", None, False) and mine != theirs:
            taken[attribute] = {"before": _json_value(mine), "after": _json_value(theirs)}
            setattr(survivor, attribute, theirs)

    copied = _copy_sub_records(actor, absorbed, survivor)
    moved = list(SourceRecord.objects.filter(person=absorbed).order_by("pk").values_list("pk", flat=True))
    SourceRecord.objects.filter(pk__in=moved).update(person=survivor)
    open_pairs = MatchCandidate.objects.filter(
        Q(person=absorbed) | Q(other_person=absorbed), decision__in=OPEN_DECISIONS
    )
    if candidate is not None:
        open_pairs = open_pairs.exclude(pk=candidate.pk)
    closed = list(open_pairs.order_by("pk").values_list("pk", flat=True))
    MatchCandidate.objects.filter(pk__in=closed).update(decision=Decision.OBSOLETE)

    absorbed.merged_into = survivor
    _by(actor, absorbed).save(update_fields=["merged_into"])
    survivor.version += 1
    survivor.updated_at = timezone.now()
    _by(actor, survivor).save()
    index_person_names(survivor)
    merge = Merge.objects.create(
        agency_id=actor.agency_pk,
        survivor=survivor,
        absorbed=absorbed,
        candidate=candidate,
        moved_source_records=moved,
        taken_fields=taken,
        copied_records=copied,
        closed_candidates=closed,
        merged_by=actor,
    )
    record_event(
        actor=actor,
        action="matching.persons_merged",
        obj=merge,
        summary=f"{absorbed.full_name} → {survivor.full_name}",
        detail={
            "survivor": survivor.pk,
            "absorbed": absorbed.pk,
            "taken_fields": sorted(taken),
            "source_records": moved,
        },
    )
    record_person_change(absorbed, ChangeOp.MERGED)
    record_person_change(survivor, ChangeOp.UPDATED)
    return merge


def _by(actor: User, instance: Any) -> Any:
    """Name the actor in the django-simple-history row of this save/delete."""
    instance._history_user = actor
    return instance


def _copy_sub_records(actor: User, absorbed: Person, survivor: Person) -> dict[str, list[int]]:
    copied: dict[str, list[int]] = {}
    for related, keys in COPIED_RECORDS.items():
        existing = {tuple(getattr(row, key) for key in keys) for row in getattr(survivor, related).all()}
        if related == "aliases":
            existing.add((survivor.full_name,))
        rows = list(getattr(absorbed, related).order_by("pk"))
        if related == "aliases":
            rows.insert(0, PersonAlias(name=absorbed.full_name, name_key=absorbed.name_key))
        for row in rows:
            key = tuple(getattr(row, key) for key in keys)
            if key in existing:
                continue
            existing.add(key)
            row.pk = None
            row.id = None
            row.person = survivor
            row._state.adding = True
            _by(actor, row).save()
            copied.setdefault(related, []).append(row.pk)
    return copied


class MergeNotUndoable(MatchingError):
    pass


@transaction.atomic
def unmerge(*, actor: User, merge_id: int) -> Merge:
    """Undo a merge: both persons as they were before it (later edits of the survivor are kept).

    Taken fields return to their earlier (empty) value unless someone changed them since; copied
    sub-records are removed; moved source records go back; pairs the merge closed are reopened and the
    decided pair waits for review again.
    """
    _require_any(actor, Capability.REVIEW_MATCHES)
    merge = get_merge_for_user(actor, merge_id)
    if merge.undone_at is not None:
        raise MergeNotUndoable(_("This merge was already undone by %(who)s.") % {"who": merge.undone_by})
    persons = {
        person.pk: person
        for person in Person.objects.select_for_update().filter(pk__in=(merge.survivor_id, merge.absorbed_id))
    }
    survivor, absorbed = persons[merge.survivor_id], persons[merge.absorbed_id]
    if survivor.merged_into_id is not None:
        raise MergeNotUndoable(
            _("%(name)s was merged into another record since. Undo that later merge first.")
            % {"name": survivor.full_name}
        )
    claimed = Merge.objects.filter(pk=merge.pk, undone_at__isnull=True).update(
        undone_by=actor, undone_at=timezone.now()
    )
    if not claimed:
        raise MergeNotUndoable(_("This merge was already undone. Reload the page."))

    kept: list[str] = []
    for attribute, change in merge.taken_fields.items():
        if _json_value(getattr(survivor, attribute)) == change["after"]:
            setattr(survivor, attribute, _field_value(attribute, change["before"]))
        else:
            kept.append(attribute)  # edited after the merge: that later edit stays
    for related, ids in merge.copied_records.items():
        for row in getattr(survivor, related).filter(pk__in=ids):
            _by(actor, row).delete()
    SourceRecord.objects.filter(pk__in=merge.moved_source_records, person=survivor).update(person=absorbed)
    MatchCandidate.objects.filter(pk__in=merge.closed_candidates, decision=Decision.OBSOLETE).update(
        decision=Decision.PENDING
    )
    if merge.candidate_id is not None:
        MatchCandidate.objects.filter(pk=merge.candidate_id, decision=Decision.SAME).update(
            decision=Decision.PENDING, decided_by=None, decided_at=None
        )

    absorbed.merged_into = None
    _by(actor, absorbed).save(update_fields=["merged_into"])
    survivor.version += 1
    survivor.updated_at = timezone.now()
    _by(actor, survivor).save()
    index_person_names(survivor)
    merge.refresh_from_db()
    record_event(
        actor=actor,
        action="matching.merge_undone",
        obj=merge,
        summary=f"{absorbed.full_name} ← {survivor.full_name}",
        detail={"survivor": survivor.pk, "absorbed": absorbed.pk, "fields_kept": kept},
    )
    record_person_change(absorbed, ChangeOp.RESTORED)
    record_person_change(survivor, ChangeOp.UPDATED)
    return merge


# --- Golden record: verified values ---------------------------------------------------------------------------


@transaction.atomic
def verify_field(*, actor: User, person_id: int, field: str, value: str, source: str = "") -> FieldVerification:
    """Mark ``value`` (one a source holds) as the true value of ``field``, closing its conflict.

    A single-valued field is set on the person through the registry's ``update_person`` (the name it
    replaces stays as an alias); a phone or identifier the record lacks is added. The verification
    remembers every value seen, so only a new differing value re-opens the conflict.
    """
    _require_any(actor, Capability.REVIEW_MATCHES)
    person = (
        Person.objects.select_for_update()
        .filter(pk=person_id, registered_by_agency_id=actor.agency_pk)
        .prefetch_related("phones", "identifiers", "aliases")
        .first()
    )
    if person is None:
        raise Http404
    if person.merged_into_id is not None:
        raise MatchingError(_("This record was merged into another; verify the values on the surviving record."))
    fields = {golden.field: golden for golden in golden_record(person)}
    if field not in fields:
        raise MatchingError(_("Unknown field %(field)s.") % {"field": field})
    golden = fields[field]
    chosen = next((choice for choice in golden.choices if value_key(choice) == value_key(value)), None)
    if chosen is None:
        raise MatchingError(
            _("Choose one of the values the sources hold for %(field)s (they are listed on the golden record).")
            % {"field": golden.label}
        )
    try:
        _set_verified_value(actor, person, field, chosen)
    except registry.InvalidData as error:
        messages = " ".join(message for errors in error.errors.values() for message in errors)
        raise MatchingError(
            _("This value cannot be stored as it is: %(problem)s Correct it in the source and import again.")
            % {"problem": messages}
        ) from error
    except (registry.StaleEdit, registry.NikAlreadyRegistered) as refusal:
        raise MatchingError(str(refusal)) from refusal
    verification = FieldVerification.objects.create(
        person=person,
        field=field,
        value=chosen,
        seen_values=list(golden.choices),
        chosen_source=source[:200]
        or next((entry.label for entry in golden.entries if value_key(entry.value) == value_key(chosen)), ""),
        verified_by=actor,
    )
    record_event(
        actor=actor,
        action="matching.field_verified",
        obj=person,
        summary=f"{person.full_name}: {golden.label}",
        detail={"field": field, "source": verification.chosen_source},
    )
    return verification


def _set_verified_value(actor: User, person: Person, field: str, value: str) -> None:
    if field == "phone":
        registry.add_phone(actor=actor, person_id=person.pk, number=value)
        return
    if field in IDENTIFIER_KINDS:
        registry.add_identifier(actor=actor, person_id=person.pk, kind=IDENTIFIER_KINDS[field], value=value)
        return
    attribute = PERSON_ATTRIBUTES[field]
    current = getattr(person, attribute)
    current_text = current.isoformat() if isinstance(current, date) else str(current or "")
    if value_key(current_text) == value_key(value):
        return  # the record already holds it: verifying needs no change
    data = registry.person_data_of(person)
    try:
        parsed: object = date.fromisoformat(value) if field == "birth_date" else value
    except ValueError as error:
        raise MatchingError(_("%(value)s is not a date (YYYY-MM-DD).") % {"value": value}) from error
    changes: dict[str, object] = {"address_text" if field == "address" else field: parsed}
    if field == "full_name" and current_text and current_text not in data.aliases:
        changes["aliases"] = [*data.aliases, current_text]  # the replaced name stays searchable
    if field == "birth_date":
        changes["birth_date_accuracy"] = "EXACT"
    registry.update_person(
        actor=actor, person_id=person.pk, data=registry.merged(data, **changes), expected_version=person.version
    )
