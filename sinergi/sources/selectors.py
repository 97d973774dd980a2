"""Reads of data sources: an agency sees its own sources only."""

from __future__ import annotations

from django.db.models import QuerySet

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.sources.models import DataSource


def sources_for(user: User) -> QuerySet[DataSource]:
    """The user's agency's data sources (for data officers), for choosing where a file comes from."""
    if not user.is_authenticated or not user.has_capability(Capability.IMPORT_DATA):
        return DataSource.objects.none()
    return DataSource.objects.filter(agency_id=user.agency_pk).order_by("name")
