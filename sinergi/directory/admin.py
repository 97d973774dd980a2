from django.contrib import admin

from sinergi.directory.models import Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin[Service]):
    list_display = ["name", "agency", "category", "is_active"]
    list_filter = ["category", "is_active", "agency"]
    search_fields = ["name", "code", "agency__name"]
    list_select_related = ["agency"]
    autocomplete_fields = ["agency", "region"]
    prepopulated_fields = {"code": ["name"]}
