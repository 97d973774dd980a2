"""The sharing rule, in one place: which agency sees which section of a person and of a case.

An agency's relation to a person or case is one of:

- **owner**: it registered the person / opened the case;
- **receiver**: an open referral (sent, acknowledged, accepted, in service) sent by the *owner* names it;
- **partner**: an open special-assistance entry proposed by the person's owner names it as partner;
- **none**.

An owner sees every section of what it owns. A receiver sees the sections the referral copied from the SOP
route when it was sent, intersected with what the *sender owns*: person sections only when the sender
registered the person, case sections only when it opened the case. So access is never widened by the agency
that holds it: a receiver's own case, referral, consent or assistance proposal cannot pass on what it was
only shown. A partner sees identity, contact and work abroad (the Kemensos template's columns) while the
entry is open. A share made under the person's consent ends the moment that consent is withdrawn or expires
(``sinergi.sharing.consent``). The role decides whether the relation counts at all: VIEW_PERSONS for persons,
VIEW_CASES for cases and referrals, VIEW_ASSISTANCE_LIST for the list; an inactive or anonymous user has none.

Pages, API, change feed and exports all ask these functions; none of them decides on its own.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import BigIntegerField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast

from sinergi.accounts.roles import Capability, Role
from sinergi.sharing.consent import lawful_share_q, share_is_lawful
from sinergi.sharing.sections import (
    ALL_CASE_SECTIONS,
    ALL_PERSON_SECTIONS,
    ASSESSMENTS,
    CASE_SECTIONS,
    CONTACT,
    IDENTITY,
    MIGRATION,
    OWNER_ONLY,
    PERSON_SECTIONS,
    RECORD_KEYS,
    SNAPSHOT_SECTIONS,
)

if TYPE_CHECKING:
    from sinergi.accounts.models import User
    from sinergi.assistance.models import AssistanceEntry
    from sinergi.cases.models import Case
    from sinergi.referrals.models import Referral
    from sinergi.registry.models import Person

NOTHING: frozenset[str] = frozenset()
PARTNER_SECTIONS = frozenset({IDENTITY, CONTACT, MIGRATION})


class Relation(enum.StrEnum):
    OWNER = "owner"
    RECEIVER = "receiver"
    PARTNER = "partner"
    NONE = "none"


def _may(user: User, capability: Capability) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_capability(capability))


# --- restriction of processing (UU 27/2022 Pasal 11 and 41; sinergi.privacy) ---------------------------------
# While a person's processing is restricted no relation but the owner's counts: no referral receiver, no
# special-assistance partner, no cross-agency search finds them. The owner still sees the record (with a banner).


def restricted_person_ids() -> QuerySet[Any]:
    """Ids of persons whose processing is restricted now (a subquery: ``pk__in=restricted_person_ids()``)."""
    from django.utils import timezone

    from sinergi.privacy.models import Restriction

    now = timezone.now()
    return (
        Restriction.objects.filter(lifted_at__isnull=True, since__lte=now)
        .filter(Q(until__isnull=True) | Q(until__gt=now))
        .values("person_id")
    )


def is_restricted(person_id: int) -> bool:
    return restricted_person_ids().filter(person_id=person_id).exists()


def with_restriction(queryset: QuerySet[Any], person_path: str) -> QuerySet[Any]:
    """`queryset` annotated with `person_restricted` (the person at `person_path`), so a list asks once, not
    per row; the rules below read the annotation when present."""
    from django.db.models import Exists, OuterRef

    restricted = Exists(restricted_person_ids().filter(person_id=OuterRef(person_path)))
    annotated: QuerySet[Any] = queryset.annotate(person_restricted=restricted)
    return annotated


def _restricted_on(row: Any, person_id: int) -> bool:
    """The row's `person_restricted` annotation (``with_restriction``), or a query when it has none."""
    known = getattr(row, "person_restricted", None)
    return is_restricted(person_id) if known is None else bool(known)


def hidden_from_other_agencies(persons: QuerySet[Person]) -> QuerySet[Person]:
    """`persons` without the restricted ones: what another agency's search may find."""
    return persons.filter(findable_by_other_agencies_q())


