from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "sinergi.privacy"
    verbose_name = _("Personal data protection")

    def ready(self) -> None:
        from sinergi.privacy.person_panels import privacy_panel
        from sinergi.registry.panels import register_person_panel

        register_person_panel(privacy_panel)
