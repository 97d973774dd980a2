from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreachesConfig(AppConfig):
    name = "sinergi.breaches"
    verbose_name = _("Personal-data breaches")
