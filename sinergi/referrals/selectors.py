"""Reads of referrals and of what a referral shares.

A referral is visible to the sending agency always, and to the receiving agency once sent.
The receiver sees the case sections the referral shares only while the referral is open
(RECEIVER_SEES_CASE); its own service records and assessments stay visible after it closes.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.referrals.models import Referral
from sinergi.sharing import rules
from sinergi.sharing.shared_case import SharedCase
from sinergi.sharing.shared_case import shared_case_for as build_shared_case


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    if not user.is_authenticated or not user.has_capability(Capability.VIEW_CASES):
        return Referral.objects.none()
    return Referral.objects.filter(
        # The receiver's once it was sent: a draft, and a draft revoked before sending, never reached it.
        Q(from_agency_id=user.agency_id) | Q(to_agency_id=user.agency_id, sent_at__isnull=False)
    )


def get_referral_for_user(user: User, pk: int, *, write: bool = False) -> Referral:
    queryset = referrals_visible_to(user).select_related(
        "case__person", "case__agency", "from_agency", "to_agency", "service", "assigned_to", "parent", "consent"
    )
    if write:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def shared_sections_for(user: User, referral: Referral) -> frozenset[str]:
    """Sections of the case this user may see through this referral (``sinergi.sharing.rules``)."""
    return rules.referral_sections_for(user, referral)


def sections_shared_for_person(user: User, person_id: int) -> frozenset[str]:
    """Sections of the person's record the user's agency may read (``sinergi.sharing.rules``)."""
    from sinergi.registry.models import Person

    person = Person.objects.filter(pk=person_id).first()
    return rules.person_sections_for(user, person) if person is not None else frozenset()


def person_ids_shared_with(user: User) -> set[int]:
    """Persons whose identity an open referral from their owner shares with the user's agency."""
    return rules.person_ids_shared_with(user)


def shared_case_for(user: User, referral: Referral, sections: frozenset[str] | None = None) -> SharedCase:
    """The shared case view pages and API render (``sinergi.sharing.shared_case``)."""
    return build_shared_case(user, referral, sections)
