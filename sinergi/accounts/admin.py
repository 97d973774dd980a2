from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Agency, AgencyUnit, User, UserRole


class AgencyUnitInline(admin.TabularInline[AgencyUnit, Agency]):
    model = AgencyUnit
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin[Agency]):
    list_display = ["code", "name", "kind", "region", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    autocomplete_fields = ["region"]
    inlines = [AgencyUnitInline]


class UserRoleInline(admin.TabularInline[UserRole, User]):
    model = UserRole
    extra = 1


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    list_display = ["username", "first_name", "last_name", "agency", "is_active"]
    list_filter = ["agency", "roles__role", "is_active"]
    list_select_related = ["agency"]
    inlines = [UserRoleInline]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("Agency"), {"fields": ("agency", "unit", "job_title", "phone")}),
    )


# The admin has no login of its own: /admin/login/ sends to the allauth login (password, then TOTP when the
# account has it), so two-factor login cannot be skipped there (issue 9, finding 3).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
