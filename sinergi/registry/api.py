"""Person registry API: the same services and selectors as the pages."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.http import HttpResponsePermanentRedirect
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from sinergi.accounts.http import AuthedRequest
from sinergi.api.auth import require_scope
from sinergi.identity.nik import parse_nik
from sinergi.matching import services as matching_services
from sinergi.matching.selectors import GoldenRecord, get_golden_record_for_user
from sinergi.regions.lookup import database_regions
from sinergi.registry import services
from sinergi.registry.models import MigrationEpisode, Person
from sinergi.registry.selectors import (
    PersonHit,
    SearchQuery,
    get_person_for_user,
    person_sections_for,
    search_persons,
)
from sinergi.registry.validation import localized
from sinergi.sharing.access import record_access, record_search_results
from sinergi.sharing.pseudonyms import listed_nik
from sinergi.sharing.sections import ALL_PERSON_SECTIONS, OWNER_ONLY

# Years a birth-year filter may name (a person born before 1900 is not in any register).
MIN_BIRTH_YEAR, MAX_BIRTH_YEAR = 1900, 2100

router = Router(tags=["persons"])


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(default_factory=dict, description="Messages per field: what to fix.")


class HitOut(Schema):
    id: int | None = Field(description="Only for records you may open; another agency's person has none.")
    full_name: str = Field(
        description="A (suspected) trafficking victim is listed under a pseudonym (UU 21/2007 Pasal 44); "
        "the name is on the person's own record."
    )
    birth_year: int | None
    regency: str = Field(description="Regency/city of the current address.")
    score: float = Field(description="Name similarity 0-1 (1 for NIK/filters only).")
    nik_match: bool
    full_access: bool = Field(description="False: registered by another agency; only name, birth year and regency.")
    nik: str | None = Field(None, description="Only with full access, and never for a listed pseudonym.")
    birth_date: date | None = Field(None, description="Only with full access.")


class DuplicateOut(Schema):
    detail: str
    matches: list[HitOut]
    existing_id: int | None = None


class PhoneOut(Schema):
    id: int
    number: str
    label: str


class IdentifierOut(Schema):
    id: int
    kind: str
    value: str


class FamilyOut(Schema):
    id: int
    relationship: str
    name: str
    phone: str
    is_next_of_kin: bool
    relative_id: int | None


class EpisodeOut(Schema):
    id: int
    destination_country: str
    employer: str
    employer_phone: str
    placement_company: str
    job: str
    departure_date: date | None
    return_date: date | None
    procedural: bool | None


class PersonOut(Schema):
    id: int
    version: int = Field(description="Send it back in PATCH; a stale version is refused with 409.")
    kind: str
    full_name: str
    aliases: list[str]
    sex: str
    birth_date: date | None
    birth_date_accuracy: str
    birth_place: str
    nik: str
    region_code: str | None
    address_text: str
    flag_child: bool
    flag_disability: bool
    flag_trafficking: bool
    phones: list[PhoneOut]
    identifiers: list[IdentifierOut]
    family: list[FamilyOut]
    episodes: list[EpisodeOut]
    registered_by: str
    created_at: datetime
    updated_at: datetime


class PersonIn(Schema):
    full_name: str
    kind: str = "PMI"
    sex: str = ""
    birth_date: date | None = None
    birth_date_accuracy: str = "EXACT"
    birth_place: str = ""
    nik: str = ""
    region_code: str = Field("", description="Kemendagri code, e.g. 72.71.05.1001 (deepest level known).")
    address_text: str = ""
    flag_child: bool = False
    flag_disability: bool = False
    flag_trafficking: bool = False
    aliases: list[str] = []
    phones: list[str] = []
    confirm_new: bool = Field(False, description="Register even if likely matches exist (after checking them).")


class PersonPatch(Schema):
    version: int
    full_name: str | None = None
    kind: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    birth_date_accuracy: str | None = None
    birth_place: str | None = None
    nik: str | None = None
    region_code: str | None = None
    address_text: str | None = None
    flag_child: bool | None = None
    flag_disability: bool | None = None
    flag_trafficking: bool | None = None
    aliases: list[str] | None = None


class PhoneIn(Schema):
    number: str
    label: str = ""


class IdentifierIn(Schema):
    kind: str = Field(description="KK, PASPOR, PMI_ID or DTKS")
    value: str


class FamilyIn(Schema):
    relationship: str
    name: str
    phone: str = ""
    is_next_of_kin: bool = False


class EpisodeIn(Schema):
    destination_country: str = Field(description="ISO 3166-1 alpha-2, e.g. MY")
    employer: str = ""
    employer_phone: str = ""
    placement_company: str = ""
    job: str = ""
    departure_date: date | None = None
    return_date: date | None = None
    procedural: bool | None = None


class NikOut(Schema):
    valid: bool
    nik: str | None = None
    province_code: str | None = None
    regency_code: str | None = None
    district_code: str | None = None
    province_name: str | None = None
    regency_name: str | None = None
    district_name: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    serial: int | None = None
    errors: list[str] = []
    warnings: list[str] = []


def _hit_out(hit: PersonHit) -> HitOut:
    return HitOut(
        # Another agency's person: no id that could open or probe anything (issue 9, finding 2).
        id=hit.pk if hit.full_access else None,
        full_name=hit.full_name,
        birth_year=hit.birth_year,
        regency=hit.regency_name,
        score=hit.score,
        nik_match=hit.nik_match,
        full_access=hit.full_access,
        nik=(listed_nik(hit.person) or None) if hit.person else None,
        birth_date=hit.person.birth_date if hit.person else None,
    )


def _person_out(person: Person, sections: frozenset[str] = ALL_PERSON_SECTIONS) -> PersonOut:
    """The record as the reader may see it: parts a referral does not share come back empty."""
    person = (
        Person.objects.filter(pk=person.pk)
        .select_related("registered_by_agency")
        .prefetch_related("aliases", "phones", "identifiers", "family", "episodes")
        .get()
    )
    owner = OWNER_ONLY in sections
    return PersonOut(
        id=person.pk,
        version=person.version,
        kind=person.kind if owner else "",
        full_name=person.full_name,
        aliases=sorted(alias.name for alias in person.aliases.all()),
        sex=person.sex,
        birth_date=person.birth_date,
        birth_date_accuracy=person.birth_date_accuracy,
        birth_place=person.birth_place,
        nik=person.nik,
        region_code=person.region_id if "KONTAK" in sections else None,
        address_text=person.address_text if "KONTAK" in sections else "",
        flag_child=person.flag_child if owner else person.is_minor,
        flag_disability=person.flag_disability and owner,
        flag_trafficking=person.flag_trafficking and owner,
        phones=[PhoneOut(id=p.pk, number=p.number, label=p.label) for p in person.phones.all()]
        if "KONTAK" in sections
        else [],
        # Passport, KK, PMI id: not in the identity section; they stay with the registering agency.
        identifiers=[IdentifierOut(id=i.pk, kind=i.kind, value=i.value) for i in person.identifiers.all()]
        if owner
        else [],
        family=[
            FamilyOut(
                id=f.pk,
                relationship=f.relationship,
                name=f.name,
                phone=f.phone,
                is_next_of_kin=f.is_next_of_kin,
                relative_id=f.relative_id,
            )
            for f in person.family.all()
        ]
        if "KELUARGA" in sections
        else [],
        episodes=[episode_out(e) for e in person.episodes.all()] if "MIGRASI" in sections else [],
        registered_by=person.registered_by_agency.code,
        created_at=person.created_at,
        updated_at=person.updated_at,
    )


def episode_out(e: MigrationEpisode) -> EpisodeOut:
    return EpisodeOut(
        id=e.pk,
        destination_country=e.destination_country,
        employer=e.employer,
        employer_phone=e.employer_phone,
        placement_company=e.placement_company,
        job=e.job,
        departure_date=e.departure_date,
        return_date=e.return_date,
        procedural=e.procedural,
    )


def _invalid(error: services.InvalidData) -> Status[ErrorOut]:
    return Status(422, ErrorOut(detail=_("Some values need fixing."), errors=error.errors))


@router.get(
    "",
    response={200: list[HitOut], 422: ErrorOut},
    summary="Search the registry (all agencies; limited fields for others')",
    description="Your agency's persons answer every filter. Another agency's persons are found only by a full, "
    "valid NIK or by name (q) with birth_year, and come back without id, NIK or birth date.",
)
def search(
    request: AuthedRequest,
    q: str = "",
    nik: str = "",
    birth_date: date | None = None,
    birth_year: int | None = None,
    region: str = "",
    limit: int = 50,
) -> Any:
    require_scope(request, "persons:read")
    if birth_year is not None and not MIN_BIRTH_YEAR <= birth_year <= MAX_BIRTH_YEAR:
        message = _("birth_year must be a year from %(min)s to %(max)s.") % {
            "min": MIN_BIRTH_YEAR,
            "max": MAX_BIRTH_YEAR,
        }
        return Status(422, ErrorOut(detail=_("Some values need fixing."), errors={"birth_year": [message]}))
    query = SearchQuery(text=q, nik=nik, birth_date=birth_date, birth_year=birth_year, region_code=region)
    hits = search_persons(request.user, query, limit=max(1, min(limit, 200)))
    record_search_results(actor=request.user, persons=[hit.person for hit in hits if hit.person is not None])
    return Status(200, [_hit_out(hit) for hit in hits])


@router.post(
    "",
    response={201: PersonOut, 409: DuplicateOut, 422: ErrorOut},
    summary="Register a person (search-before-create)",
    description="409 lists likely existing records; repeat with `confirm_new: true` if it is a different person. "
    "The same NIK twice in one agency is always refused.",
)
def create(request: AuthedRequest, payload: PersonIn) -> Any:
    require_scope(request, "persons:write")
    values = payload.dict()
    confirm_new = values.pop("confirm_new")
    try:
        person = services.register_person(
            actor=request.user, data=services.PersonData(**values), confirm_new=confirm_new
        )
    except services.InvalidData as error:
        return _invalid(error)
    except services.PossibleDuplicate as duplicate:
        return Status(409, DuplicateOut(detail=str(duplicate), matches=[_hit_out(hit) for hit in duplicate.hits]))
    except services.NikAlreadyRegistered as clash:
        return Status(409, DuplicateOut(detail=str(clash), matches=[], existing_id=clash.existing.pk))
    return Status(201, _person_out(person))


@router.get("/nik/{nik}", response=NikOut, summary="What a NIK says, or why it is invalid")
def check_nik(request: AuthedRequest, nik: str) -> NikOut:
    result = parse_nik(nik, regions=database_regions(), today=timezone.localdate())
    errors = [localized(e) for e in result.errors]
    warnings = [localized(w) for w in result.warnings]
    parsed = result.value
    if parsed is None:
        return NikOut(valid=False, errors=errors, warnings=warnings)
    return NikOut(
        valid=True,
        nik=parsed.nik,
        province_code=parsed.province_code,
        regency_code=parsed.regency_code,
        district_code=parsed.district_code,
        province_name=parsed.province_name,
        regency_name=parsed.regency_name,
        district_name=parsed.district_name,
        birth_date=parsed.birth_date,
        sex=parsed.sex,
        serial=parsed.serial,
        warnings=warnings,
    )


class MergedOut(Schema):
    detail: str
    merged_into: int = Field(description="The record this person was merged into: read that one instead.")


@router.get(
    "/{person_id}",
    response={200: PersonOut, 301: MergedOut, 404: ErrorOut},
    summary="A person's full record",
    description="A person merged into another answers 301 with `Location` (the survivor's URL) and "
    '`{"merged_into": id}`; clients that follow redirects get the survivor.',
)
def detail(request: AuthedRequest, person_id: int) -> Any:
    require_scope(request, "persons:read")
    person = get_person_for_user(request.user, person_id)
    if person.merged_into_id is not None:
        body = {
            "detail": _("This person was merged into person %(id)s.") % {"id": person.merged_into_id},
            "merged_into": person.merged_into_id,
        }
        location = f"{request.path.rstrip('/').rsplit('/', 1)[0]}/{person.merged_into_id}"
        return HttpResponsePermanentRedirect(location, content=json.dumps(body), content_type="application/json")
    sections = person_sections_for(request.user, person)
    record_access(actor=request.user, person=person, sections=sections, context="person")
    return _person_out(person, sections)


class SourceValueOut(Schema):
    source: str = Field(
        description='"Registri Sinergi" (the registry\'s own entry), a data source, or a merged record.'
    )
    kind: str = Field(description="registry, source or merged")
    value: str
    external_id: str = ""
    file_name: str = ""
    row_number: int | None = None
    at: datetime | None = Field(None, description="When the value arrived (imported, merged, last saved).")


class VerificationOut(Schema):
    value: str
    source: str
    verified_by: str
    verified_at: datetime


class GoldenFieldOut(Schema):
    field: str
    current: list[str] = Field(description="The person's value (several for phones and identifiers).")
    sources: list[SourceValueOut]
    conflict: bool = Field(description="A source holds a value the record does not, and no one verified it since.")
    verification: VerificationOut | None
    choices: list[str] = Field(description="The values a data officer may verify (POST .../golden/{field}).")


class GoldenOut(Schema):
    person_id: int
    conflicts: int
    fields: list[GoldenFieldOut]


class VerifyIn(Schema):
    value: str = Field(description="One of the field's `choices`.")


def _golden_out(record: GoldenRecord) -> GoldenOut:
    return GoldenOut(
        person_id=record.person.pk,
        conflicts=record.conflicts,
        fields=[
            GoldenFieldOut(
                field=field.field,
                current=list(field.current),
                sources=[
                    SourceValueOut(
                        source=entry.label,
                        kind=entry.kind,
                        value=entry.value,
                        external_id=entry.external_id,
                        file_name=entry.file_name,
                        row_number=entry.row_number,
                        at=entry.at,
                    )
                    for entry in field.entries
                ],
                conflict=field.conflict,
                verification=VerificationOut(
                    value=field.verification.value,
                    source=field.verification.chosen_source,
                    verified_by=field.verification.verified_by.display_name,
                    verified_at=field.verification.verified_at,
                )
                if field.verification
                else None,
                choices=list(field.choices),
            )
            for field in record.fields
        ],
    )


@router.get(
    "/{person_id}/golden",
    response={200: GoldenOut, 404: ErrorOut},
    summary="A person's golden record: each field's value, every source's value with provenance, conflicts",
)
def golden(request: AuthedRequest, person_id: int) -> Any:
    require_scope(request, "persons:read")
    record = get_golden_record_for_user(request.user, person_id)
    services.record_person_view(actor=request.user, person=record.person)
    return _golden_out(record)


@router.post(
    "/{person_id}/golden/{field}",
    response={200: GoldenOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Verify a field's value (data officers): sets it on the person and closes the conflict",
)
def verify(request: AuthedRequest, person_id: int, field: str, payload: VerifyIn) -> Any:
    require_scope(request, "persons:write")
    try:
        matching_services.verify_field(actor=request.user, person_id=person_id, field=field, value=payload.value)
    except matching_services.MatchingError as refusal:
        return Status(409, ErrorOut(detail=str(refusal)))
    return _golden_out(get_golden_record_for_user(request.user, person_id))


@router.patch(
    "/{person_id}",
    response={200: PersonOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Change a person's core data (optimistic lock on `version`)",
)
def update(request: AuthedRequest, person_id: int, payload: PersonPatch) -> Any:
    require_scope(request, "persons:write")
    person = get_person_for_user(request.user, person_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    data = services.merged(services.person_data_of(person), **changes)
    try:
        person = services.update_person(actor=request.user, person_id=person.pk, data=data, expected_version=version)
    except services.InvalidData as error:
        return _invalid(error)
    except (services.StaleEdit, services.NikAlreadyRegistered) as refusal:
        return Status(409, ErrorOut(detail=str(refusal)))
    return Status(200, _person_out(person))


def _add(request: AuthedRequest, person_id: int, action: Any) -> Any:
    require_scope(request, "persons:write")
    try:
        action()
    except services.InvalidData as error:
        return _invalid(error)
    return Status(201, _person_out(get_person_for_user(request.user, person_id)))


@router.post("/{person_id}/phones", response={201: PersonOut, 404: ErrorOut, 422: ErrorOut}, summary="Add a phone")
def add_phone(request: AuthedRequest, person_id: int, payload: PhoneIn) -> Any:
    return _add(
        request, person_id, lambda: services.add_phone(actor=request.user, person_id=person_id, **payload.dict())
    )


@router.post(
    "/{person_id}/identifiers", response={201: PersonOut, 404: ErrorOut, 422: ErrorOut}, summary="Add an identifier"
)
def add_identifier(request: AuthedRequest, person_id: int, payload: IdentifierIn) -> Any:
    return _add(
        request, person_id, lambda: services.add_identifier(actor=request.user, person_id=person_id, **payload.dict())
    )


@router.post("/{person_id}/family", response={201: PersonOut, 404: ErrorOut, 422: ErrorOut}, summary="Add a relative")
def add_family(request: AuthedRequest, person_id: int, payload: FamilyIn) -> Any:
    return _add(
        request, person_id, lambda: services.add_family_link(actor=request.user, person_id=person_id, **payload.dict())
    )


@router.post(
    "/{person_id}/episodes",
    response={201: PersonOut, 404: ErrorOut, 422: ErrorOut},
    summary="Add a migration episode",
)
def add_episode(request: AuthedRequest, person_id: int, payload: EpisodeIn) -> Any:
    data = services.EpisodeData(**payload.dict())
    return _add(
        request, person_id, lambda: services.add_migration_episode(actor=request.user, person_id=person_id, data=data)
    )


@router.delete(
    "/{person_id}/{kind}/{record_id}",
    response={204: None, 404: ErrorOut},
    summary="Remove a phone, identifier, family link or episode (kind: phones, identifiers, family, episodes)",
)
def remove(request: AuthedRequest, person_id: int, kind: str, record_id: int) -> Any:
    require_scope(request, "persons:write")
    kinds = {"phones": "phone", "identifiers": "identifier", "family": "family", "episodes": "episode"}
    if kind not in kinds:
        return Status(404, ErrorOut(detail=_("Not found.")))
    services.remove_sub_record(actor=request.user, person_id=person_id, kind=kinds[kind], record_id=record_id)
    return Status(204, None)
