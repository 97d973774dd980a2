"""Where person data comes from: an agency's export file or a partner system, and each record it sent.

A ``SourceRecord`` is one source's version of one person (the row of a Sisko P2MI export, a record pushed
by SIKS-NG). It keeps the values as that source stated them, with their provenance (source, file, row,
imported at), and points at the registry person it was linked to. The golden record of a person is built
from its own row and every source record linked to it; nothing a source said is ever overwritten by
another source.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SourceKind(models.TextChoices):
    FILE = "FILE", _("File export (CSV/XLSX)")
    SYSTEM = "SYSTEM", _("Partner system (API)")


class DataSource(models.Model):
    """A named origin of person records for one agency, e.g. "Ekspor Sisko P2MI", with its column mapping."""

    agency = models.ForeignKey("accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=6, choices=SourceKind.choices, default=SourceKind.FILE)
    # Standard field (sinergi.linkage.FIELDS) -> column name in the file.
    column_mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="datasource_unique_name")]

    def __str__(self) -> str:
        return self.name


class SourceRecord(models.Model):
    """One source's record of one person: its values as sent, where they came from, and the linked person."""

    source = models.ForeignKey(DataSource, verbose_name=_("source"), on_delete=models.PROTECT, related_name="records")
    # The record's id in its source system (or the row number when the file has no id column).
    external_id = models.CharField(_("id in source"), max_length=100)
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="source_records"
    )
    # Standard field -> value as normalised by the identity core (dates ISO, NIK 16 digits, phone E.164).
    values = models.JSONField(_("values"), default=dict)
    # SHA-256 of the normalised values: a re-import of the same row is recognised as unchanged.
    content_hash = models.CharField(max_length=64)
    # SHA-256 of the raw values these came from (``normalisation.raw_hash``; empty where not known): a re-import
    # whose row has the very same cells is unchanged without checking and normalising the row again.
    raw_hash = models.CharField(max_length=64, blank=True, default="")
    # Provenance of the current values: the file and row (imports) or the request (API pushes).
    file_name = models.CharField(_("file"), max_length=255, blank=True)
    row_number = models.PositiveIntegerField(_("row"), null=True, blank=True)
    import_batch = models.ForeignKey(
        "imports.ImportBatch",
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    first_seen_at = models.DateTimeField(_("first seen at"), default=timezone.now)
    # How this record came to be linked to its person: "new", "nik", "model", "review", "merge".
    linked_by = models.CharField(_("linked by"), max_length=10, default="new")
    link_probability = models.FloatField(_("match probability"), null=True, blank=True)

    class Meta:
        verbose_name = _("source record")
        verbose_name_plural = _("source records")
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="sourcerecord_unique_id")]

    def __str__(self) -> str:
        return f"{self.source} #{self.external_id}"
