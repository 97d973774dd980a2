"""The one write the sharing rule owns: a receiver taking a referred person into its own registry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from sinergi.accounts.roles import Capability
from sinergi.audit.events import record_event
from sinergi.sharing import rules
from sinergi.sharing.models import PersonTakeIn, TakeInBasis
from sinergi.sharing.sections import CONTACT, FAMILY, IDENTITY, MIGRATION

if TYPE_CHECKING:
    from sinergi.accounts.models import User
    from sinergi.registry.models import Person


@transaction.atomic
def take_into_registry(*, actor: User, referral_id: int, basis: str, basis_note: str) -> Person:
    """Register, for the actor's agency, its own record of the person a referral shares with it.

    Copies only the person sections the referral grants now (identity at least), under a recorded lawful
    basis or consent, and links the two records (`PersonTakeIn`). The new record is the receiver's own data:
    it may open cases on it and refer it onward. What it reads of the sender's record still follows the
    referral. Audited; refused once the referral is closed or when the agency already took the person in.
    """
    from sinergi.referrals.selectors import get_referral_for_user
    from sinergi.registry import services as registry
    from sinergi.registry.services import EpisodeData, InvalidData, PersonData, RegistryError

    if not actor.is_authenticated or not actor.has_capability(Capability.EDIT_PERSONS):
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))
    referral = get_referral_for_user(actor, referral_id)
    if referral.to_agency_id != actor.agency_id:
        raise PermissionDenied(_("Only the receiving agency takes a referred person into its registry."))
    granted = rules.granted_by(referral)
    errors: dict[str, list[str]] = {}
    if IDENTITY not in granted:
        errors["__all__"] = [_("This referral does not share the person's identity (or is no longer open).")]
    if basis not in TakeInBasis.values:
        errors["basis"] = [_("Choose the lawful basis for keeping your own record.")]
    if not basis_note.strip():
        errors["basis_note"] = [_("Name the consent record or write why the lawful basis applies.")]
    if errors:
        raise InvalidData(errors)
    source = referral.case.person
    if PersonTakeIn.objects.filter(agency_id=actor.agency_id, source_person=source).exists():
        raise RegistryError(_("Your agency already took this person into its registry."))

    data = PersonData(
        full_name=source.full_name,
        kind=source.kind,
        sex=source.sex,
        birth_date=source.birth_date,
        birth_date_accuracy=source.birth_date_accuracy,
        birth_place=source.birth_place,
        nik=source.nik,
        aliases=[alias.name for alias in source.aliases.all()],
    )
    if CONTACT in granted:
        data.region_code = source.region_id or ""
        data.address_text = source.address_text
        data.phones = [phone.number for phone in source.phones.all()]
    person = registry.register_person(actor=actor, data=data, confirm_new=True)
    if FAMILY in granted:
        for link in source.family.all():
            registry.add_family_link(
                actor=actor,
                person_id=person.pk,
                relationship=link.relationship,
                name=link.name,
                phone=link.phone,
                is_next_of_kin=link.is_next_of_kin,
            )
    if MIGRATION in granted:
        for episode in source.episodes.all():
            registry.add_migration_episode(
                actor=actor,
                person_id=person.pk,
                data=EpisodeData(
                    destination_country=episode.destination_country,
                    employer=episode.employer,
                    employer_phone=episode.employer_phone,
                    placement_company=episode.placement_company,
                    job=episode.job,
                    departure_date=episode.departure_date,
                    return_date=episode.return_date,
                    procedural=episode.procedural,
                ),
            )
    copied = sorted(granted & {IDENTITY, CONTACT, FAMILY, MIGRATION})
    assert actor.agency is not None
    PersonTakeIn.objects.create(
        referral=referral,
        source_person=source,
        person=person,
        agency=actor.agency,
        sections=copied,
        basis=basis,
        basis_note=basis_note.strip(),
        by=actor,
    )
    record_event(
        actor=actor,
        action="person.taken_in",
        obj=person,
        summary=person.full_name,
        detail={"referral": referral.pk, "source_person": source.pk, "sections": copied, "basis": basis},
    )
    return person
