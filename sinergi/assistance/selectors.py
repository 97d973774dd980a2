"""Every read of the special-assistance list goes through here: the visibility rule lives in this module only.

An entry is visible to its proposing agency and its partner agency (users with VIEW_ASSISTANCE_LIST), to
nobody else: any other agency gets 404, as for an entry that does not exist. The person's data on it
(identity, address, destination) travels with the entry: the proposing agency always sees it, the partner
agency while the entry is open (proposed or agreed). A withdrawn entry stays in the partner's list with its
steps, without the person's data: the lawful basis to share it has ended.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Capability
from sinergi.assistance.models import OPEN_ASSISTANCE_STATUSES, AssistanceEntry
from sinergi.cases.models import Assessment, Case
from sinergi.cases.selectors import cases_visible_to
from sinergi.regions.models import RegionLevel
from sinergi.registry.models import MigrationEpisode, Person


def entries_visible_to(user: User) -> QuerySet[AssistanceEntry]:
    if not user.is_authenticated or not user.has_capability(Capability.VIEW_ASSISTANCE_LIST):
        return AssistanceEntry.objects.none()
    return AssistanceEntry.objects.filter(Q(proposing_agency_id=user.agency_id) | Q(partner_agency_id=user.agency_id))


# Everything a row of the list, the entry page and the export show, in a fixed number of queries.
_ROW_RELATIONS = (
    "case__person__region__parent__parent__parent",
    "proposing_agency",
    "partner_agency",
    "proposed_by",
    "proposer_agreed_by",
    "partner_agreed_by",
    "withdrawn_by",
    "override_by",
    "consent",
)


def _with_row_data(queryset: QuerySet[AssistanceEntry]) -> QuerySet[AssistanceEntry]:
    latest_first = MigrationEpisode.objects.order_by(F("departure_date").desc(nulls_last=True), "-id")
    from sinergi.sharing.rules import with_restriction

    queryset = with_restriction(queryset, "case__person_id")  # a restricted person is not shown to the partner
    return queryset.select_related(*_ROW_RELATIONS).prefetch_related(
        "case__categories", Prefetch("case__person__episodes", queryset=latest_first)
    )


def get_entry_for_user(user: User, pk: int, *, write: bool = False) -> AssistanceEntry:
    """The entry, or 404 whether it does not exist or is not the user's agency's (the same answer on purpose)."""
    queryset = entries_visible_to(user)
    if write:
        queryset = queryset.select_related("case", "proposing_agency", "partner_agency").select_for_update(of=("self",))
    else:
        queryset = _with_row_data(queryset)
    try:
        return queryset.get(pk=pk)
    except (AssistanceEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def shows_person(user: User, entry: AssistanceEntry) -> bool:
    """May `user` read the person's data on this (visible) entry? (``sinergi.sharing.rules``)"""
    from sinergi.sharing.rules import entry_sections_for

    return bool(entry_sections_for(user, entry))


# --- the list -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryFilter:
    status: str = ""
    agency_id: int | None = None  # entries this agency proposed or is the partner of
    date_from: date | None = None  # the day the entry reached its status (WITA), inclusive
    date_to: date | None = None


def filter_entries(user: User, flt: EntryFilter) -> QuerySet[AssistanceEntry]:
    queryset = entries_visible_to(user)
    if flt.status:
        queryset = queryset.filter(status=flt.status)
    if flt.agency_id is not None:
        queryset = queryset.filter(Q(proposing_agency_id=flt.agency_id) | Q(partner_agency_id=flt.agency_id))
    if flt.date_from:
        queryset = queryset.filter(status_changed_at__date__gte=flt.date_from)
    if flt.date_to:
        queryset = queryset.filter(status_changed_at__date__lte=flt.date_to)
    return queryset


def agencies_on_list_of(user: User) -> QuerySet[Agency]:
    """The agencies that appear on the user's entries (the agency filter's choices)."""
    visible = entries_visible_to(user)
    return Agency.objects.filter(
        Q(pk__in=visible.values("proposing_agency_id")) | Q(pk__in=visible.values("partner_agency_id"))
    ).order_by("name")


