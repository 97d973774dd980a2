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
    VIEW_CASES = "view_cases"
    MANAGE_CASES = "manage_cases"
    CLOSE_CASES = "close_cases"
    SEND_REFERRALS = "send_referrals"
    HANDLE_REFERRALS = "handle_referrals"
    OVERRIDE_CONSENT = "override_consent"
    VIEW_KPIS = "view_kpis"
    EDIT_SOP = "edit_sop"
    APPROVE_SOP = "approve_sop"
    IMPORT_DATA = "import_data"
    REVIEW_MATCHES = "review_matches"
    VIEW_ASSISTANCE_LIST = "view_assistance_list"
    PROPOSE_ASSISTANCE = "propose_assistance"
    AGREE_ASSISTANCE = "agree_assistance"
    EDIT_INSTRUMENT = "edit_instrument"
    MANAGE_ASSISTANCE_TYPES = "manage_assistance_types"
    ANSWER_SUBJECT_REQUESTS = "answer_subject_requests"
    VIEW_BREACHES = "view_breaches"
    MANAGE_BREACHES = "manage_breaches"


_ALL_WORKERS = {Role.PETUGAS, Role.PEKERJA_SOSIAL, Role.PENYULUH_SOSIAL, Role.SUPERVISOR, Role.OPERATOR_DATA}

CAPABILITIES: dict[Capability, frozenset[Role]] = {
    Capability.VIEW_PERSONS: frozenset(_ALL_WORKERS | {Role.ADMIN, Role.AUDITOR}),
    Capability.EDIT_PERSONS: frozenset(_ALL_WORKERS),
    Capability.VIEW_AUDIT_LOG: frozenset({Role.AUDITOR, Role.SUPERVISOR, Role.ADMIN}),
    Capability.MANAGE_AGENCY: frozenset({Role.ADMIN}),
    Capability.VIEW_CASES: frozenset(_ALL_WORKERS | {Role.ADMIN, Role.AUDITOR}),
    Capability.MANAGE_CASES: frozenset({Role.PETUGAS, Role.PEKERJA_SOSIAL, Role.SUPERVISOR}),
    Capability.CLOSE_CASES: frozenset({Role.PETUGAS, Role.SUPERVISOR}),
    Capability.SEND_REFERRALS: frozenset({Role.PETUGAS, Role.PEKERJA_SOSIAL, Role.SUPERVISOR}),
    Capability.HANDLE_REFERRALS: frozenset({Role.PETUGAS, Role.PEKERJA_SOSIAL, Role.SUPERVISOR}),
    # Sending without consent on a lawful basis is a supervisor's decision (UU PDP), and it is audited.
    Capability.OVERRIDE_CONSENT: frozenset({Role.SUPERVISOR}),
    Capability.VIEW_KPIS: frozenset({Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR}),
    Capability.EDIT_SOP: frozenset({Role.ADMIN}),
    # A version of the joint SOP comes into force only when a supervisor of each party approved it.
    Capability.APPROVE_SOP: frozenset({Role.SUPERVISOR}),
    # Data synchronisation: the data officer imports, reviews candidate pairs, merges and verifies fields.
    Capability.IMPORT_DATA: frozenset({Role.OPERATOR_DATA, Role.SUPERVISOR}),
    Capability.REVIEW_MATCHES: frozenset({Role.OPERATOR_DATA, Role.SUPERVISOR}),
    # The special-assistance list: workers propose from their cases, supervisors of both agencies agree.
    Capability.VIEW_ASSISTANCE_LIST: frozenset(_ALL_WORKERS | {Role.ADMIN, Role.AUDITOR}),
    Capability.PROPOSE_ASSISTANCE: frozenset({Role.PETUGAS, Role.PEKERJA_SOSIAL, Role.SUPERVISOR}),
    Capability.AGREE_ASSISTANCE: frozenset({Role.SUPERVISOR}),
    # The assessment instrument and the assistance types are configuration an agency administrator edits in the
    # app; a supervisor also sets assistance types and budgets (as before the in-app editor).
    Capability.EDIT_INSTRUMENT: frozenset({Role.ADMIN}),
    Capability.MANAGE_ASSISTANCE_TYPES: frozenset({Role.ADMIN, Role.SUPERVISOR}),
    # A person's request to see everything the agency holds about them (UU PDP) is answered by the head of the
    # agency or its administrator, who check who is asking before handing the export over.
    Capability.ANSWER_SUBJECT_REQUESTS: frozenset({Role.SUPERVISOR, Role.ADMIN}),
    # The personal-data breach register (UU PDP Pasal 46): anyone may report a suspected breach of their agency;
    # the head or the administrator assesses it and notifies; auditors read the register.
    Capability.VIEW_BREACHES: frozenset({Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR}),
    Capability.MANAGE_BREACHES: frozenset({Role.SUPERVISOR, Role.ADMIN}),
}
