"""The instrument editor for an administrator: versions, domains, questions and recommendation rules.

A version in force or retired is read-only (assessments were made with it); "Copy as a new draft version"
makes an editable copy, "Put in force" makes a draft the version new assessments use.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sinergi.assessments.instrument import activate_version, copy_version
from sinergi.assessments.models import Domain, InstrumentVersion, Question, RecommendationRule, VersionStatus


def _editable(obj: Any) -> bool:
    version = obj if isinstance(obj, InstrumentVersion) else getattr(obj, "version", None)
    if version is None and isinstance(obj, Question):
        version = obj.domain.version
    return version is None or version.status == VersionStatus.DRAFT


class DraftOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    """Rows of a version can change only while it is a draft."""

    extra = 0

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_delete_permission(request, obj)


class DomainInline(DraftOnlyInline):
    model = Domain
    fields = ("order", "code", "name", "sensitive", "help_text")


class RuleInline(DraftOnlyInline):
    model = RecommendationRule
    fields = ("order", "kind", "code", "label", "conditions", "reason")


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("number", "title", "status", "activated_at")
    inlines = [DomainInline, RuleInline]
    actions = ["copy_as_draft", "put_in_force"]
    readonly_fields = ("status", "activated_at")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    @admin.action(description=_("Copy as a new draft version"))
    def copy_as_draft(self, request: HttpRequest, queryset: QuerySet[InstrumentVersion]) -> None:
        for version in queryset:
            copy = copy_version(version)
            messages.success(request, _("Draft version %(n)s created.") % {"n": copy.number})

    @admin.action(description=_("Put in force"))
    def put_in_force(self, request: HttpRequest, queryset: QuerySet[InstrumentVersion]) -> None:
        if queryset.count() != 1:
            messages.error(request, _("Choose exactly one version."))
            return
        activate_version(queryset.get())
        messages.success(request, _("The version is in force; the previous one is retired."))


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "label", "kind", "domain", "required", "scored")
    list_filter = ("domain__version", "kind")
    search_fields = ("code", "label")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_delete_permission(request, obj)
