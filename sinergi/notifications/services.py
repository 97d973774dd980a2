"""Notifications: an in-app inbox per user, plus email through Django's mailers (sent by the task worker)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.tasks import task
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.notifications.models import Notification
from sinergi.notifications.selectors import forget_unread_count


def notify(*, recipients: Iterable[User], kind: str, title: str, url: str, dedupe_key: str) -> list[Notification]:
    """Create one notification per recipient, at most once per `dedupe_key`; emails are queued after commit."""
    created = []
    for user in recipients:
        if not user.is_active:
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=user, kind=kind, title=title[:300], url=url, dedupe_key=dedupe_key[:120]
                )
        except IntegrityError:
            continue  # already notified: the unique constraint is the "once" guarantee
        created.append(notification)
        if user.email:
            transaction.on_commit(partial(send_notification_email.enqueue, notification.pk))
    return created


@task()
def send_notification_email(notification_id: int) -> None:
    """Runs in the task worker; claims the row first so a retried task never emails twice."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True).update(emailed_at=timezone.now())
    if not claimed:
        return
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    send_mail(
        subject=f"[Sinergi] {notification.title}",
        message=f"{notification.title}\n\n{settings.SITE_URL}{notification.url}\n",
        from_email=None,
        recipient_list=[notification.recipient.email],
    )


def mark_read(*, user: User, notification_id: int) -> None:
    Notification.objects.filter(pk=notification_id, recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    forget_unread_count(user)


def mark_all_read(*, user: User) -> int:
    marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    forget_unread_count(user)
    return marked
