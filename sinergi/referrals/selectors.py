"""Reads of referrals and of what a referral shares.

A referral is visible to the sending agency always, and to the receiving agency once sent.
The receiver sees the case sections the referral shares only while the referral is open
(RECEIVER_SEES_CASE); its own service records and assessments stay visible after it closes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.cases.models import Assessment, Attachment, CaseNote
from sinergi.referrals.models import RECEIVER_SEES_CASE, Referral, ReferralStatus
from sinergi.registry.countries import country_name
from sinergi.sop.models import SharedSection


def referrals_visible_to(user: User) -> QuerySet[Referral]:
    if not user.is_authenticated or not user.has_capability(Capability.VIEW_CASES):
        return Referral.objects.none()
    return Referral.objects.filter(
        Q(from_agency_id=user.agency_id) | (Q(to_agency_id=user.agency_id) & ~Q(status=ReferralStatus.DRAFT))
    )


def get_referral_for_user(user: User, pk: int, *, write: bool = False) -> Referral:
    queryset = referrals_visible_to(user).select_related(
        "case__person", "case__agency", "from_agency", "to_agency", "service", "assigned_to", "parent"
    )
    if write:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (Referral.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def shared_sections_for(user: User, referral: Referral) -> frozenset[str]:
    """Sections of the case this user may see through this referral (everything for the owning agency)."""
    if referral.case.agency_id == user.agency_id:
        return frozenset(SharedSection.values)
    if referral.to_agency_id == user.agency_id and referral.status in RECEIVER_SEES_CASE:
        return frozenset(referral.shared_sections)
    return frozenset()


def sections_shared_for_person(user: User, person_id: int) -> frozenset[str]:
    """Union of the sections that the open referrals of this person's cases share with the user's agency."""
    rows = Referral.objects.filter(
        to_agency_id=user.agency_id, status__in=RECEIVER_SEES_CASE, case__person_id=person_id
    ).values_list("shared_sections", flat=True)
    return frozenset(section for sections in rows for section in sections)


def person_ids_shared_with(user: User) -> set[int]:
    """Persons whose identity an open referral currently shares with the user's agency.

    Filtered in Python: JSON containment is not portable to SQLite, and an agency has few open referrals.
    """
    rows = Referral.objects.filter(to_agency_id=user.agency_id, status__in=RECEIVER_SEES_CASE).values_list(
        "case__person_id", "shared_sections"
    )
    return {person_id for person_id, sections in rows if SharedSection.IDENTITY in sections}


def shared_case_for(user: User, referral: Referral, sections: frozenset[str]) -> dict[str, Any]:
    """The case sections this user may see through the referral; nothing else is loaded."""
    case, person = referral.case, referral.case.person
    shared: dict[str, Any] = {}
    if SharedSection.IDENTITY in sections:
        shared["person"] = person
    if SharedSection.CONTACT in sections:
        shared["phones"] = list(person.phones.all())
        shared["address"] = ", ".join(
            part for part in (person.address_text, ", ".join(r.name for r in person.region_path)) if part
        )
    if SharedSection.FAMILY in sections:
        shared["family"] = list(person.family.all())
    if SharedSection.MIGRATION in sections:
        shared["episodes"] = [(e, country_name(e.destination_country)) for e in person.episodes.all()]
    if SharedSection.COMPLAINT in sections:
        shared["complaint"] = {
            "categories": list(case.categories.all()),
            "destination": country_name(case.destination_country) if case.destination_country else "",
        }
    if SharedSection.NOTES in sections:
        shared["notes"] = list(CaseNote.objects.filter(case=case).select_related("by", "agency"))
    if SharedSection.ATTACHMENTS in sections:
        shared["attachments"] = list(Attachment.objects.filter(case=case))
    # Assessments: the owner sees all; a receiver sees its own (they are its records and stay after the
    # referral closes) and, when the SOP shares the section, the owning agency's — not other receivers'
    # (need-to-know between agencies).
    assessments = Assessment.objects.filter(case=case).select_related("agency", "by", "referral")
    if case.agency_id != user.agency_id:
        visible_agencies = [user.agency_pk]
        if SharedSection.ASSESSMENTS in sections:
            visible_agencies.append(case.agency_id)
        assessments = assessments.filter(agency_id__in=visible_agencies)
    shared["assessments"] = list(assessments)
    return shared
