from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "sinergi.cases"
    verbose_name = _("Protection cases")
