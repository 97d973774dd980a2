from django.http import HttpRequest

from sinergi.accounts.models import User
from sinergi.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, object]:
    """The menu's unread badge."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {"unread_notifications": unread_count(user)}
