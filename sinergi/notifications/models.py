from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    REFERRAL_NEW = "RUJUKAN_BARU", _("New referral")
    REFERRAL_ACCEPTED = "RUJUKAN_DITERIMA", _("Referral accepted")
    REFERRAL_REJECTED = "RUJUKAN_DITOLAK", _("Referral rejected")
    REFERRAL_COMPLETED = "RUJUKAN_SELESAI", _("Referral completed")
    REFERRAL_FAILED = "RUJUKAN_GAGAL", _("Referral failed")
    REFERRAL_REVOKED = "RUJUKAN_DIBATALKAN", _("Referral revoked")
    OVERDUE = "TERLAMBAT", _("Overdue")
    TASK = "TUGAS", _("Task assigned")
    CONSENT_WITHDRAWN = "PERSETUJUAN_DICABUT", _("Consent withdrawn: sharing stopped")


class Notification(models.Model):
    """An in-app inbox item; `dedupe_key` makes "notify once" a database guarantee."""

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    title = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=120)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_once")]
        # The unread badge on every page counts these; a user's read notifications only grow.
        indexes = [
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread")
        ]

    def __str__(self) -> str:
        return self.title
