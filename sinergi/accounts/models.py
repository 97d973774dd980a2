from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.roles import CAPABILITIES, Capability, Role

if TYPE_CHECKING:
    from collections.abc import Iterable


class AgencyKind(models.TextChoices):
    BP3MI = "BP3MI", _("BP3MI (KemenP2MI regional office)")
    SENTRA_KEMENSOS = "SENTRA", _("Sentra Kemensos")
    DINSOS_PROVINSI = "DINSOS_PROV", _("Dinas Sosial (province)")
    DINSOS_KABKOTA = "DINSOS_KAB", _("Dinas Sosial (regency/city)")
    DISNAKERTRANS = "DISNAKERTRANS", _("Disnakertrans")
    DP3A = "DP3A", _("DP3A / UPTD PPA")
    POLISI = "POLISI", _("Police (Polda/Polres)")
    IMIGRASI = "IMIGRASI", _("Immigration (Imigrasi)")
    PERWAKILAN = "PERWAKILAN", _("Embassy/consulate (KBRI/KJRI)")
    RUMAH_SAKIT = "RS", _("Hospital (rumah sakit)")
    LSM = "LSM", _("NGO (LSM)")
    PEMDES = "PEMDES", _("Village government (Pemerintah Desa)")
    LAINNYA = "LAINNYA", _("Other")


class Agency(models.Model):
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short code used in case numbers, e.g. BP3MI-SULTENG.")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=AgencyKind.choices)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgencyUnit(models.Model):
    """A work group inside an agency, e.g. Pokja TSKPO at Sentra Nipotowe."""

    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=200)
    code = models.SlugField(_("code"), max_length=40)

    class Meta:
        verbose_name = _("work unit")
        verbose_name_plural = _("work units")
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="unit_code_unique_per_agency")]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.code})"


class User(AbstractUser):
    # A staff account always belongs to one agency; only the platform superuser may have none.
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    unit = models.ForeignKey(
        AgencyUnit,
        verbose_name=_("work unit"),
        on_delete=models.SET_NULL,
        related_name="members",
        null=True,
        blank=True,
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    # A partner system's account (`sinergi token create --agency`): no usable password, acts only through its
    # API tokens, so it never logs into the pages.
    is_system_account = models.BooleanField(_("system account"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def agency_pk(self) -> int:
        """The agency id of a staff user. A user without an agency never passes a capability check, so code
        after such a check can rely on this; elsewhere it refuses instead of matching "no agency"."""
        if self.agency_id is None:
            raise PermissionDenied(_("Your account belongs to no agency. Ask an administrator to assign one."))
        return self.agency_id

    def role_set(self) -> frozenset[Role]:
        # Cached per instance: permission checks run several times a request.
        cached: frozenset[Role] | None = self.__dict__.get("_role_cache")
        if cached is None:
            cached = frozenset(Role(r) for r in self.roles.values_list("role", flat=True))
            self.__dict__["_role_cache"] = cached
        return cached

    def has_role(self, *roles: Role) -> bool:
        return bool(self.role_set() & set(roles))

    def has_capability(self, capability: Capability) -> bool:
        if not self.is_active or self.agency_id is None:
            return False
        return bool(self.role_set() & CAPABILITIES[capability])

    def set_roles(self, roles: Iterable[Role]) -> None:
        wanted = set(roles)
        self.roles.exclude(role__in=wanted).delete()
        for role in wanted:
            UserRole.objects.get_or_create(user=self, role=role)
        self.__dict__.pop("_role_cache", None)


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]

    def __str__(self) -> str:
        return self.get_role_display()


class ApiToken(models.Model):
    """A bearer token for a partner system or script; it acts as its user (agency, roles) within its scopes.

    Only a SHA-256 of the secret is stored; the secret is shown once when the token is created.
    """

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
