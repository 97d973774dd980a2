"""Reads of data-subject requests: the agency's own, for those who receive or answer them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from sinergi.accounts.roles import Capability
from sinergi.privacy.models import OPEN_REQUEST_STATUSES, Restriction, SubjectRequest

if TYPE_CHECKING:
    from sinergi.accounts.models import User


def may_receive(user: User) -> bool:
    """Staff at the desk log a request (anyone who edits persons); the head or administrator answers it."""
    return bool(
        user.is_authenticated
        and user.is_active
        and (user.has_capability(Capability.ANSWER_SUBJECT_REQUESTS) or user.has_capability(Capability.EDIT_PERSONS))
    )


def requests_visible_to(user: User) -> QuerySet[SubjectRequest]:
    if not may_receive(user):
        return SubjectRequest.objects.none()
    return SubjectRequest.objects.filter(agency_id=user.agency_pk)


def get_request_for_user(user: User, pk: int, *, write: bool = False) -> SubjectRequest:
    queryset = requests_visible_to(user).select_related("person", "agency", "answered_by", "received_by")
    if write:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (SubjectRequest.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


@dataclass(frozen=True)
class RequestFilter:
    status: str = ""  # "open" (default on the page), a RequestStatus value, or "" for all
    kind: str = ""
    overdue: bool = False
    person_id: int | None = None


def filter_requests(user: User, flt: RequestFilter) -> QuerySet[SubjectRequest]:
    queryset = requests_visible_to(user)
    if flt.status == "open":
        queryset = queryset.filter(status__in=OPEN_REQUEST_STATUSES)
    elif flt.status:
        queryset = queryset.filter(status=flt.status)
    if flt.kind:
        queryset = queryset.filter(kind=flt.kind)
    if flt.overdue:
        queryset = queryset.filter(status__in=OPEN_REQUEST_STATUSES, due_at__lt=timezone.now())
    if flt.person_id is not None:
        queryset = queryset.filter(person_id=flt.person_id)
    return queryset.select_related("person").order_by("due_at", "id")


def open_requests_for(user: User) -> QuerySet[SubjectRequest]:
    """The inbox: open requests with their clocks, nearest deadline first (for those who answer them)."""
    if not user.has_capability(Capability.ANSWER_SUBJECT_REQUESTS):
        return SubjectRequest.objects.none()
    return filter_requests(user, RequestFilter(status="open"))


def active_restriction(person_id: int) -> Restriction | None:
    from sinergi.sharing.rules import restricted_person_ids

    if not restricted_person_ids().filter(person_id=person_id).exists():
        return None
    return Restriction.objects.filter(person_id=person_id, lifted_at__isnull=True).first()
