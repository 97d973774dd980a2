from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "sinergi.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from sinergi.accounts.backends import register_user_annotation
        from sinergi.notifications.selectors import UNREAD_COUNT, unread_count_expression

        # The menu's badge on every page: loaded with the request's user instead of one query more.
        register_user_annotation(UNREAD_COUNT, unread_count_expression)
