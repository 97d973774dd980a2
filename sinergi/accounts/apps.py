from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "sinergi.accounts"
    verbose_name = _("Agencies and users")

    def ready(self) -> None:
        from sinergi import choice_labels
        from sinergi.accounts.backends import register_user_annotation
        from sinergi.accounts.mfa import HAS_TOTP, has_totp_expression

        register_user_annotation(HAS_TOTP, has_totp_expression)

        # Project-wide (every model's get_FOO_display), installed here because this is the first of our apps
        # to be ready; every model is loaded by then.
        choice_labels.install()
