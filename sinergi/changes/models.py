"""The change feed partner systems replay: one row per change of a person, in commit order."""

from __future__ import annotations

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
    """``id`` is the cursor: strictly increasing, so ``since=<id>`` returns every later change once."""

    person_id = models.BigIntegerField(db_index=True)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    op = models.CharField(max_length=10, choices=ChangeOp.choices)
    # The person's full state after the change (see changes.snapshot); empty for deletions.
    snapshot = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")

    def __str__(self) -> str:
        return f"{self.id} {self.op} person {self.person_id}"
