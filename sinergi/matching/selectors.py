"""Every read of review pairs, merges and golden records: one visibility rule.

A data officer (REVIEW_MATCHES) sees the pairs and merges of their own agency's registry; everyone else
sees none (404, the same answer as "does not exist"). A golden record is readable by whoever may read
the person's full record (``registry.selectors.persons_visible_to``) within the registering agency:
it shows every source's values with provenance, which a referral does not share.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.matching.golden import GoldenField, golden_record
from sinergi.matching.models import OPEN_DECISIONS, Decision, MatchCandidate, Merge
from sinergi.registry.models import Person
from sinergi.registry.selectors import persons_visible_to

# Queue tabs: URL slug -> the decisions the tab lists.
QUEUE_TABS: dict[str, tuple[str, ...]] = {
    "menunggu": (Decision.PENDING,),
    "ragu": (Decision.UNSURE,),
    "selesai": (Decision.SAME, Decision.DIFFERENT),
}


def candidates_visible_to(user: User) -> QuerySet[MatchCandidate]:
    if not user.is_authenticated or not user.has_capability(Capability.REVIEW_MATCHES):
        return MatchCandidate.objects.none()
    return MatchCandidate.objects.filter(agency_id=user.agency_pk)


def review_queue(user: User, tab: str = "menunggu") -> QuerySet[MatchCandidate]:
    """The tab's pairs, best first (decided ones newest first), with both persons loaded."""
    decisions = QUEUE_TABS.get(tab, QUEUE_TABS["menunggu"])
    queryset = candidates_visible_to(user).filter(decision__in=decisions).select_related("person", "other_person")
    if tab == "selesai":
        return queryset.select_related("decided_by").order_by("-decided_at", "-pk")
    return queryset.order_by("-probability", "pk")


def queue_counts(user: User) -> dict[str, int]:
    visible = candidates_visible_to(user)
    return {tab: visible.filter(decision__in=decisions).count() for tab, decisions in QUEUE_TABS.items()}


def get_candidate_for_user(user: User, pk: int) -> MatchCandidate:
    try:
        return candidates_visible_to(user).select_related("person", "other_person", "decided_by").get(pk=pk)
    except (MatchCandidate.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def merges_visible_to(user: User) -> QuerySet[Merge]:
    if not user.is_authenticated or not user.has_capability(Capability.REVIEW_MATCHES):
        return Merge.objects.none()
    return Merge.objects.filter(agency_id=user.agency_pk)


def get_merge_for_user(user: User, pk: int) -> Merge:
    try:
        return merges_visible_to(user).select_related("survivor", "absorbed", "undone_by", "merged_by").get(pk=pk)
    except (Merge.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def active_merges_into(user: User, person: Person) -> list[Merge]:
    """Merges (not undone) that absorbed a person into ``person``, for its page: the registering agency sees them."""
    if not user.is_authenticated or person.registered_by_agency_id != user.agency_id:
        return []
    return list(
        Merge.objects.filter(survivor=person, undone_at__isnull=True)
        .select_related("absorbed", "merged_by")
        .order_by("-merged_at")
    )


def open_pairs_of(user: User, person: Person) -> list[MatchCandidate]:
    """Pairs waiting for a decision that involve ``person`` (the person page links them)."""
    return list(
        candidates_visible_to(user)
        .filter(Q(person=person) | Q(other_person=person), decision__in=OPEN_DECISIONS)
        .select_related("person", "other_person")
        .order_by("-probability")
    )


@dataclass(frozen=True)
class GoldenRecord:
    person: Person
    fields: list[GoldenField]
    can_verify: bool

    @property
    def conflicts(self) -> int:
        return sum(1 for field in self.fields if field.conflict)


def get_golden_person(user: User, pk: int) -> Person:
    """The person whose golden record ``user`` may read: their own agency's, visible to them; else 404."""
    try:
        return (
            persons_visible_to(user)
            .filter(registered_by_agency_id=user.agency_id)
            .select_related("registered_by_agency", "merged_into")
            .prefetch_related("phones", "identifiers")
            .get(pk=pk)
        )
    except (Person.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_golden_record_for_user(user: User, pk: int) -> GoldenRecord:
    person = get_golden_person(user, pk)
    return GoldenRecord(
        person=person,
        fields=golden_record(person),
        can_verify=user.has_capability(Capability.REVIEW_MATCHES) and person.merged_into_id is None,
    )
