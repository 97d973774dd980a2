"""Scoring incoming records against an agency's registry with the shipped linkage model.

``find_candidates`` is what imports and API pushes call: for each incoming record, the agency's persons
(not merged) that could be the same human, best first. ``find_duplicates`` scores the registry against
itself (``sinergi matching scan``).

A pair's probability depends only on its two records: the model (``default_model.json``, see
:mod:`sinergi.matching.training`) has no term-frequency adjustments, and the engine adds the match
weights Splink reports per comparison to the model's fixed prior itself, instead of using Splink's
probability, whose prior Splink re-estimates from each input. So a pair scores the same whether the
registry holds ten persons or ten thousand, and whether it arrives in an import of one row or of a
thousand.

Thresholds (Django settings, probabilities between 0 and 1):

``SINERGI_MATCH_THRESHOLD`` (default 0.999, about 28 bits of evidence)
    at or above: the same person, linked without review. The same valid NIK with the same name and
    birth date is far above; a spelling variant of the name with the same birth date and village but
    no NIK is not (it goes to review).
``SINERGI_REVIEW_THRESHOLD`` (default 0.2, about 16 bits)
    at or above (and below the match threshold): a pair a data officer reviews. Below: different
    persons, never shown.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Final

from django.conf import settings
from django.db.models import Count, Max, Prefetch, Subquery, Sum
from django.utils import timezone

from sinergi.linkage import FIELDS, LinkageModel, link_tables, prepare_records
from sinergi.linkage.issues import LinkageError
from sinergi.linkage.prepare import PreparedTable, default_workers
from sinergi.matching.training import MODEL_PATH
from sinergi.registry.models import IdentifierKind, Person, PersonAlias, PersonIdentifier, PersonPhone

DEFAULT_MATCH_THRESHOLD: Final = 0.999
DEFAULT_REVIEW_THRESHOLD: Final = 0.2
# Splink keeps only pairs above a probability computed with its own prior; the engine wants every
# pair its blocking rules find and applies its own threshold afterwards.
_SPLINK_FLOOR: Final = 1e-12
_NAME_FIELDS: Final = ("full_name", "given_name", "family_name")
# Empty rows added to both sides of every run. With a model, link_tables still estimates Splink's prior from
# deterministic rules, and Splink refuses when they match more than 70% of all pairs (one incoming row
# against a registry of one, the same person). Empty rows match nothing and are never scored, but make
# the pairs numerous enough; the engine does not use Splink's prior anyway.
_PADDING: Final = tuple({"id": f"~pad{index}"} for index in range(3))


@dataclass(frozen=True)
class Candidate:
    person_id: int
    probability: float
    weights: tuple[tuple[str, float], ...]  # match weight per comparison (bits), from link_tables(explain=True)


@dataclass(frozen=True)
class DuplicatePair:
    """Two persons of one registry the model finds alike (``person_id < other_person_id``)."""

    person_id: int
    other_person_id: int
    probability: float
    weights: tuple[tuple[str, float], ...]


def match_threshold() -> float:
    return float(getattr(settings, "SINERGI_MATCH_THRESHOLD", DEFAULT_MATCH_THRESHOLD))


def review_threshold() -> float:
    return min(float(getattr(settings, "SINERGI_REVIEW_THRESHOLD", DEFAULT_REVIEW_THRESHOLD)), match_threshold())


@lru_cache(maxsize=1)
def default_model() -> LinkageModel:
    return LinkageModel.load(MODEL_PATH)


def probability_from_weights(weights: Iterable[tuple[str, float]], model: LinkageModel | None = None) -> float:
    """The model's fixed prior plus the evidence of each comparison, as a probability."""
    prior = float((model or default_model()).splink_settings["probability_two_random_records_match"])
    bits = math.log2(prior / (1 - prior)) + sum(weight for _, weight in weights)
    return 1.0 / (1.0 + math.pow(2.0, -max(min(bits, 1000.0), -1000.0)))


