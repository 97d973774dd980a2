"""Admin for the joint SOP and the holiday calendar.

Day-to-day SOP changes go through the SOP editor (/sop/), which versions them and writes the audit trail;
the admin only shows versions (a joint SOP changes only with every party's approval).
"""

from django.contrib import admin
from django.http import HttpRequest

from sinergi.sop.models import Holiday, SopDocument, SopRoute


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin[Holiday]):
    list_display = ["date", "name"]
    date_hierarchy = "date"
    search_fields = ["name"]


class SopRouteInline(admin.StackedInline[SopRoute, SopDocument]):
    model = SopRoute
    extra = 0
    autocomplete_fields = ["category"]
    filter_horizontal = ["services"]

    # Routes decide what travels between agencies: they change only in a draft, through the SOP editor,
    # by the parties (sop/services.py), never here.
    def has_add_permission(self, request: HttpRequest, obj: SopDocument | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SopDocument | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SopDocument | None = None) -> bool:
        return False


@admin.register(SopDocument)
class SopDocumentAdmin(admin.ModelAdmin[SopDocument]):
    list_display = ["title", "version", "status", "effective_from", "effective_to"]
    list_filter = ["status"]
    search_fields = ["title", "version"]
    filter_horizontal = ["signatories"]
    inlines = [SopRouteInline]

    # The joint SOP is joint: drafting, approving by each party's supervisor, putting in force and retiring
    # go through the SOP editor (sop/services.py); the admin shows versions and changes nothing.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SopDocument | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: SopDocument | None = None) -> bool:
        return False
