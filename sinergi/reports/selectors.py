"""Which cases and referrals a dashboard counts: its scope, always built from the existing selectors.

- agency: the cases of the user's agency (`cases_visible_to`) and the referrals it sees (`referrals_visible_to`);
- joint: the cases both the user's agency and a partner agency take part in (one owns it, the other received a
  referral of it), from `involved_cases_for`;
- public: every case, for the public statistics (aggregates only, suppressed; see suppression.py).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from sinergi.accounts.models import Agency, User
from sinergi.cases.models import Case
from sinergi.cases.selectors import cases_visible_to
from sinergi.referrals.models import Referral, ReferralStatus
from sinergi.referrals.selectors import referrals_visible_to
from sinergi.statements.selectors import involved_cases_for


def agency_cases(user: User) -> QuerySet[Case]:
    return cases_visible_to(user)


def agency_referrals(user: User) -> QuerySet[Referral]:
    return referrals_visible_to(user)


def partner_agencies(user: User) -> QuerySet[Agency]:
    """Agencies that share cases with the user's agency: a referral sent between them, either way."""
    shared = referrals_visible_to(user).exclude(status=ReferralStatus.DRAFT)
    ids = {pk for pair in shared.values_list("from_agency_id", "to_agency_id") for pk in pair}
    ids.discard(user.agency_id)
    return Agency.objects.filter(pk__in=ids).order_by("name")


def joint_cases(user: User, partner: Agency) -> QuerySet[Case]:
    both = Q(agency_id=user.agency_id, referrals__to_agency=partner) | Q(
        agency=partner, referrals__to_agency_id=user.agency_id
    )
    return (
        involved_cases_for(user)
        .filter(both)
        .exclude(referrals__status=ReferralStatus.DRAFT, referrals__to_agency__in=[partner.pk, user.agency_id])
        .distinct()
    )


def joint_referrals(user: User, partner: Agency) -> QuerySet[Referral]:
    return (
        referrals_visible_to(user)
        .exclude(status=ReferralStatus.DRAFT)
        .filter(
            Q(from_agency_id=user.agency_id, to_agency=partner) | Q(from_agency=partner, to_agency_id=user.agency_id)
        )
    )


def public_cases() -> QuerySet[Case]:
    """Every case; only ever counted, never listed (the public statistics and the public map)."""
    return Case.objects.all()


def cases_of_agency(agency: Agency) -> QuerySet[Case]:
    """The same rows `cases_visible_to` gives a user of `agency`: for the scheduled monthly report (no user)."""
    return Case.objects.filter(agency=agency)


def referrals_of_agency(agency: Agency) -> QuerySet[Referral]:
    """The same rows `referrals_visible_to` gives a user of `agency`."""
    return Referral.objects.filter(Q(from_agency=agency) | (Q(to_agency=agency) & ~Q(status=ReferralStatus.DRAFT)))
