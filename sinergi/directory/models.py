"""Agencies' services, modelled after Open Referral HSDS (organization → service → location, eligibility, contact).

The HSDS organization is our `accounts.Agency`; a referral names the service it asks for.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ServiceCategory(models.TextChoices):
    ATENSI_A1 = "ATENSI_A1", _("ATENSI A1 basic needs (pemenuhan hidup layak)")
    ATENSI_A2 = "ATENSI_A2", _("ATENSI A2 social care (perawatan sosial/pengasuhan)")
    ATENSI_A3 = "ATENSI_A3", _("ATENSI A3 family support (dukungan keluarga)")
    ATENSI_A4 = "ATENSI_A4", _("ATENSI A4 therapy (physical, psychosocial, mental-spiritual)")
    ATENSI_A5 = "ATENSI_A5", _("ATENSI A5 vocational training and entrepreneurship")
    ATENSI_A6 = "ATENSI_A6", _("ATENSI A6 social assistance (bantuan/asistensi sosial)")
    ATENSI_A7 = "ATENSI_A7", _("ATENSI A7 accessibility support")
    REPATRIATION = "PEMULANGAN", _("Repatriation escort")
    SHELTER = "SHELTER", _("Shelter")
    LEGAL_AID = "BANTUAN_HUKUM", _("Legal aid")
    HEALTH = "KESEHATAN", _("Health referral")
    MEDIATION = "MEDIASI", _("Mediation")
    CLAIM = "KLAIM", _("Claim facilitation (insurance, wages)")
    OTHER = "LAINNYA", _("Other")


class Service(models.Model):
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="services"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=14, choices=ServiceCategory.choices)
    description = models.TextField(_("description"), blank=True)
    eligibility = models.TextField(_("who is eligible"), blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("location"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="service_code_unique_per_agency")]

    def __str__(self) -> str:
        return f"{self.name} — {self.agency}"
