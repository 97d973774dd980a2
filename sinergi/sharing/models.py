"""Facts the sharing rule records: a receiver taking a shared person into its own registry."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TakeInBasis(models.TextChoices):
    """UU PDP lawful bases for a receiver to keep its own record of a referred person."""

    CONSENT = "PERSETUJUAN", _("Consent of the person (or parent/guardian)")
    VITAL_INTEREST = "KEPENTINGAN_VITAL", _("Vital interest (life or safety)")
    LEGAL_OBLIGATION = "KEWAJIBAN_HUKUM", _("Legal obligation")
    PUBLIC_TASK = "TUGAS_PUBLIK", _("Public task")


class PersonTakeIn(models.Model):
    """The receiving agency's own record (`person`) made from what `referral` shared of `source_person`.

    It links the two records; it never widens what the receiver sees of the source record, which still
    follows the referral (and ends with it).
    """

    referral = models.ForeignKey(
        "referrals.Referral", verbose_name=_("referral"), on_delete=models.PROTECT, related_name="+"
    )
    source_person = models.ForeignKey(
        "registry.Person", verbose_name=_("referred person"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.OneToOneField(
        "registry.Person", verbose_name=_("own record"), on_delete=models.PROTECT, related_name="taken_in_from"
    )
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    sections = models.JSONField(_("sections copied"), default=list)
    basis = models.CharField(_("lawful basis"), max_length=18, choices=TakeInBasis.choices)
    basis_note = models.TextField(_("consent record or reason"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("person taken into the registry")
        verbose_name_plural = _("persons taken into the registry")
        constraints = [
            models.UniqueConstraint(fields=["agency", "source_person"], name="sharing_takein_once_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.source_person_id} → {self.person_id}"
