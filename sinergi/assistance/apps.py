from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "sinergi.assistance"
    verbose_name = _("Special assistance list")
