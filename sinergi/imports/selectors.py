"""Reads of imports: a batch and its rows hold the file's personal data, so only the agency's data officers
(Capability.IMPORT_DATA) see them. Another agency's batch answers 404, like one that does not exist."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.imports.models import ImportBatch


def batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    if not user.is_authenticated or not user.has_capability(Capability.IMPORT_DATA):
        return ImportBatch.objects.none()
    return ImportBatch.objects.filter(agency_id=user.agency_pk)


def get_batch_for_user(user: User, pk: int, *, for_update: bool = False) -> ImportBatch:
    queryset = batches_visible_to(user).select_related("source", "created_by", "applied_by")
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
