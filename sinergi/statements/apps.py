from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatementsConfig(AppConfig):
    name = "sinergi.statements"
    verbose_name = _("Fact sheets and joint statements")