def find_candidates(*, agency_id: int, records: Sequence[Mapping[str, str]]) -> dict[str, list[Candidate]]:
    """records: standard-field dicts whose "id" is the key of the result; returns, for each record that has
    any, the agency's (not merged) persons scoring >= review_threshold(), best first."""
    incoming = [_clean(record) for record in records]
    incoming = [record for record in incoming if _has_name(record)]
    if not incoming:
        return {}
    registry = prepared_registry(agency_id)
    if registry is None:
        return {}
    threshold = review_threshold()
    best: dict[str, dict[int, Candidate]] = {}
    for left_id, person_id, probability, weights in _score(incoming, registry):
        if probability < threshold:
            continue
        seen = best.setdefault(left_id, {})
        if person_id not in seen or probability > seen[person_id].probability:
            seen[person_id] = Candidate(person_id, probability, weights)
    return {
        record_id: sorted(by_person.values(), key=lambda c: (-c.probability, c.person_id))
        for record_id, by_person in best.items()
    }


def find_duplicates(*, agency_id: int) -> list[DuplicatePair]:
    """Pairs of the agency's (not merged) persons scoring >= review_threshold(), best first."""
    rows = person_rows(agency_persons(agency_id))
    if len(rows) < 2:
        return []
    threshold = review_threshold()
    best: dict[tuple[int, int], DuplicatePair] = {}
    for left_id, other_id, probability, weights in _score(rows, _prepare(rows)):
        person_id = _person_id(left_id)
        if person_id >= other_id or probability < threshold:
            continue  # each unordered pair once, never a person with itself
        known = best.get((person_id, other_id))
        if known is None or probability > known.probability:
            best[(person_id, other_id)] = DuplicatePair(person_id, other_id, probability, weights)
    return sorted(best.values(), key=lambda p: (-p.probability, p.person_id, p.other_person_id))


def agency_persons(agency_id: int) -> Iterable[Person]:
    from sinergi.sharing.rules import restricted_person_ids

    return (
        Person.objects.filter(registered_by_agency_id=agency_id, merged_into__isnull=True)
        .exclude(pk__in=restricted_person_ids())  # processing restricted at the person's request (privacy)
        .prefetch_related(
            Prefetch("aliases", queryset=PersonAlias.objects.order_by("id")),
            Prefetch("identifiers", queryset=PersonIdentifier.objects.order_by("id")),
            Prefetch("phones", queryset=PersonPhone.objects.order_by("id")),
        )
        .order_by("id")
    )


def person_rows(persons: Iterable[Person]) -> list[dict[str, str]]:
    """Standard-field rows for persons: one per combination of their names, phones and ids (at most 24).

    Row ids are ``"<person id>/<n>"``; a pair's score is the best of its person's rows, so an incoming
    record that carries an alias and the second phone number meets a row with both.
    """
    rows: list[dict[str, str]] = []
    for person in persons:
        _add_rows(
            rows,
            person.pk,
            [person.full_name, *(alias.name for alias in person.aliases.all())],
            [phone.number for phone in person.phones.all()],
            [(identifier.kind, identifier.value) for identifier in person.identifiers.all()],
            _base_row(
                person.birth_date, person.birth_place, person.sex, person.nik, person.region_id, person.address_text
            ),
        )
    return rows


