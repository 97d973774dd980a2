from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.IntegerChoices):
    PROVINCE = 1, _("province")
    REGENCY = 2, _("regency/city")
    DISTRICT = 3, _("district (kecamatan)")
    VILLAGE = 4, _("village (desa/kelurahan)")


class Region(models.Model):
    """A Kemendagri administrative region; the dotted code is the key ("72", "72.71", "72.71.05", "72.71.05.1001").

    Codes are Kemendagri's, never BPS's: a NIK is decoded with these.
    """

    code = models.CharField(_("code"), max_length=13, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    level = models.PositiveSmallIntegerField(_("level"), choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, related_name="children", null=True, blank=True
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        indexes = [models.Index(fields=["parent", "name"], name="region_parent_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def ancestor_codes(self) -> list[str]:
        """Codes from the province down to this region: "72.71.05" -> ["72", "72.71", "72.71.05"]."""
        parts = self.code.split(".")
        return [".".join(parts[: i + 1]) for i in range(len(parts))]
