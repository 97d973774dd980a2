"""The golden record: for each field of a person, the current value and what every source says.

Sources of a person's values: the registry's own entry ("Registri Sinergi"), every source record linked
to the person (an import's row, a partner system's push) and, after merges, the own entries of the
persons merged into it. A field is in conflict when a source holds a value the person's record does
not, until a data officer verifies the field; a value that was not among those seen at verification
re-opens it. Read through ``selectors.get_golden_record_for_user``, never directly from a view.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.matching.models import FieldVerification, Merge
from sinergi.regions.models import Region
from sinergi.registry.models import IdentifierKind, Person, Sex
from sinergi.sources.models import SourceRecord

GOLDEN_FIELDS: Final[dict[str, Promise]] = {
    "full_name": gettext_lazy("Full name"),
    "sex": gettext_lazy("Sex"),
    "birth_date": gettext_lazy("Birth date"),
    "birth_place": gettext_lazy("Birthplace"),
    "nik": gettext_lazy("NIK"),
    "region_code": gettext_lazy("Region"),
    "address": gettext_lazy("Address"),
    "phone": gettext_lazy("Phone"),
    "passport": gettext_lazy("Passport"),
    "kk": gettext_lazy("Family card number (KK)"),
    "other_id": gettext_lazy("PMI ID / Sisko P2MI reference"),
}
# A person may hold several of these at once (two phones, a renewed passport): another value is not wrong,
# but one the record lacks is still shown as a conflict until it is added or dismissed.
MULTI_VALUED: Final = frozenset({"phone", "passport", "kk", "other_id"})
# Golden field -> Person attribute (single-valued) or identifier kind (multi-valued ids).
PERSON_ATTRIBUTES: Final[dict[str, str]] = {
    "full_name": "full_name",
    "sex": "sex",
    "birth_date": "birth_date",
    "birth_place": "birth_place",
    "nik": "nik",
    "region_code": "region_id",
    "address": "address_text",
}
IDENTIFIER_KINDS: Final[dict[str, str]] = {
    "passport": IdentifierKind.PASSPORT,
    "kk": IdentifierKind.KK,
    "other_id": IdentifierKind.PMI_ID,
}
REGISTRY_LABEL: Final = "Registri Sinergi"
_SPACES: Final = re.compile(r"\s+")


@dataclass(frozen=True)
class SourceValue:
    """One source's value of one field, with where it came from."""

    label: str
    value: str
    kind: str  # "registry", "source" or "merged"
    at: datetime | None = None
    file_name: str = ""
    row_number: int | None = None
    external_id: str = ""


@dataclass(frozen=True)
class GoldenField:
    field: str
    label: str
    current: tuple[str, ...]
    entries: tuple[SourceValue, ...]
    conflict: bool
    verification: FieldVerification | None
    # Every distinct value a source holds: what the data officer may verify.
    choices: tuple[str, ...]

    @property
    def multi_valued(self) -> bool:
        return self.field in MULTI_VALUED


def value_key(value: str) -> str:
    """Values that differ only in case or spacing are the same value."""
    return _SPACES.sub(" ", value).strip().casefold()


def person_values(person: Person) -> dict[str, tuple[str, ...]]:
    """The person's own values per golden field (several for phones and identifiers)."""
    values: dict[str, tuple[str, ...]] = {}
    for field, attribute in PERSON_ATTRIBUTES.items():
        raw = getattr(person, attribute)
        text = raw.isoformat() if hasattr(raw, "isoformat") else str(raw or "")
        values[field] = (text,) if text else ()
    values["phone"] = tuple(phone.number for phone in person.phones.all())
    identifiers = list(person.identifiers.all())
    for field, kind in IDENTIFIER_KINDS.items():
        values[field] = tuple(identifier.value for identifier in identifiers if identifier.kind == kind)
    return values