def registry_rows(agency_id: int) -> list[dict[str, str]]:
    """``person_rows(agency_persons(agency_id))`` read as plain values: four queries, no model instances.

    An import's check reads the whole registry of its agency; building a Person, its names, phones and
    identifiers as objects was most of that read (issue 14). ``matching/tests`` compares the two.
    """
    from sinergi.sharing.rules import restricted_person_ids

    scope = {"person__registered_by_agency_id": agency_id, "person__merged_into__isnull": True}
    aliases: dict[int, list[str]] = {}
    for pk, name in PersonAlias.objects.filter(**scope).order_by("id").values_list("person_id", "name"):
        aliases.setdefault(pk, []).append(name)
    phones: dict[int, list[str]] = {}
    for pk, number in PersonPhone.objects.filter(**scope).order_by("id").values_list("person_id", "number"):
        phones.setdefault(pk, []).append(number)
    identifiers: dict[int, list[tuple[str, str]]] = {}
    for pk, kind, value in (
        PersonIdentifier.objects.filter(**scope).order_by("id").values_list("person_id", "kind", "value")
    ):
        identifiers.setdefault(pk, []).append((kind, value))
    persons = (
        Person.objects.filter(registered_by_agency_id=agency_id, merged_into__isnull=True)
        .exclude(pk__in=restricted_person_ids())  # processing restricted at the person's request (privacy)
        .order_by("id")
        .values_list("id", "full_name", "birth_date", "birth_place", "sex", "nik", "region_id", "address_text")
    )
    rows: list[dict[str, str]] = []
    for pk, full_name, birth_date, birth_place, sex, nik, region_code, address in persons.iterator(chunk_size=5000):
        base = _base_row(birth_date, birth_place, sex, nik, region_code, address)
        _add_rows(rows, pk, [full_name, *aliases.get(pk, ())], phones.get(pk, []), identifiers.get(pk, []), base)
    return rows


def _base_row(
    birth_date: date | None, birth_place: str, sex: str, nik: str, region_code: str | None, address: str
) -> dict[str, str]:
    return {
        "birth_date": birth_date.isoformat() if birth_date else "",
        "birth_place": birth_place,
        "sex": sex,
        "nik": nik,
        "region_code": region_code or "",
        "address": address,
    }


def _add_rows(
    rows: list[dict[str, str]],
    pk: int,
    names: list[str],
    phones: list[str],
    identifiers: list[tuple[str, str]],
    base: dict[str, str],
) -> None:
    values: dict[str, list[str]] = {"full_name": names, "phone": phones, "kk": [], "passport": [], "other_id": []}
    for kind, value in identifiers:
        field = _IDENTIFIER_FIELDS.get(kind)
        if field is not None:
            values[field].append(value)
    fields = list(values)
    combinations = itertools.product(*(values[name] or [""] for name in fields))
    for index, combination in enumerate(itertools.islice(combinations, _MAX_ROWS_PER_PERSON)):
        rows.append({**base, **dict(zip(fields, combination, strict=True)), "id": f"{pk}/{index}"})


_MAX_ROWS_PER_PERSON: Final = 24
_IDENTIFIER_FIELDS: Final[dict[str, str]] = {
    IdentifierKind.KK: "kk",
    IdentifierKind.PASSPORT: "passport",
    IdentifierKind.PMI_ID: "other_id",
}


def prepared_registry(agency_id: int) -> PreparedTable | None:
    """The agency's registry as linkage features, prepared once and reused while it has not changed.

    An import's check scores its file in chunks of 2,000 rows; preparing the whole registry for each chunk was
    about 90 % of the check (issue 14's profile). The prepared table is kept per agency and process, and is used
    only while the registry's fingerprint (`_registry_fingerprint`: persons, their versions and their names,
    phones and identifiers) and the date are unchanged; any registration, edit, merge or sub-record change
    prepares it again. Each use gets its own copy: a run puts its counted columns in the copy's Arrow table.
    """
    key = (_registry_fingerprint(agency_id), timezone.localdate())
    with _REGISTRY_LOCK:
        cached = _REGISTRY_CACHE.get(agency_id)
    if cached is None or cached[0] != key:
        rows = registry_rows(agency_id)
        table = _prepare(rows) if rows else None
        with _REGISTRY_LOCK:
            _REGISTRY_CACHE[agency_id] = (key, table)
            while len(_REGISTRY_CACHE) > _REGISTRY_CACHE_AGENCIES:
                _REGISTRY_CACHE.pop(next(iter(_REGISTRY_CACHE)))
        cached = (key, table)
    table = cached[1]
    return None if table is None else replace(table)


