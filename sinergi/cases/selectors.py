"""Reads of cases. A case's full record is visible to its own agency only; other agencies see the
parts a referral shares, through the referral (sinergi.referrals.selectors)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.cases.models import Attachment, Case, CaseStatus


def cases_visible_to(user: User) -> QuerySet[Case]:
    if not user.is_authenticated or not user.has_capability(Capability.VIEW_CASES):
        return Case.objects.none()
    return Case.objects.filter(agency_id=user.agency_pk)


def get_case_for_user(user: User, pk: int, *, write: bool = False) -> Case:
    queryset = cases_visible_to(user).select_related("person", "agency", "assigned_to")
    if write:
        if not user.has_capability(Capability.MANAGE_CASES):
            # Someone who may read the case (an auditor) is told it is their role; others still get 404.
            if queryset.filter(pk=pk).exists():
                raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))
            raise Http404
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_attachment_for_user(user: User, case_pk: int, attachment_pk: int) -> Attachment:
    """The attachment if the sharing rule lets `user` read it, else 404 (``sinergi.sharing.selectors``)."""
    from sinergi.sharing.selectors import get_attachment_for_user as shared_attachment

    return shared_attachment(user, case_pk, attachment_pk)


def overdue_case_ids(case_ids: Iterable[int]) -> set[int]:
    """Of these cases (a list's page), those with a referral step past its deadline: one query for the page.
    Asked for the page's ids, not as an EXISTS per row in the list query, where PostgreSQL hashed every late
    deadline of every agency (a sequential scan of all referrals) before returning the first row."""
    from django.utils import timezone

    from sinergi.referrals.models import Deadline

    ids = list(case_ids)
    if not ids:
        return set()
    late = Deadline.objects.filter(
        referral__case_id__in=ids, met_at__isnull=True, cancelled_at__isnull=True, due_at__lt=timezone.now()
    )
    return set(late.values_list("referral__case_id", flat=True))


@dataclass(frozen=True)
class CaseFilter:
    status: str = ""
    category: str = ""
    regency: str = ""
    destination: str = ""
    overdue: bool = False
    received_from: date | None = None
    received_to: date | None = None


def filter_cases(user: User, flt: CaseFilter) -> QuerySet[Case]:
    from sinergi.referrals.models import Deadline

    queryset = cases_visible_to(user)
    if flt.status == "open":
        queryset = queryset.exclude(status__in=[CaseStatus.DONE, CaseStatus.CLOSED])
    elif flt.status:
        queryset = queryset.filter(status=flt.status)
    if flt.category:
        # EXISTS, not a join: a join repeats a case per category and needed a DISTINCT, which made the database
        # sort every matching case before it could return the first page.
        in_category = Case.categories.through.objects.filter(
            case_id=OuterRef("pk"), complaintcategory__code=flt.category
        )
        queryset = queryset.filter(Exists(in_category))
    if flt.regency:
        queryset = queryset.filter(
            Q(person__region__code=flt.regency) | Q(person__region__code__startswith=flt.regency + ".")
        )
    if flt.destination:
        queryset = queryset.filter(destination_country=flt.destination)
    if flt.received_from:
        queryset = queryset.filter(received_at__date__gte=flt.received_from)
    if flt.received_to:
        queryset = queryset.filter(received_at__date__lte=flt.received_to)
    if flt.overdue:
        from django.utils import timezone

        running_late = Deadline.objects.filter(
            referral__case=OuterRef("pk"), met_at__isnull=True, cancelled_at__isnull=True, due_at__lt=timezone.now()
        )
        queryset = queryset.filter(Exists(running_late))
    return queryset
