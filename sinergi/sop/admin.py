"""Admin for the joint SOP and the holiday calendar.

Day-to-day SOP changes go through the SOP editor (/sop/), which versions them and writes the audit trail;
the admin is for corrections by the platform administrator (Django's admin log records them).
"""

from django.contrib import admin

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


@admin.register(SopDocument)
class SopDocumentAdmin(admin.ModelAdmin[SopDocument]):
    list_display = ["title", "version", "status", "effective_from", "effective_to"]
    list_filter = ["status"]
    search_fields = ["title", "version"]
    filter_horizontal = ["signatories"]
    inlines = [SopRouteInline]
    # Putting a version in force or retiring it goes through the SOP editor (sop/services.py: audited,
    # and it ends the previous version); the admin only corrects texts.
    readonly_fields = ["status", "effective_from", "effective_to"]
