"""Roles inside an agency and what each may do.

A user holds one or more roles in their own agency. Code asks `has_capability(user, CAPABILITY)`
instead of naming roles, so a new role (or a changed SOP) touches this table only.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PETUGAS = "petugas", _("Case worker (petugas)")
    PEKERJA_SOSIAL = "pekerja_sosial", _("Social worker (pekerja sosial)")
    PENYULUH_SOSIAL = "penyuluh_sosial", _("Social counsellor (penyuluh sosial)")
    SUPERVISOR = "supervisor", _("Supervisor / head (kepala)")
    OPERATOR_DATA = "operator_data", _("Data officer (operator data)")
    ADMIN = "admin", _("Administrator")
    AUDITOR = "auditor", _("Auditor (read-only)")


class Capability(StrEnum):
    VIEW_PERSONS = "view_persons"
    EDIT_PERSONS = "edit_persons"
    VIEW_AUDIT_LOG = "view_audit_log"
    MANAGE_AGENCY = "manage_agency"


_ALL_WORKERS = {Role.PETUGAS, Role.PEKERJA_SOSIAL, Role.PENYULUH_SOSIAL, Role.SUPERVISOR, Role.OPERATOR_DATA}

CAPABILITIES: dict[Capability, frozenset[Role]] = {
    Capability.VIEW_PERSONS: frozenset(_ALL_WORKERS | {Role.ADMIN, Role.AUDITOR}),
    Capability.EDIT_PERSONS: frozenset(_ALL_WORKERS),
    Capability.VIEW_AUDIT_LOG: frozenset({Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN}),
    Capability.MANAGE_AGENCY: frozenset({Role.ADMIN}),
}
