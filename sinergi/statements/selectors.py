"""Reads of fact sheets and statements.

A case's fact sheet and its statements are visible to the agencies involved in the case: the case's own agency
and the agencies a referral of the case went to (`sharing.rules.cases_involving`, the one sharing rule). Anyone
else, and a case that does not exist, get the same 404. Published versions are public (`published_statement`).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from sinergi.accounts.models import User
from sinergi.cases.models import Case
from sinergi.sharing.rules import cases_involving
from sinergi.statements.models import Statement, StatementVersion, VersionStatus


def involved_cases_for(user: User) -> QuerySet[Case]:
    return cases_involving(user)


def get_involved_case(user: User, pk: int) -> Case:
    try:
        return involved_cases_for(user).select_related("person__region", "agency").get(pk=pk)
    except (Case.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def statements_visible_to(user: User) -> QuerySet[Statement]:
    return Statement.objects.filter(case__in=involved_cases_for(user))


def get_statement_for_user(user: User, pk: int) -> Statement:
    try:
        return statements_visible_to(user).select_related("case__person", "drafting_agency").get(pk=pk)
    except (Statement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_version_for_user(user: User, pk: int, *, write: bool = False) -> StatementVersion:
    queryset = StatementVersion.objects.filter(statement__in=statements_visible_to(user)).select_related(
        "statement__case__person", "statement__drafting_agency", "created_by", "edited_by"
    )
    if write:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (StatementVersion.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def current_draft(statement: Statement) -> StatementVersion | None:
    return statement.versions.filter(status=VersionStatus.DRAFT).first()


def public_versions(public_id: str) -> list[StatementVersion]:
    """The published version and the superseded ones, newest first; drafts are never public. 404 when none."""
    versions = list(
        StatementVersion.objects.filter(
            statement__public_id=public_id, status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED]
        )
        .select_related("statement__drafting_agency")
        .prefetch_related("approvals__agency")
        .order_by("-number")
    )
    if not versions:
        raise Http404
    return versions


def version_by_code(code: str) -> StatementVersion | None:
    """A public version by its verification code (case and separators do not matter)."""
    cleaned = "".join(ch for ch in code.upper() if ch.isalnum())
    if len(cleaned) != 8:
        return None
    formatted = f"{cleaned[:4]}-{cleaned[4:]}"
    return (
        StatementVersion.objects.filter(code=formatted, status__in=[VersionStatus.PUBLISHED, VersionStatus.SUPERSEDED])
        .select_related("statement")
        .first()
    )
