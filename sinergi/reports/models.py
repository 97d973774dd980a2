"""Monthly reports (laporan bulanan) as generated files, kept so an agency downloads what the worker produced."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MonthlyReport(models.Model):
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    generated_at = models.DateTimeField(_("generated at"), default=timezone.now)
    xlsx = models.BinaryField()
    pdf = models.BinaryField()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "agency_id"]
        constraints = [models.UniqueConstraint(fields=["agency", "month"], name="monthly_report_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.month:%Y-%m}"
