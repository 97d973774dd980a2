from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SopConfig(AppConfig):
    name = "sinergi.sop"
    verbose_name = _("Joint SOP")
