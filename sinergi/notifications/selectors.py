"""Reads of a user's notifications."""

from __future__ import annotations

from django.db.models import Count, Expression, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from sinergi.accounts.models import User
from sinergi.notifications.models import Notification

# Loaded with the request's user (sinergi/accounts/backends.py; registered in apps.py).
UNREAD_COUNT = "unread_notification_count"


def unread_count_expression() -> Expression:
    """The user's unread notifications as a sub-select on the user's `pk` (the partial index
    `notification_unread` answers it)."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(unread), Value(0))


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread: the figure loaded with the request's user, else counted.
    The services that mark notifications read drop the loaded figure, so it is never stale within a request."""
    loaded: int | None = getattr(user, UNREAD_COUNT, None)
    if loaded is not None:
        return loaded
    return user.notifications.filter(read_at__isnull=True).count()


def forget_unread_count(user: User) -> None:
    """After marking notifications read: the figure loaded with the request's user is counted again."""
    if hasattr(user, UNREAD_COUNT):
        delattr(user, UNREAD_COUNT)  # `request.user` is a lazy proxy: delattr reaches the user
