from django.contrib import admin

from sinergi.benefits.models import AssistanceType, Budget


@admin.register(AssistanceType)
class AssistanceTypeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "code", "agency", "atensi_component", "default_amount", "is_active")
    list_filter = ("agency", "is_active")


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("assistance_type", "period_start", "period_end", "amount")
    list_filter = ("assistance_type__agency",)