@dataclass(frozen=True)
class PersonFacts:
    """The person as the list shows and exports them."""

    full_name: str
    nik: str
    sex: str  # L / P as on the KTP, or ""
    birth_place: str
    birth_date: date | None
    address: str
    region_code: str
    village: str
    district: str
    regency: str
    province: str
    destination_country: str  # ISO code of the latest stay abroad (the case's destination when none is recorded)
    flag_child: bool
    flag_trafficking: bool


@dataclass(frozen=True)
class EntryRow:
    entry: AssistanceEntry
    person: PersonFacts | None  # None: the user's agency may no longer see who it is (withdrawn, partner side)
    categories: tuple[str, ...]


def _person_facts(entry: AssistanceEntry) -> PersonFacts:
    case = entry.case
    person: Person = case.person
    names = {region.level: region.name for region in person.region_path}
    episodes = list(person.episodes.all())  # prefetched, latest stay abroad first
    return PersonFacts(
        full_name=person.full_name,
        nik=person.nik,
        sex=person.sex,
        birth_place=person.birth_place,
        birth_date=person.birth_date,
        address=person.address_text,
        region_code=person.region_id or "",
        village=names.get(RegionLevel.VILLAGE, ""),
        district=names.get(RegionLevel.DISTRICT, ""),
        regency=names.get(RegionLevel.REGENCY, ""),
        province=names.get(RegionLevel.PROVINCE, ""),
        destination_country=episodes[0].destination_country if episodes else case.destination_country,
        flag_child=person.is_minor or case.flag_child,
        flag_trafficking=person.flag_trafficking or case.flag_trafficking,
    )


def entry_rows(user: User, entries: Iterable[AssistanceEntry]) -> list[EntryRow]:
    """Rows for entries read through this module (`list_entries`, `get_entry_for_user`)."""
    rows = []
    for entry in entries:
        rows.append(
            EntryRow(
                entry=entry,
                person=_person_facts(entry) if shows_person(user, entry) else None,
                categories=tuple(category.name for category in entry.case.categories.all()),
            )
        )
    return rows


def list_entries(
    user: User, flt: EntryFilter, *, before: int | None = None, limit: int | None = None
) -> list[EntryRow]:
    """Newest first; `before` and `limit` page by id (keyset), so deep pages stay cheap."""
    queryset = _with_row_data(filter_entries(user, flt)).order_by("-id")
    if before is not None:
        queryset = queryset.filter(id__lt=before)
    if limit is not None:
        queryset = queryset[:limit]
    return entry_rows(user, queryset)


# --- candidates -----------------------------------------------------------------------------------------------


def candidate_cases(user: User) -> QuerySet[Case]:
    """The user's agency's cases whose latest assessment says the person needs special social assistance and
    whose person is not on the list yet (no proposed or agreed entry). Annotated with that assessment's needs
    text and time (`latest_needs`, `assessed_at`)."""
    if not user.is_authenticated or not user.has_capability(Capability.VIEW_ASSISTANCE_LIST):
        return Case.objects.none()
    latest = Assessment.objects.filter(case=OuterRef("pk")).order_by("-at", "-id")
    on_list = AssistanceEntry.objects.filter(person=OuterRef("person"), status__in=OPEN_ASSISTANCE_STATUSES)
    return (
        cases_visible_to(user)
        .annotate(
            needs_assistance=Subquery(latest.values("needs_special_assistance")[:1]),
            latest_needs=Subquery(latest.values("needs")[:1]),
            assessed_at=Subquery(latest.values("at")[:1]),
        )
        .filter(needs_assistance=True)
        .exclude(Exists(on_list))
        .select_related("person")
        .prefetch_related("categories")
        .order_by("-id")
    )


@dataclass(frozen=True)
class CandidateRow:
    case: Case
    assessed_at: datetime | None
    needs: str  # the latest assessment's "needs" text


def candidate_rows(user: User, *, limit: int) -> list[CandidateRow]:
    return [
        CandidateRow(case=case, assessed_at=case.assessed_at, needs=case.latest_needs or "")  # type: ignore[attr-defined]
        for case in candidate_cases(user)[:limit]
    ]


def latest_assessment(case: Case) -> Assessment | None:
    return Assessment.objects.filter(case=case).order_by("-at", "-id").first()
