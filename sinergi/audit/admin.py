from django.contrib import admin

from sinergi.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["at", "actor", "agency", "action", "object_type", "object_id", "via"]
    list_filter = ["action", "via", "agency"]
    search_fields = ["object_id", "summary", "actor__username"]
    date_hierarchy = "at"

    # The trail is append-only, also for administrators.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
