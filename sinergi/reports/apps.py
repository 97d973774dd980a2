from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "sinergi.reports"
    verbose_name = _("Dashboards, map and reports")