def findable_by_other_agencies_q() -> Q:
    """``hidden_from_other_agencies`` as a condition on persons, for a search that reads the user's persons and
    other agencies' in one query."""
    return ~Q(pk__in=restricted_person_ids())


# --- referrals: what one referral grants ------------------------------------------------------------------


def granted_by(referral: Referral) -> frozenset[str]:
    """The sections `referral` really grants its receiver: what it copied from the route, limited to what the
    sender owns (nothing of a person the sender did not register, nothing of a case it did not open)."""
    from sinergi.referrals.models import RECEIVER_SEES_CASE

    if referral.status not in RECEIVER_SEES_CASE or not share_is_lawful(referral):
        return NOTHING
    owned: set[str] = set()
    if referral.from_agency_id == referral.case.agency_id:
        owned |= CASE_SECTIONS
        if referral.sender_owns_person:  # it opened the case and registered the person (Referral.save)
            owned |= PERSON_SECTIONS
    granted = frozenset(referral.shared_sections) & frozenset(owned)
    if granted and _restricted_on(referral, referral.person_id):
        return NOTHING  # the person's processing is restricted: nothing about them goes to another agency
    return granted


def sender_may_share(case: Case) -> frozenset[str]:
    """What a referral from `case` may carry at all: the case agency's own data only."""
    if case.person.registered_by_agency_id == case.agency_id:
        return PERSON_SECTIONS | CASE_SECTIONS
    return CASE_SECTIONS


def _valid_shares(agency_id: int | None) -> QuerySet[Referral]:
    """Open referrals to `agency_id` whose sender owns both the case and the person (the only ones that can
    share person sections), while their basis stands (the consent they were sent under is still active).

    Read from the referrals alone, by the partial index ``referral_person_shares``: each referral recorded its
    person and whether its sender owns them when it was made (``Referral.save``)."""
    from sinergi.referrals.models import RECEIVER_SEES_CASE, Referral

    return Referral.objects.filter(
        lawful_share_q(), to_agency_id=agency_id, status__in=RECEIVER_SEES_CASE, sender_owns_person=True
    )


# --- persons ------------------------------------------------------------------------------------------------


def person_ids_shared_with(user: User) -> set[int]:
    """Persons whose identity an open referral from their owner shares with the user's agency.

    Filtered in Python: JSON containment is not portable to SQLite, and an agency has few open referrals.
    """
    if not _may(user, Capability.VIEW_PERSONS):
        return set()
    # NOT EXISTS, not NOT IN: with NOT IN PostgreSQL read every case of every agency (a hashed subplan on a
    # sequential scan) before joining the agency's few open referrals.
    restricted = Exists(restricted_person_ids().filter(person_id=OuterRef("person_id")))
    rows = _valid_shares(user.agency_id).exclude(restricted).values_list("person_id", "shared_sections")
    return {person_id for person_id, sections in rows if IDENTITY in sections}


def persons_visible_to(user: User) -> QuerySet[Person]:
    """Persons whose record `user` may open: registered by their agency, or shared with it by an open
    referral from the registering agency whose route lets the identity travel (until the referral closes)."""
    from sinergi.registry.models import Person

    if not _may(user, Capability.VIEW_PERSONS):
        return Person.objects.none()
    return Person.objects.filter(visible_persons_q(user))


def own_persons(user: User) -> QuerySet[Person]:
    """The first half of ``persons_visible_to``: the persons the user's agency registered. A subset of it without
    the referral sub-select, for reading one person, most often the agency's own (registry.selectors)."""
    from sinergi.registry.models import Person

    if not _may(user, Capability.VIEW_PERSONS):
        return Person.objects.none()
    return Person.objects.filter(own_persons_q(user))


def visible_persons_q(user: User) -> Q:
    """``persons_visible_to`` as a condition on persons, for a query that also needs its negation (registry
    search excludes the user's persons from what it finds among other agencies')."""
    if not _may(user, Capability.VIEW_PERSONS):
        return Q(pk__in=[])
    return own_persons_q(user) | shared_persons_q(user)


