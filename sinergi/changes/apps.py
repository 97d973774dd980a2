from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChangesConfig(AppConfig):
    name = "sinergi.changes"
    verbose_name = _("Change feed")
