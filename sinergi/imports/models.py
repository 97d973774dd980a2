"""An uploaded export file, its dry-run preview row by row, and its application as a background task."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    MAPPING = "MAPPING", _("Choose the columns")
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
    # The file's header and its first rows as text, for the mapping step.
    columns = models.JSONField(default=list, blank=True)
    samples = models.JSONField(default=list, blank=True)
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
    # The uploader's language: the background task writes row messages in it.
    language = models.CharField(max_length=10, default="id")
    # Which run may work on the batch now: a resume gives a new token, and a run whose token is no longer the
    # batch's stops at its next chunk (so a stalled worker that wakes up cannot work alongside the new one).
    run_token = models.CharField(max_length=32, blank=True)
    # The task backend's id of the current run's task, to ask whether it is still running.
    task_id = models.CharField(max_length=64, blank=True)
    # Set at the start of a run and after each chunk: a run silent for long has died (see services).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

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
    # How a LINK was decided: "nik" or "model".
    linked_by = models.CharField(max_length=10, blank=True)
    # Problems that did not stop the row (a NIK's ".0" removed), same shape as errors.
    warnings = models.JSONField(default=list, blank=True)
    # For UPDATE: {"field": [before, after]}.
    changes = models.JSONField(default=dict, blank=True)
    # For CREATE: [{"person_id", "probability", "weights"}] to review once the person exists.
    candidates = models.JSONField(default=list, blank=True)
    # The hashes of the row's normalised and raw values (see SourceRecord): an unchanged row is applied by
    # comparing them with its source record's, without reading the values back.
    content_hash = models.CharField(max_length=64, blank=True, default="")
    raw_hash = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="importrow_unique_row")]
        indexes = [
            models.Index(fields=["batch", "applied", "row_number"], name="importrow_pending"),
            models.Index(fields=["batch", "action", "row_number"], name="importrow_by_action"),
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.row_number}"