def own_persons_q(user: User) -> Q:
    """The first half of ``visible_persons_q``: the persons the user's agency registered. The agency is given
    with the column's type (bigint): PostgreSQL serves it from a GIN index beside the name's trigrams
    (registry migration 0006) only then, and a Python integer alone is sent as an integer."""
    if not _may(user, Capability.VIEW_PERSONS):
        return Q(pk__in=[])
    return Q(registered_by_agency_id=Cast(Value(user.agency_id), BigIntegerField()))


def shared_persons_q(user: User) -> Q:
    """The second half of ``visible_persons_q``: the persons an open referral shares with the user's agency."""
    if not _may(user, Capability.VIEW_PERSONS):
        return Q(pk__in=[])
    if connection.vendor == "postgresql":
        # The same rule as person_ids_shared_with, asked per person in SQL (jsonb containment), so opening one
        # person or searching a few names does not first list every person all open referrals share: an agency
        # receiving thousands of referrals made that list cost hundreds of milliseconds per request.
        return Q(Exists(_identity_shares(user).filter(person_id=OuterRef("pk"))))
    return Q(pk__in=person_ids_shared_with(user))


def _identity_shares(user: User) -> QuerySet[Referral]:
    """PostgreSQL: the valid shares that carry the identity of a person whose processing is not restricted."""
    # NOT EXISTS, not NOT IN (see person_ids_shared_with).
    restricted = Exists(restricted_person_ids().filter(person_id=OuterRef("person_id")))
    return _valid_shares(user.agency_id).filter(shared_sections__contains=[IDENTITY]).exclude(restricted)


def person_relation(user: User, person: Person) -> Relation:
    if person.registered_by_agency_id == user.agency_id:
        return Relation.OWNER
    if is_restricted(person.pk):
        return Relation.NONE
    if _valid_shares(user.agency_id).filter(person_id=person.pk).exists():
        return Relation.RECEIVER
    return Relation.NONE


def person_sections_for(user: User, person: Person) -> frozenset[str]:
    """Which sections of the person's record `user` may read (OWNER_ONLY included for the owner)."""
    if not _may(user, Capability.VIEW_PERSONS):
        return NOTHING
    if person.registered_by_agency_id == user.agency_id:
        return ALL_PERSON_SECTIONS
    if is_restricted(person.pk):
        return NOTHING
    rows = _valid_shares(user.agency_id).filter(person_id=person.pk).values_list("shared_sections", flat=True)
    granted = frozenset(section for sections in rows for section in sections) & PERSON_SECTIONS
    # Without the identity nobody may open the record; the other sections travel with the referral page.
    return granted if IDENTITY in granted else NOTHING


# --- cases and referrals ------------------------------------------------------------------------------------


def case_sections_for(user: User, case: Case) -> frozenset[str]:
    """Sections of the case (and of its person) the user reads on the case's own pages: the case agency's
    staff see the whole case and the person as far as the person rule allows."""
    if not _may(user, Capability.VIEW_CASES) or case.agency_id != user.agency_id:
        return NOTHING
    return ALL_CASE_SECTIONS | person_sections_for(user, case.person)


def referral_sections_for(user: User, referral: Referral) -> frozenset[str]:
    """Sections of the referral's case `user` may read through it: the case agency what it may read on its
    case; the receiver what the referral grants while open; anyone else nothing."""
    if not _may(user, Capability.VIEW_CASES):
        return NOTHING
    if referral.case.agency_id == user.agency_id:
        return case_sections_for(user, referral.case)
    if referral.to_agency_id == user.agency_id:
        return granted_by(referral)
    return NOTHING


def referral_relation(user: User, referral: Referral) -> Relation:
    if referral.case.agency_id == user.agency_id:
        return Relation.OWNER
    if referral.to_agency_id == user.agency_id and granted_by(referral):
        return Relation.RECEIVER
    return Relation.NONE


# --- health and psychosocial answers of a needs assessment ---------------------------------------------------

# UU PDP: health data is specific personal data; among staff only social workers and supervisors read it.
SENSITIVE_ANSWER_ROLES = (Role.PEKERJA_SOSIAL, Role.SUPERVISOR)


