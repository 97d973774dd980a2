from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "sinergi.matching"
    verbose_name = _("Record matching")
