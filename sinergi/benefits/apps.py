from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenefitsConfig(AppConfig):
    name = "sinergi.benefits"
    verbose_name = _("Assistance given (penyaluran)")
