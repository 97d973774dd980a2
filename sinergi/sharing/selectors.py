"""Reads the sharing rule guards that are not a plain section lookup: attachments, take-in records, and the
person an agency may keep records of (its own)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from sinergi.sharing import rules
from sinergi.sharing.sections import ATTACHMENTS

if TYPE_CHECKING:
    from sinergi.accounts.models import User
    from sinergi.cases.models import Attachment
    from sinergi.referrals.models import Referral
    from sinergi.registry.models import Person


def take_in_referral_for(user: User, person: Person) -> Referral | None:
    """For a person another agency shares with the user: the open referral the user may take them in from (a
    page that would record something on the person offers this instead of its form); None otherwise."""
    from sinergi.referrals.models import OPEN_REFERRAL_STATUSES, Referral

    if person.registered_by_agency_id == user.agency_id:
        return None
    referrals = Referral.objects.filter(
        person_id=person.pk, to_agency_id=user.agency_id, status__in=OPEN_REFERRAL_STATUSES
    ).select_related("case")
    return next((referral for referral in referrals if rules.may_take_in(user, referral)), None)


def own_person_for(user: User, person_pk: int, *, field: str = "person_id") -> Person:
    """The person, for a record the user's agency keeps of them (a case, an assistance, an enrolment, an
    outreach follow-up): 404 when the user may not see the person at all, and a refusal naming `field` when the
    person is another agency's, shown by a referral only. Such a record would outlive the referral and carry the
    person onward; the receiver takes the person into its own registry first (``sharing.services``)."""
    from django.utils.translation import gettext as _

    from sinergi.registry.selectors import get_person_for_user
    from sinergi.registry.services import InvalidData

    person = get_person_for_user(user, person_pk)
    if person.registered_by_agency_id != user.agency_id:
        raise InvalidData(
            {
                field: [
                    _(
                        "This person is in another agency's registry and shared with you by a referral only. "
                        "Take the person into your registry from the referral first, then record this on "
                        "your own record."
                    )
                ]
            }
        )
    return person


def get_attachment_for_user(user: User, case_pk: int, attachment_pk: int) -> Attachment:
    """The case's own agency; a receiver while an open referral from the case agency grants the attachments
    (the case agency's files only); else 404."""
    from sinergi.cases.models import Attachment
    from sinergi.referrals.models import RECEIVER_SEES_CASE, Referral

    attachment = Attachment.objects.select_related("case__person").filter(case_id=case_pk, pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    case = attachment.case
    if ATTACHMENTS in rules.case_sections_for(user, case):
        return attachment
    if attachment.agency_id == case.agency_id:
        referrals = Referral.objects.filter(
            case_id=case_pk, to_agency_id=user.agency_id, status__in=RECEIVER_SEES_CASE
        ).select_related("case__person")
        if any(ATTACHMENTS in rules.referral_sections_for(user, referral) for referral in referrals):
            return attachment
    raise Http404
