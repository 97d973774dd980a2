"""The change feed partner systems replay (one row per change of a person, served in cursor order), and the
Idempotency-Keys of batch pushes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChangeOp(models.TextChoices):
    CREATED = "created", _("created")
    UPDATED = "updated", _("updated")
    # The person was merged into another (`merged_into`); a replica drops it and keeps the survivor.
    MERGED = "merged", _("merged")
    # An unmerge brought a merged person back.
    RESTORED = "restored", _("restored")
    DELETED = "deleted", _("deleted")


class ChangeEvent(models.Model):
    """One change of a person. ``cursor`` is what the feed pages by; it is given after the event committed
    (see ``feed.seal_events``), so ``since=<cursor>`` returns every later change exactly once."""

    person_id = models.BigIntegerField(db_index=True)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    op = models.CharField(max_length=10, choices=ChangeOp.choices)
    # The person's full state after the change (see feed.person_snapshot); empty for deletions.
    snapshot = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)
    # Null until sealed: a feed reader numbers committed events in id order under the FeedSequence lock.
    cursor = models.BigIntegerField(null=True, blank=True, unique=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            # Sealing looks for the events still without a cursor.
            models.Index(fields=["id"], condition=models.Q(cursor__isnull=True), name="changeevent_unsealed"),
            models.Index(fields=["agency", "cursor"], name="changeevent_agency_cursor"),
        ]

    def __str__(self) -> str:
        return f"{self.cursor or '-'} {self.op} person {self.person_id}"


class FeedSequence(models.Model):
    """One row: the last cursor given. Its row lock serialises sealing, so cursors are handed out in the order
    events became visible and a reader can never pass over an event that commits later."""

    last_cursor = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last_cursor)


class IdempotencyKey(models.Model):
    """A batch push remembered by its `Idempotency-Key`: a retry with the same key and body gets the stored
    answer without running again. ``status_code`` is null while the first request still runs."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.ForeignKey("accounts.ApiToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    key = models.CharField(max_length=200)
    # SHA-256 of the request body: the same key with another body is refused, never answered with the old result.
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        # Unique per account: of two requests with the same key at the same moment, one inserts, one is told to wait.
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotencykey_unique_per_user")]

    def __str__(self) -> str:
        return self.key
