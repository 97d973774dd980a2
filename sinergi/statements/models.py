"""One version of the facts: facts an agency states about a case, and joint public statements.

A fact sheet is computed (sinergi.statements.facts) from the records (case, person, referrals, golden record)
and from `FactClaim` rows: what an agency involved says about a fact no record field holds (the Indonesian post
involved, a date). A statement has versions; a version is drafted, privacy-checked, approved by the designated
official of every agency involved in the case, then published. A correction is a new version; the one it
replaces stays public as superseded.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FactKey(models.TextChoices):
    HOME_REGENCY = "home_regency", _("Home regency")
    DESTINATION = "destination_country", _("Destination country")
    POST = "post", _("Indonesian post involved (KBRI/KJRI)")
    DEPARTURE = "departure_date", _("Departure date")
    RETURN = "return_date", _("Return date")
    INCIDENT = "incident_date", _("Date of the incident")


class FactClaim(models.Model):
    """What one agency involved in a case says a fact is, from which source; verified by a supervisor or not."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="fact_claims")
    key = models.CharField(_("fact"), max_length=24, choices=FactKey.choices)
    value = models.CharField(_("value"), max_length=200)
    source = models.CharField(_("source"), max_length=200, help_text=_("e.g. letter of KBRI Kuala Lumpur, 3 March"))
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("stated fact")
        verbose_name_plural = _("stated facts")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.key}={self.value}"


class DesignatedOfficial(models.Model):
    """Who may approve a joint statement for an agency (set by an administrator; usually the kepala)."""

    agency = models.ForeignKey("accounts.Agency", verbose_name=_("agency"), on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("official"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("designated official for statements")
        verbose_name_plural = _("designated officials for statements")
        constraints = [models.UniqueConstraint(fields=["agency", "user"], name="official_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}: {self.user_id}"


class Statement(models.Model):
    """A joint public statement about a case; its public address (`public_id`) never changes."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="statements")
    drafting_agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    public_id = models.CharField(max_length=12, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("joint statement")
        verbose_name_plural = _("joint statements")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.public_id


class VersionStatus(models.TextChoices):
    DRAFT = "DRAF", _("Draft")
    PUBLISHED = "TERBIT", _("Published")
    SUPERSEDED = "DIGANTI", _("Superseded by a correction")


class StatementVersion(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    change_note = models.TextField(_("what changed"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    # A short code the press can check on the public page; one per version.
    code = models.CharField(_("verification code"), max_length=9, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["statement", "-number"]
        constraints = [models.UniqueConstraint(fields=["statement", "number"], name="statement_version_unique")]

    def __str__(self) -> str:
        return f"{self.statement_id} v{self.number}"


class FlagKind(models.TextChoices):
    NIK = "NIK", _("NIK")
    PHONE = "TELEPON", _("Phone number")
    PASSPORT = "PASPOR", _("Passport number")
    ADDRESS = "ALAMAT", _("Exact address")
    VILLAGE = "DESA", _("Village")
    NAME = "NAMA", _("Name of the person")
    FAMILY = "KELUARGA", _("Name of a family member")
    TRAFFICKING = "TPPO", _("Identifies a trafficking victim")
    CHILD = "ANAK", _("Identifies a child")
    HEALTH = "KESEHATAN", _("Reveals health")


class PrivacyFlag(models.Model):
    """One finding of the privacy check in a version's text; it blocks approval until removed or justified."""

    version = models.ForeignKey(StatementVersion, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("kind"), max_length=10, choices=FlagKind.choices)
    match = models.CharField(_("found text"), max_length=200)
    reason = models.CharField(_("why it is flagged"), max_length=300)
    justification = models.TextField(_("justification"), blank=True)
    justified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    justified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.match}"

    @property
    def is_open(self) -> bool:
        return not self.justification


class Approval(models.Model):
    """The designated official of one involved agency approved this exact version."""

    version = models.ForeignKey(StatementVersion, on_delete=models.CASCADE, related_name="approvals")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "agency"], name="approval_once_per_agency")]

    def __str__(self) -> str:
        return f"{self.version_id}/{self.agency_id}"
