"""The shared case view: what one user may read of a case through a referral (or on its own case).

Built once here and rendered by the referral page and the API alike; only the granted sections are loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sinergi.sharing import rules
from sinergi.sharing.sections import (
    ASSESSMENTS,
    ATTACHMENTS,
    COMPLAINT,
    CONTACT,
    FAMILY,
    IDENTITY,
    MIGRATION,
    NOTES,
)

if TYPE_CHECKING:
    from sinergi.accounts.models import User
    from sinergi.cases.models import Assessment, Attachment, Case, CaseNote, ComplaintCategory
    from sinergi.referrals.models import Referral
    from sinergi.registry.models import FamilyLink, MigrationEpisode, Person, PersonPhone


@dataclass
class SharedComplaint:
    case: Case
    categories: list[ComplaintCategory]
    destination: str


@dataclass
class SharedCase:
    sections: frozenset[str]
    person: Person | None = None
    contact_of: Person | None = None
    phones: list[PersonPhone] = field(default_factory=list)
    address: str = ""
    family: list[FamilyLink] = field(default_factory=list)
    episodes: list[tuple[MigrationEpisode, str]] = field(default_factory=list)
    migration_case: Case | None = None
    complaint: SharedComplaint | None = None
    notes: list[CaseNote] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)

    def __getitem__(self, key: str) -> object:
        # Templates written for the former dict read `shared.person`, `shared.complaint.categories`…
        return getattr(self, key)


def shared_case_for(user: User, referral: Referral, sections: frozenset[str] | None = None) -> SharedCase:
    from sinergi.cases.models import Assessment, Attachment, CaseNote
    from sinergi.registry.countries import country_name

    if sections is None:
        sections = rules.referral_sections_for(user, referral)
    case, person = referral.case, referral.case.person
    shared = SharedCase(sections=sections)
    if IDENTITY in sections:
        shared.person = person
    if CONTACT in sections:
        shared.contact_of = person
        shared.phones = list(person.phones.all())
        shared.address = ", ".join(
            part for part in (person.address_text, ", ".join(r.name for r in person.region_path)) if part
        )
    if FAMILY in sections:
        shared.family = list(person.family.all())
    if MIGRATION in sections:
        shared.episodes = [(e, country_name(e.destination_country)) for e in person.episodes.all()]
        shared.migration_case = case
    if COMPLAINT in sections:
        shared.complaint = SharedComplaint(
            case=case,
            categories=list(case.categories.all()),
            destination=country_name(case.destination_country) if case.destination_country else "",
        )
    # Notes and attachments: the case agency's (a receiver's own stay with its referral records).
    if NOTES in sections:
        shared.notes = list(CaseNote.objects.filter(case=case, agency_id=case.agency_id).select_related("by", "agency"))
    if ATTACHMENTS in sections:
        shared.attachments = list(Attachment.objects.filter(case=case, agency_id=case.agency_id))
    # Assessments: the owner sees all; a receiver sees its own (they are its records and stay after the
    # referral closes) and, when the referral shares the section, the owning agency's — never other receivers'.
    assessments = Assessment.objects.filter(case=case).select_related("agency", "by", "referral")
    if case.agency_id != user.agency_id:
        visible_agencies = [user.agency_pk]
        if ASSESSMENTS in sections:
            visible_agencies.append(case.agency_id)
        assessments = assessments.filter(agency_id__in=visible_agencies)
    shared.assessments = list(assessments)
    return shared
