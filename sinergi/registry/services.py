"""Every write to the person registry: permission check, validation, audit event, one transaction.

Views, the API, imports and commands all call these functions; none of them saves a Person itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from operator import attrgetter
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.audit.events import record_event, record_events
from sinergi.bulk import create_with_history, insert_many, new
from sinergi.changes.feed import coalesced_changes, record_person_change
from sinergi.changes.models import ChangeOp
from sinergi.identity.names import normalize_name, phonetic_key
from sinergi.regions.models import Region
from sinergi.registry import validation
from sinergi.registry.models import (
    FamilyLink,
    IdentifierKind,
    MigrationEpisode,
    NameToken,
    Person,
    PersonAlias,
    PersonIdentifier,
    PersonPhone,
)
from sinergi.registry.selectors import PersonHit, find_possible_duplicates, get_person_for_user

# Fields of PersonData that map one-to-one onto Person columns.
PERSON_FIELDS = (
    "kind",
    "full_name",
    "sex",
    "birth_date",
    "birth_date_accuracy",
    "birth_place",
    "nik",
    "region_code",
    "address_text",
    "flag_child",
    "flag_disability",
    "flag_trafficking",
)


class RegistryError(Exception):
    """Base of the errors a service refuses a write with; carries a message for the user."""


class InvalidData(RegistryError):
    """Field-by-field messages saying what to fix: {"nik": ["..."], "__all__": [...]}"""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


class PossibleDuplicate(RegistryError):
    """Likely existing records; the caller shows them and may repeat the call with confirm_new=True."""

    def __init__(self, hits: list[PersonHit]) -> None:
        super().__init__(_("This person may already be registered."))
        self.hits = hits


class NikAlreadyRegistered(RegistryError):
    def __init__(self, existing: Person) -> None:
        super().__init__(
            _(
                "NIK %(nik)s is already registered in your agency as %(name)s. "
                "Open that record instead of registering again."
            )
            % {"nik": existing.nik, "name": existing.full_name}
        )
        self.existing = existing


class StaleEdit(RegistryError):
    """Someone saved the record after this edit started; the save is refused, nothing is overwritten."""

    def __init__(self, person: Person, changed_by: str, changed_at: str) -> None:
        super().__init__(
            _(
                "%(who)s changed this record at %(when)s, after you opened it. Your changes were not saved: "
                "reload the page, check their changes and make yours again."
            )
            % {"who": changed_by, "when": changed_at}
        )
        self.person = person


@dataclass
class PersonData:
    full_name: str
    kind: str = "PMI"
    sex: str = ""
    birth_date: date | None = None
    birth_date_accuracy: str = "EXACT"
    birth_place: str = ""
    nik: str = ""
    region_code: str = ""
    address_text: str = ""
    flag_child: bool = False
    flag_disability: bool = False
    flag_trafficking: bool = False
    aliases: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


def _require(actor: User, capability: Capability) -> None:
    if not actor.is_authenticated or not actor.has_capability(capability):
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))


def _by(actor: User, instance: Any) -> Any:
    """Name the actor in the django-simple-history row of this save/delete (also outside web requests)."""
    instance._history_user = actor
    return instance


def _cleaned(data: PersonData) -> PersonData:
    """Validated and normalised copy of `data`, or InvalidData naming every problem at once."""
    errors: dict[str, list[str]] = {}
    result = validation.check_person(data, errors)
    if errors:
        raise InvalidData(errors)
    return result


def _index_names(person: Person) -> None:
    NameToken.objects.filter(person=person).delete()
    keys = [person.name_key, *person.aliases.values_list("name_key", flat=True)]
    tokens = {token for key in keys for token in key.split()}
    NameToken.objects.bulk_create(
        [NameToken(person=person, token=token[:60], phonetic=phonetic_key(token)[:60]) for token in sorted(tokens)]
    )


def _apply(person: Person, data: PersonData) -> list[str]:
    """Copy the column fields onto `person`; returns the names of the fields that changed."""
    changed = []
    for name in PERSON_FIELDS:
        attribute = "region_id" if name == "region_code" else name
        value = getattr(data, name) or (None if name == "region_code" else getattr(data, name))
        if getattr(person, attribute) != value:
            setattr(person, attribute, value)
            changed.append(name)
    person.name_key = normalize_name(person.full_name).key
    return changed


def _set_aliases(actor: User, person: Person, aliases: list[str]) -> bool:
    wanted = {alias.strip(): normalize_name(alias).key for alias in aliases if alias.strip()}
    current = {alias.name: alias for alias in person.aliases.all()}
    removed = [alias for name, alias in current.items() if name not in wanted]
    for alias in removed:
        _by(actor, alias)
        alias.delete()
    added = [PersonAlias(person=person, name=name, name_key=key) for name, key in wanted.items() if name not in current]
    for alias in added:
        _by(actor, alias)
        alias.save()
    return bool(removed or added)


@transaction.atomic
def register_person(*, actor: User, data: PersonData, confirm_new: bool = False) -> Person:
    """Register a person for the actor's agency.

    Refused when the same NIK is already registered in the actor's agency. Likely matches elsewhere
    (same NIK in another agency, similar name and birth year) raise PossibleDuplicate unless confirm_new.
    """
    _require(actor, Capability.EDIT_PERSONS)
    data = _cleaned(data)
    if data.nik:
        existing = Person.objects.filter(
            registered_by_agency_id=actor.agency_id, nik=data.nik, merged_into__isnull=True
        ).first()
        if existing is not None:
            raise NikAlreadyRegistered(existing)
    if not confirm_new:
        hits = find_possible_duplicates(actor, full_name=data.full_name, nik=data.nik, birth_date=data.birth_date)
        if hits:
            raise PossibleDuplicate(hits)
    now = timezone.now()
    person = Person(registered_by_agency=actor.agency, created_by=actor, created_at=now, updated_at=now)
    _apply(person, data)
    _by(actor, person)
    person.save()
    _set_aliases(actor, person, data.aliases)
    for number in data.phones:
        phone = PersonPhone(person=person, number=number)
        _by(actor, phone)
        phone.save()
    _index_names(person)
    record_event(
        actor=actor,
        action="person.registered",
        obj=person,
        summary=person.full_name,
        detail={"confirmed_despite_matches": confirm_new},
    )
    record_person_change(person, ChangeOp.CREATED)
    return person


@transaction.atomic
def register_persons(
    *,
    actor: User,
    people: Sequence[PersonData],
    identifiers: Sequence[Sequence[tuple[str, str]]] | None = None,
) -> list[Person | RegistryError]:
    """Register many new persons at once, as ``register_person(confirm_new=True)`` would one by one.

    For imports, whose matching step has already decided that these are new persons. Every item gets the same
    checks (permission, validation, the agency's NIK refusal, also between items of the list: the second
    of two with one NIK is refused naming the first); a refused item comes back as its error and the others
    are registered. ``identifiers`` gives each person's (kind, value) pairs, added as ``add_identifier``
    would (checked with the person: one that is refused refuses the person). The writes (persons and their
    history, aliases, phones, identifiers, name index, audit events, change-feed events) take a fixed number of
    statements, not a few per person.
    """
    _require(actor, Capability.EDIT_PERSONS)
    results: list[Person | RegistryError | None] = [None] * len(people)
    cleaned: list[tuple[int, PersonData]] = []
    wanted: dict[int, list[tuple[str, str]]] = {}
    named = {data.region_code.strip() for data in people} - {""}
    known_regions = frozenset(Region.objects.filter(code__in=named).values_list("code", flat=True))  # one query
    today = timezone.localdate()
    for index, data in enumerate(people):
        errors: dict[str, list[str]] = {}
        result = validation.check_person(data, errors, known_regions=known_regions, today=today)
        pairs = identifiers[index] if identifiers is not None else ()
        checked = list(dict.fromkeys((kind, validation.check_identifier(kind, value, errors)) for kind, value in pairs))
        if errors:
            results[index] = InvalidData(errors)
            continue
        cleaned.append((index, result))
        wanted[index] = checked
    niks = {data.nik for _, data in cleaned if data.nik}
    holders: dict[str, Person] = {}
    # Ordered here, not in SQL: with ORDER BY, SQLite reads every person of the agency instead of the NIK index.
    holding = Person.objects.filter(registered_by_agency_id=actor.agency_id, nik__in=niks, merged_into__isnull=True)
    for person in sorted(holding.order_by(), key=attrgetter("pk"), reverse=True):
        holders[person.nik] = person  # the lowest id wins, as .first() in register_person on the id order
    now = timezone.now()
    fresh: list[tuple[int, Person, PersonData]] = []
    for index, data in cleaned:
        if data.nik and data.nik in holders:
            results[index] = NikAlreadyRegistered(holders[data.nik])
            continue
        person = new(Person, registered_by_agency=actor.agency, created_by=actor, created_at=now, updated_at=now)
        _apply(person, data)
        if data.nik:
            holders[data.nik] = person
        fresh.append((index, person, data))
    if fresh:
        persons = [person for _, person, _ in fresh]
        create_with_history(Person, persons, user=actor)
        aliases = [
            new(PersonAlias, person=person, name=name, name_key=normalize_name(name).key)
            for _, person, data in fresh
            for name in dict.fromkeys(alias.strip() for alias in data.aliases if alias.strip())
        ]
        if aliases:
            create_with_history(PersonAlias, aliases, user=actor)
        phones = [new(PersonPhone, person=person, number=number) for _, person, data in fresh for number in data.phones]
        if phones:
            create_with_history(PersonPhone, phones, user=actor)
        added = [
            new(PersonIdentifier, person=person, kind=kind, value=value)
            for index, person, _ in fresh
            for kind, value in wanted[index]
        ]
        if added:
            create_with_history(PersonIdentifier, added, user=actor)
        keys: dict[int, list[str]] = {person.pk: [person.name_key] for person in persons}
        for alias in aliases:
            keys[alias.person.pk].append(alias.name_key)
        insert_many(
            NameToken,
            [
                new(NameToken, person_id=pk, token=token[:60], phonetic=phonetic_key(token)[:60])
                for pk, names in keys.items()
                for token in sorted({token for key in names for token in key.split()})
            ],
        )
        record_events(
            actor=actor,
            action="person.registered",
            items=[(person, person.full_name, {"confirmed_despite_matches": True}) for person in persons],
        )
        if added:
            record_events(
                actor=actor,
                action="person.identifier_added",
                items=[(item.person, item.person.full_name, {"kind": item.kind}) for item in added],
            )
        with coalesced_changes():
            for person in persons:
                record_person_change(person, ChangeOp.CREATED)
        for index, person, _ in fresh:
            results[index] = person
    return [result for result in results if result is not None]


@transaction.atomic
def update_person(*, actor: User, person_id: int, data: PersonData, expected_version: int) -> Person:
    """Change a person's core data; refused with StaleEdit if someone saved since `expected_version`.

    `data.phones` is ignored here: phones are added and removed one by one.
    """
    _require(actor, Capability.EDIT_PERSONS)
    person = get_person_for_user(actor, person_id, write=True)
    if person.version != expected_version:
        last = person.history.select_related("history_user").first()
        who = last.history_user.display_name if last and last.history_user else _("Another user")
        when = timezone.localtime(person.updated_at).strftime("%d-%m-%Y %H:%M")
        raise StaleEdit(person, who, when)
    data = _cleaned(data)
    if data.nik and data.nik != person.nik:
        clash = (
            Person.objects.filter(registered_by_agency_id=actor.agency_id, nik=data.nik, merged_into__isnull=True)
            .exclude(pk=person.pk)
            .first()
        )
        if clash is not None:
            raise NikAlreadyRegistered(clash)
    _by(actor, person)
    changed = _apply(person, data)
    if _set_aliases(actor, person, data.aliases):
        changed.append("aliases")
    if not changed:
        return person
    person.version += 1
    person.updated_at = timezone.now()
    person.save()
    _index_names(person)
    record_event(actor=actor, action="person.updated", obj=person, summary=person.full_name, detail={"fields": changed})
    record_person_change(person, ChangeOp.UPDATED)
    return person


def person_data_of(person: Person) -> PersonData:
    """The editable data of a stored person (the starting point of an edit form or an API PATCH)."""
    values = {name: getattr(person, "region_id" if name == "region_code" else name) for name in PERSON_FIELDS}
    values["region_code"] = values["region_code"] or ""
    return PersonData(**values, aliases=[alias.name for alias in person.aliases.all()])


def merged(data: PersonData, **changes: Any) -> PersonData:
    """A copy of `data` with `changes` applied (unknown keys ignored: API payloads may carry more)."""
    known = {f.name for f in fields(PersonData)}
    return replace(data, **{k: v for k, v in changes.items() if k in known})


def record_person_view(*, actor: User, person: Person, via: str = "") -> None:
    """The access log: who opened which person record (auditors read it). See ``sinergi.sharing.access``."""
    from sinergi.sharing.access import record_access
    from sinergi.sharing.sections import CONTACT, IDENTITY

    record_access(actor=actor, person=person, sections=(IDENTITY, CONTACT), context=via)


# --- Sub-records: identifiers, phones, family, migration episodes -------------------------------------------


@transaction.atomic
def add_identifier(*, actor: User, person_id: int, kind: str, value: str) -> PersonIdentifier:
    _require(actor, Capability.EDIT_PERSONS)
    person = get_person_for_user(actor, person_id, write=True)
    errors: dict[str, list[str]] = {}
    cleaned = validation.check_identifier(kind, value, errors)
    if errors:
        raise InvalidData(errors)
    identifier = PersonIdentifier.objects.filter(person=person, kind=kind, value=cleaned).first()
    if identifier is None:
        identifier = _by(actor, PersonIdentifier(person=person, kind=kind, value=cleaned))
        identifier.save()
        record_event(
            actor=actor,
            action="person.identifier_added",
            obj=person,
            summary=person.full_name,
            detail={"kind": kind},
        )
        record_person_change(person, ChangeOp.UPDATED)
    return identifier


@transaction.atomic
def add_phone(*, actor: User, person_id: int, number: str, label: str = "") -> PersonPhone:
    _require(actor, Capability.EDIT_PERSONS)
    person = get_person_for_user(actor, person_id, write=True)
    errors: dict[str, list[str]] = {}
    e164 = validation.check_phone(number, "number", errors)
    if errors:
        raise InvalidData(errors)
    phone = PersonPhone.objects.filter(person=person, number=e164).first()
    if phone is None:
        phone = _by(actor, PersonPhone(person=person, number=e164, label=label.strip()))
        phone.save()
        record_event(actor=actor, action="person.phone_added", obj=person, summary=person.full_name)
        record_person_change(person, ChangeOp.UPDATED)
    return phone


@transaction.atomic
def add_family_link(
    *,
    actor: User,
    person_id: int,
    relationship: str,
    name: str,
    phone: str = "",
    is_next_of_kin: bool = False,
    relative_id: int | None = None,
) -> FamilyLink:
    _require(actor, Capability.EDIT_PERSONS)
    person = get_person_for_user(actor, person_id, write=True)
    errors: dict[str, list[str]] = {}
    validation.check_family_link(relationship, name, errors)
    e164 = validation.check_phone(phone, "phone", errors) if phone.strip() else ""
    relative = None
    if relative_id is not None:
        relative = get_person_for_user(actor, relative_id)  # only a relative the actor may see
    if errors:
        raise InvalidData(errors)
    link = FamilyLink(
        person=person,
        relationship=relationship,
        name=name.strip(),
        phone=e164,
        is_next_of_kin=is_next_of_kin,
        relative=relative,
    )
    _by(actor, link).save()
    record_event(actor=actor, action="person.family_added", obj=person, summary=person.full_name)
    return link


@dataclass
class EpisodeData:
    destination_country: str
    employer: str = ""
    employer_phone: str = ""
    placement_company: str = ""
    job: str = ""
    departure_date: date | None = None
    return_date: date | None = None
    procedural: bool | None = None


@transaction.atomic
def add_migration_episode(*, actor: User, person_id: int, data: EpisodeData) -> MigrationEpisode:
    _require(actor, Capability.EDIT_PERSONS)
    person = get_person_for_user(actor, person_id, write=True)
    errors: dict[str, list[str]] = {}
    data = validation.check_episode(data, person.birth_date, errors)
    if errors:
        raise InvalidData(errors)
    episode = MigrationEpisode(person=person, **data.__dict__)
    _by(actor, episode).save()
    record_event(
        actor=actor,
        action="person.episode_added",
        obj=person,
        summary=person.full_name,
        detail={"country": data.destination_country},
    )
    return episode


SUB_RECORDS: dict[str, type[PersonIdentifier | PersonPhone | FamilyLink | MigrationEpisode]] = {
    "identifier": PersonIdentifier,
    "phone": PersonPhone,
    "family": FamilyLink,
    "episode": MigrationEpisode,
}


@transaction.atomic
def remove_sub_record(*, actor: User, person_id: int, kind: str, record_id: int) -> None:
    """Remove one identifier/phone/family link/episode; its history row keeps what it was."""
    _require(actor, Capability.EDIT_PERSONS)
    person = get_person_for_user(actor, person_id, write=True)
    model = SUB_RECORDS[kind]
    record = model.objects.filter(person=person, pk=record_id).first()
    if record is None:
        return  # already removed (a double click): nothing to do
    _by(actor, record)
    record.delete()
    record_event(actor=actor, action=f"person.{kind}_removed", obj=person, summary=person.full_name)
    if kind in ("identifier", "phone"):
        record_person_change(person, ChangeOp.UPDATED)


__all__ = [
    "EpisodeData",
    "IdentifierKind",
    "InvalidData",
    "NikAlreadyRegistered",
    "PersonData",
    "PossibleDuplicate",
    "RegistryError",
    "StaleEdit",
    "add_family_link",
    "add_identifier",
    "add_migration_episode",
    "add_phone",
    "merged",
    "person_data_of",
    "record_person_view",
    "register_person",
    "remove_sub_record",
    "update_person",
]
