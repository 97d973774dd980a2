from django.contrib import admin

from sinergi.statements.models import DesignatedOfficial


@admin.register(DesignatedOfficial)
class DesignatedOfficialAdmin(admin.ModelAdmin[DesignatedOfficial]):
    list_display = ("agency", "user")
    list_select_related = ("agency", "user")
