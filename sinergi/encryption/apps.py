from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EncryptionConfig(AppConfig):
    name = "sinergi.encryption"
    verbose_name = _("Field encryption")

    def ready(self) -> None:
        from sinergi.encryption import checks  # noqa: F401  (registers the deploy check)