def _registry_fingerprint(agency_id: int) -> tuple[object, ...]:
    """Changes whenever a person of the agency is registered, edited (version, time), merged, or gains or loses
    an alias, a phone or an identifier: four aggregate queries instead of reading the registry."""
    from sinergi.privacy.models import Restriction

    # A restriction made or lifted (privacy) changes who is matched: read in the same query, as two subqueries.
    restrictions = Restriction.objects.filter(person__registered_by_agency_id=agency_id)
    last_restriction = Subquery(restrictions.order_by("-id").values("id")[:1])
    last_lift = Subquery(restrictions.exclude(lifted_at=None).order_by("-lifted_at").values("lifted_at")[:1])
    persons = Person.objects.filter(registered_by_agency_id=agency_id, merged_into__isnull=True).aggregate(
        count=Count("id"),
        last=Max("id"),
        versions=Sum("version"),
        updated=Max("updated_at"),
        restricted=Max(last_restriction),
        lifted=Max(last_lift),
    )
    parts: list[object] = [persons["count"], persons["last"], persons["versions"], persons["updated"]]
    parts += [persons["restricted"], persons["lifted"]]
    for model in (PersonAlias, PersonPhone, PersonIdentifier):
        figures = model.objects.filter(person__registered_by_agency_id=agency_id).aggregate(
            count=Count("id"), last=Max("id")
        )
        parts += [figures["count"], figures["last"]]
    return tuple(parts)


def forget_prepared_registries() -> None:
    """For tests that change the registry behind the services' back (raw updates)."""
    with _REGISTRY_LOCK:
        _REGISTRY_CACHE.clear()


_REGISTRY_CACHE: dict[int, tuple[tuple[object, ...], PreparedTable | None]] = {}
_REGISTRY_CACHE_AGENCIES: Final = 4
_REGISTRY_LOCK = threading.Lock()


def _prepare(rows: Sequence[Mapping[str, str]]) -> PreparedTable:
    """Features of `rows`; from ``_PARALLEL_FROM`` rows (an import's chunk, an agency's registry) in one process
    per core (``SINERGI_LINKAGE_WORKERS``), each preparing an equal share: the same table, in less time."""
    records = [*rows, *_PADDING]
    workers = default_workers() if len(records) >= _PARALLEL_FROM else 1
    share = max(_PARALLEL_FROM // 2, -(-len(records) // workers))
    return prepare_records(records, fields=_fields(rows), today=timezone.localdate(), workers=workers, chunk_rows=share)


# Below this many rows, starting processes costs more than it saves.
_PARALLEL_FROM: Final = 10_000


def _score(
    left: Sequence[Mapping[str, str]], right: PreparedTable
) -> list[tuple[str, int, float, tuple[tuple[str, float], ...]]]:
    model = default_model()
    try:
        result = link_tables(
            _prepare(left),
            right,
            model=model,
            review_threshold=_SPLINK_FLOOR,
            explain=True,
        )
    except LinkageError:
        # Only raised when no record of one side has a usable name: nothing to compare.
        return []
    return [
        (pair.left_id, _person_id(pair.right_id), probability_from_weights(pair.weights, model), pair.weights)
        for pair in result.pairs
        if not pair.left_id.startswith("~pad") and not pair.right_id.startswith("~pad")
    ]


def _fields(records: Sequence[Mapping[str, str]]) -> list[str]:
    present = {key for record in records for key, value in record.items() if value}
    return [field for field in FIELDS if field != "id" and field in present]


def _clean(record: Mapping[str, str]) -> dict[str, str]:
    return {key: str(value).strip() for key, value in record.items() if key in FIELDS and value is not None}


def _has_name(record: Mapping[str, str]) -> bool:
    return any(record.get(field) for field in _NAME_FIELDS)


def _person_id(row_id: str) -> int:
    return int(row_id.split("/", 1)[0])
