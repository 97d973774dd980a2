from django.contrib import admin

from sinergi.cases.models import ComplaintCategory


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(admin.ModelAdmin[ComplaintCategory]):
    """The complaint categories (KemenP2MI statistics); the joint SOP routes by them."""

    list_display = ["name", "code", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_en", "code"]
