"""An uploaded export file, its dry-run preview row by row, and its application as a background task."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    ANALYSING = "ANALYSING", _("Checking the file")
    PREVIEW = "PREVIEW", _("Preview ready")
    FAILED = "FAILED", _("File refused")
    APPLYING = "APPLYING", _("Importing")
    DONE = "DONE", _("Imported")
    CANCELLED = "CANCELLED", _("Cancelled")


class RowAction(models.TextChoices):
    CREATE = "CREATE", _("New person")
    LINK = "LINK", _("Linked to an existing person")
    UPDATE = "UPDATE", _("Update")
    UNCHANGED = "UNCHANGED", _("Unchanged")
    ERROR = "ERROR", _("Error")


class ImportBatch(models.Model):
    source = models.ForeignKey("sources.DataSource", verbose_name=_("source"), on_delete=models.PROTECT)
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT)
    file_name = models.CharField(_("file"), max_length=255)
    # Stored outside the web root (MEDIA is not served); removed when the batch is done.
    stored_path = models.CharField(max_length=500, blank=True)
    file_sha256 = models.CharField(max_length=64)
    file_size = models.PositiveBigIntegerField(default=0)
    column_mapping = models.JSONField(_("column mapping"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=BatchStatus.choices, default=BatchStatus.ANALYSING)
    # File-level problem (unreadable, no name column...): shown instead of a preview.
    error = models.TextField(_("error"), blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    applied_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.file_name}"


class ImportRow(models.Model):
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    row_number = models.PositiveIntegerField(_("row"))
    external_id = models.CharField(max_length=100, blank=True)
    values = models.JSONField(default=dict)
    action = models.CharField(_("action"), max_length=10, choices=RowAction.choices)
    # [{"column": "...", "field": "...", "message": "..."}] in the uploader's language.
    errors = models.JSONField(default=list, blank=True)
    # Existing person this row updates or links to (or the candidate match found by the model).
    person = models.ForeignKey("registry.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    match_probability = models.FloatField(null=True, blank=True)
    applied = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="importrow_unique_row")]
        indexes = [models.Index(fields=["batch", "applied", "row_number"], name="importrow_pending")]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"