def source_value(values: dict[str, str], field: str) -> str:
    if field == "full_name" and not values.get("full_name"):
        return " ".join(part for part in (values.get("given_name", ""), values.get("family_name", "")) if part)
    return str(values.get(field) or "").strip()


def absorbed_persons(person: Person) -> list[tuple[Person, Merge]]:
    """Persons merged into ``person`` (also through a chain of merges), with the merge that absorbed each."""
    found: list[tuple[Person, Merge]] = []
    frontier = [person.pk]
    seen = {person.pk}
    while frontier:
        merges = list(
            Merge.objects.filter(survivor_id__in=frontier, undone_at__isnull=True)
            .select_related("absorbed")
            .prefetch_related("absorbed__phones", "absorbed__identifiers")
            .order_by("merged_at", "pk")
        )
        frontier = [merge.absorbed_id for merge in merges if merge.absorbed_id not in seen]
        seen.update(frontier)
        found += [(merge.absorbed, merge) for merge in merges]
    return found


def golden_record(person: Person) -> list[GoldenField]:
    own = person_values(person)
    entries: dict[str, list[SourceValue]] = {field: [] for field in GOLDEN_FIELDS}
    for field, values in own.items():
        entries[field] += [SourceValue(REGISTRY_LABEL, value, "registry", person.updated_at) for value in values]
    for absorbed, merge in absorbed_persons(person):
        label = _("Merged record: %(name)s (#%(id)s)") % {"name": absorbed.full_name, "id": absorbed.pk}
        for field, values in person_values(absorbed).items():
            entries[field] += [SourceValue(label, value, "merged", merge.merged_at) for value in values]
    records = SourceRecord.objects.filter(person=person).select_related("source").order_by("imported_at", "pk")
    for record in records:
        for field in GOLDEN_FIELDS:
            value = source_value(record.values, field)
            if value:
                entries[field].append(
                    SourceValue(
                        record.source.name,
                        value,
                        "source",
                        record.imported_at,
                        record.file_name,
                        record.row_number,
                        record.external_id,
                    )
                )
    verifications = _latest_verifications(person)
    return [_golden_field(field, own[field], entries[field], verifications.get(field)) for field in GOLDEN_FIELDS]


def _latest_verifications(person: Person) -> dict[str, FieldVerification]:
    latest: dict[str, FieldVerification] = {}
    for verification in (
        FieldVerification.objects.filter(person=person).select_related("verified_by").order_by("verified_at", "pk")
    ):
        latest[verification.field] = verification
    return latest


def _golden_field(
    field: str, current: tuple[str, ...], entries: list[SourceValue], verification: FieldVerification | None
) -> GoldenField:
    current_keys = {value_key(value) for value in current}
    choices = _distinct(entry.value for entry in entries)
    outside = {value_key(value) for value in choices} - current_keys
    if not outside:
        conflict = False
    elif verification is None:
        conflict = True
    else:
        seen = {value_key(value) for value in verification.seen_values}
        conflict = value_key(verification.value) not in current_keys or bool(outside - seen)
    return GoldenField(
        field=field,
        label=str(GOLDEN_FIELDS[field]),
        current=current,
        entries=tuple(entries),
        conflict=conflict,
        verification=verification,
        choices=choices,
    )


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    out: dict[str, str] = {}
    for value in values:
        out.setdefault(value_key(value), value)
    return tuple(out.values())


def display_value(field: str, value: str, regions: dict[str, str] | None = None) -> str:
    """A value as people read it: the sex spelled out, dates as DD-MM-YYYY, the region with its name."""
    if field == "birth_date" and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:]}-{value[5:7]}-{value[:4]}"
    if field == "sex":
        return str(Sex(value).label) if value in Sex.values else value
    if field == "region_code" and regions and value in regions:
        return regions[value]  # the name people know; the Kemendagri code means nothing to them
    return value


def region_names(fields: Iterable[GoldenField]) -> dict[str, str]:
    codes = {entry.value for field in fields if field.field == "region_code" for entry in field.entries}
    return dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
