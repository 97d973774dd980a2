"""The personal-data breach register (UU 27/2022 Pasal 46): a suspected breach of one agency, its assessment,
and the written notices to the data subjects and to the authority (lembaga PDP) within 3×24 hours.

Every change goes through `breaches.services`; reads through `breaches.selectors`; the clock is `breaches.clock`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class BreachStatus(models.TextChoices):
    SUSPECTED = "DIDUGA", _("Suspected")
    CONFIRMED = "TERKONFIRMASI", _("Confirmed")
    DISMISSED = "BUKAN_KEGAGALAN", _("Dismissed: not a breach")
    CLOSED = "SELESAI", _("Closed, notices sent")


# The clock runs while the breach is suspected or confirmed and a notice is still owed.
OPEN_BREACH_STATUSES = (BreachStatus.SUSPECTED, BreachStatus.CONFIRMED)


class DataCategory(models.TextChoices):
    IDENTITY = "IDENTITAS", _("Identity (name, birth date, address)")
    IDENTITY_NUMBERS = "NOMOR_IDENTITAS", _("Identity numbers (NIK, KK, passport)")
    CONTACT = "KONTAK", _("Contact details (phone, e-mail)")
    HEALTH = "KESEHATAN", _("Health and psychosocial data")
    TRAFFICKING = "TPPO", _("Trafficking-victim status")
    SEXUAL_VIOLENCE = "KEKERASAN_SEKSUAL", _("Accounts of sexual violence")
    CHILDREN = "ANAK", _("Children's data")
    FINANCES = "KEUANGAN", _("Finances (wages, assistance, bank accounts)")
    BIOMETRIC = "BIOMETRIK", _("Biometric data (photos, fingerprints)")
    WORK_ABROAD = "PEKERJAAN", _("Work abroad and migration history")
    CASE_RECORDS = "KASUS", _("Case records and referrals")
    OTHER = "LAINNYA", _("Other")


# Specific personal data (UU 27/2022 Pasal 4 ayat 2) and what UU 21/2007 Pasal 44 keeps confidential: the
# report names them first, as they weigh most in the authority's judgement.
SPECIFIC_CATEGORIES = frozenset(
    {
        DataCategory.HEALTH,
        DataCategory.TRAFFICKING,
        DataCategory.SEXUAL_VIOLENCE,
        DataCategory.CHILDREN,
        DataCategory.FINANCES,
        DataCategory.BIOMETRIC,
    }
)


class NoticeRecipient(models.TextChoices):
    SUBJECTS = "SUBJEK", _("Data subjects")
    AUTHORITY = "LEMBAGA", _("Authority (lembaga PDP)")


class Breach(models.Model):
    """One suspected breach. `notify_by` = `discovered_at` + 72 calendar hours, both stored in UTC."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="breaches")
    status = models.CharField(
        _("status"), max_length=16, choices=BreachStatus.choices, default=BreachStatus.SUSPECTED, db_index=True
    )
    description = models.TextField(_("what happened"))
    how_found = models.TextField(_("how it was found"))
    discovered_at = models.DateTimeField(_("discovered at"))
    occurred_at = models.DateTimeField(_("happened at"), null=True, blank=True)
    notify_by = models.DateTimeField(_("notify by"), db_index=True)
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)

    # The head's assessment.
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assessed_at = models.DateTimeField(null=True, blank=True)
    dismissal_reason = models.TextField(_("why it is not a breach"), blank=True)
    data_categories = models.JSONField(_("personal data involved"), default=list, blank=True)
    persons_affected = models.PositiveIntegerField(_("persons affected (approximately)"), null=True, blank=True)
    affected_persons = models.ManyToManyField(
        "registry.Person", verbose_name=_("registry persons affected"), blank=True, related_name="+"
    )
    cause = models.TextField(_("cause"), blank=True)
    containment = models.TextField(_("containment"), blank=True)
    recovery = models.TextField(_("recovery"), blank=True)
    partner_agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("partner agency whose shared data was involved"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # The notices Pasal 46 requires; each is recorded once (history keeps any correction made by an admin).
    subjects_notified_at = models.DateTimeField(_("data subjects notified at"), null=True, blank=True)
    subjects_notified_how = models.CharField(_("how the data subjects were notified"), max_length=300, blank=True)
    subjects_notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    authority_notified_at = models.DateTimeField(_("authority notified at"), null=True, blank=True)
    authority_notified_how = models.CharField(_("how the authority was notified"), max_length=300, blank=True)
    authority_notified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    # The clock's escalations so far (breaches.clock.Level); raised only by a conditional UPDATE.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["escalation_level", "escalated_at"])

    class Meta:
        verbose_name = _("personal-data breach")
        verbose_name_plural = _("personal-data breaches")
        ordering = ["-discovered_at", "-id"]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"KDP-{timezone.localtime(self.reported_at):%Y}-{self.pk:04d}"

    @property
    def fully_notified(self) -> bool:
        return self.subjects_notified_at is not None and self.authority_notified_at is not None

    @property
    def clock_running(self) -> bool:
        return self.status in OPEN_BREACH_STATUSES and not self.fully_notified

    def category_labels(self) -> list[str]:
        labels = dict(DataCategory.choices)
        return [str(labels.get(code, code)) for code in self.data_categories]
