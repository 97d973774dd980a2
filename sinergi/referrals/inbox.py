"""The referral inbox's tabs as conditions on the referrals a user sees (`referrals_visible_to`), shared by
the inbox page and the home page, so the counts on both are the same rule."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import DateTimeField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.lookups import LessThan
from django.utils.translation import pgettext_lazy

from sinergi.accounts.models import User
from sinergi.referrals.models import OPEN_REFERRAL_STATUSES, Deadline, Referral, ReferralStatus
from sinergi.referrals.selectors import referrals_visible_to, shared_sections_for
from sinergi.registry.models import Person
from sinergi.sharing.models import PersonTakeIn
from sinergi.sharing.pseudonyms import listed_name
from sinergi.sop.models import SharedSection

R = ReferralStatus
# A context keeps the tab names apart from the statuses of the same English words ("Sent": Terkirim, not Dikirim).
INBOX_TABS = (
    ("menunggu", pgettext_lazy("referral inbox tab", "Awaiting action")),
    ("terlambat", pgettext_lazy("referral inbox tab", "Overdue")),
    ("milik-saya", pgettext_lazy("referral inbox tab", "Mine")),
    ("terkirim", pgettext_lazy("referral inbox tab", "Sent")),
    ("semua", pgettext_lazy("referral inbox tab", "All")),
)
SENT_OPEN = [s for s in OPEN_REFERRAL_STATUSES if s != R.DRAFT]
DIRECTIONS = (
    ("masuk", pgettext_lazy("referral direction", "Received")),
    ("keluar", pgettext_lazy("referral direction", "Sent")),
)


def running_deadlines(**filters: Any) -> QuerySet[Deadline]:
    return Deadline.objects.filter(met_at__isnull=True, cancelled_at__isnull=True, **filters)


def inbox_conditions(user: User, now: datetime) -> dict[str, Q]:
    """Each tab's condition; "semua" is every referral of the agency, closed ones included (the history)."""
    # "A running deadline has passed", asked as "its earliest running deadline has passed" (the same referrals): a
    # scalar sub-select PostgreSQL answers per referral from one entry of the index deadline_running, where the
    # EXISTS made it hash every agency's passed deadlines (50,000 at national scale) on every inbox page.
    earliest = running_deadlines(referral=OuterRef("pk")).order_by("due_at").values("due_at")[:1]
    overdue = LessThan(Subquery(earliest), Value(now, output_field=DateTimeField()))
    return {
        "menunggu": Q(to_agency_id=user.agency_id, status__in=[R.SENT, R.ACKNOWLEDGED]),
        # Only an open referral has a running clock (every closing step stops them); saying so lets the database
        # read the agency's open referrals by index instead of its whole history.
        "terlambat": Q(status__in=OPEN_REFERRAL_STATUSES) & Q(overdue),
        "milik-saya": (Q(assigned_to=user) | Q(created_by=user)) & Q(status__in=OPEN_REFERRAL_STATUSES),
        "terkirim": Q(from_agency_id=user.agency_id, status__in=SENT_OPEN),
        "semua": Q(),
    }


# A tab's count is exact up to this many referrals and "1.000+" beyond (docs/decisions.md, "The inbox counts up to
# a thousand"): an agency at national scale has 140,000 referrals, and counting them all cost 300–450 ms a page.
COUNT_CAP = 1000


def inbox_counts(user: User, conditions: dict[str, Q], keys: tuple[str, ...] | None = None) -> dict[str, int]:
    """How many referrals each tab (or each of `keys`) holds, exact up to COUNT_CAP; COUNT_CAP + 1 means "more"
    (`{% load inbox_counts %}{{ count|capped_count }}` shows it as "1.000+"). Each count stops at COUNT_CAP + 1
    rows (a LIMIT inside the COUNT), so a page never reads an agency's whole history to draw its tabs."""
    visible = referrals_visible_to(user)
    return {
        key: visible.filter(conditions[key]).order_by()[: COUNT_CAP + 1].count()
        for key in (keys if keys is not None else tuple(conditions))
    }


def history_filter(user: User, *, status: str = "", direction: str = "") -> Q:
    """The "semua" tab's filters: a status, and received by or sent from the user's agency."""
    condition = Q()
    if status in R.values:
        condition &= Q(status=status)
    if direction == "masuk":
        condition &= Q(to_agency_id=user.agency_id)
    elif direction == "keluar":
        condition &= Q(from_agency_id=user.agency_id)
    return condition


def taken_in_persons(user: User, referrals: Iterable[Referral]) -> dict[int, Person]:
    """For a list: the user's agency's own records of the persons of `referrals` it received and took in
    (`person_name_for`), by the sender's person id, in one query instead of one per row."""
    received = {referral.case.person_id for referral in referrals if referral.to_agency_id == user.agency_id}
    found: dict[int, Person] = {}
    if not received:
        return found
    take_ins = PersonTakeIn.objects.filter(agency_id=user.agency_pk, source_person_id__in=received)
    for take_in in take_ins.select_related("person").order_by("-pk"):
        found[take_in.source_person_id] = take_in.person  # the first one kept, as .first() reads it
    return found


def person_name_for(user: User, referral: Referral, taken_in: dict[int, Person] | None = None) -> str | None:
    """The person's name in a list row, or None when the user's agency may not know who it is.

    While the referral shares the identity section, the name comes from it. Once it closes, the receiver sees
    a name only through its own record: the one it made with "take into our registry" (sinergi/sharing),
    under a recorded lawful basis. A closed share never keeps showing the sender's data. A trafficking victim
    appears under a pseudonym (sinergi.sharing.pseudonyms).
    """
    if SharedSection.IDENTITY in shared_sections_for(user, referral):
        return listed_name(referral.case.person, referral.case)
    if referral.to_agency_id != user.agency_id:
        return None
    if taken_in is not None:
        person = taken_in.get(referral.case.person_id)
        return listed_name(person, referral.case) if person is not None else None
    own = (
        PersonTakeIn.objects.filter(agency_id=user.agency_id, source_person_id=referral.case.person_id)
        .select_related("person")
        .first()
    )
    return listed_name(own.person, referral.case) if own is not None else None