def may_see_sensitive_answers(user: User, person_id: int, assessing_agency_id: int) -> bool:
    """Whether `user` may read the health and psychosocial answers of an assessment of this person: a social
    worker or supervisor of the agency that made the assessment, of an agency owning a case of the person, or of
    a receiver while an open referral of such a case really grants the assessments section (``granted_by``).
    Everyone else sees that the domain exists and nothing of it."""
    if not _may(user, Capability.VIEW_CASES) or user.agency_id is None:
        return False
    if not user.has_role(*SENSITIVE_ANSWER_ROLES):
        return False
    from sinergi.registry.models import Person

    if (
        is_restricted(person_id)
        and not Person.objects.filter(pk=person_id, registered_by_agency_id=user.agency_id).exists()
    ):
        return False
    if assessing_agency_id == user.agency_id:
        return True
    from sinergi.cases.models import Case
    from sinergi.referrals.models import RECEIVER_SEES_CASE, Referral

    if Case.objects.filter(person_id=person_id, agency_id=user.agency_id).exists():
        return True
    referrals = Referral.objects.filter(
        to_agency_id=user.agency_id, status__in=RECEIVER_SEES_CASE, person_id=person_id
    ).select_related("case")
    return any(ASSESSMENTS in granted_by(referral) for referral in referrals)


# --- facts checked together ------------------------------------------------------------------------------


def cases_involving(user: User) -> QuerySet[Case]:
    """Cases the user's agency is a party to, for checking facts and public statements together: its own
    cases, and the cases a referral was sent to it (whatever became of it; a draft revoked unsent never
    reached it). Only the fact sheet and the statements are read this way, and they carry no identity
    (regency, dates, categories, counts), so a party can still verify a statement about a referral it served
    after the referral closed."""
    from sinergi.cases.models import Case
    from sinergi.referrals.models import Referral

    if not _may(user, Capability.VIEW_CASES):
        return Case.objects.none()
    referred = Referral.objects.filter(to_agency_id=user.agency_pk, sent_at__isnull=False)
    return Case.objects.filter(Q(agency_id=user.agency_pk) | Q(pk__in=referred.values("case_id")))


# --- special-assistance list ------------------------------------------------------------------------------


def entry_sections_for(user: User, entry: AssistanceEntry) -> frozenset[str]:
    """The person's sections on a special-assistance entry: the owner sees them while it owns the person;
    the partner only while the entry is open, was proposed by the person's owner and its consent stands."""
    if not _may(user, Capability.VIEW_ASSISTANCE_LIST):
        return NOTHING
    owner_id = entry.case.person.registered_by_agency_id
    if user.agency_id == entry.proposing_agency_id == owner_id:
        return PARTNER_SECTIONS
    if (
        user.agency_id == entry.partner_agency_id
        and entry.is_open
        and entry.proposing_agency_id == owner_id
        and share_is_lawful(entry)
        and not _restricted_on(entry, entry.case.person_id)
    ):
        return PARTNER_SECTIONS
    return NOTHING


# --- change feed ------------------------------------------------------------------------------------------


def redact_snapshot(snapshot: dict[str, Any], sections: Iterable[str]) -> dict[str, Any]:
    """The snapshot with every key outside `sections` emptied (kept, so partner code sees one shape)."""
    granted = frozenset(sections) | {RECORD_KEYS}
    redacted: dict[str, Any] = {}
    for key, value in snapshot.items():
        section = SNAPSHOT_SECTIONS.get(key, OWNER_ONLY)
        if section in granted:
            redacted[key] = value
        elif isinstance(value, list):
            redacted[key] = []
        elif isinstance(value, bool):
            redacted[key] = False
        elif value is None or isinstance(value, int):
            redacted[key] = None
        else:
            redacted[key] = ""
    return redacted


def may_take_in(user: User, referral: Referral) -> bool:
    """The receiving agency's staff who may edit persons, while the referral shares the identity."""
    return (
        _may(user, Capability.EDIT_PERSONS)
        and referral.to_agency_id == user.agency_id
        and IDENTITY in granted_by(referral)
    )
