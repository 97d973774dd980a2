from django.contrib import admin

from sinergi.regions.models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin[Region]):
    list_display = ["code", "name", "level"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    # Region rows come from the shipped Kemendagri data (`sinergi load_regions`), not from hand edits.
    readonly_fields = ["code", "name", "level", "parent"]
