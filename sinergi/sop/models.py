"""The joint SOP as data: what may be referred where, with which consent, what travels, and how fast.

Agencies edit it themselves (SOP editor, admin). A referral keeps the SOP version it was sent under.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SharedSection(models.TextChoices):
    """Case sections that can travel with a referral (need-to-know)."""

    IDENTITY = "IDENTITAS", _("Identity (name, sex, birth date, NIK)")
    CONTACT = "KONTAK", _("Contact (phones, address)")
    FAMILY = "KELUARGA", _("Family and next of kin")
    MIGRATION = "MIGRASI", _("Work abroad")
    COMPLAINT = "PENGADUAN", _("Complaint (categories, what happened)")
    ASSESSMENTS = "ASESMEN", _("Assessments")
    NOTES = "CATATAN", _("Case notes")
    ATTACHMENTS = "LAMPIRAN", _("Attachments")


class SopStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    ACTIVE = "BERLAKU", _("In force")
    RETIRED = "DICABUT", _("Retired")


class SopDocument(models.Model):
    title = models.CharField(_("title"), max_length=200)
    version = models.CharField(_("version"), max_length=20)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=SopStatus.choices, default=SopStatus.DRAFT)
    signatories = models.ManyToManyField("accounts.Agency", verbose_name=_("signed by"), related_name="sops")
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("joint SOP")
        verbose_name_plural = _("joint SOPs")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @classmethod
    def in_force(cls, day: date) -> SopDocument | None:
        return (
            cls.objects.filter(status=SopStatus.ACTIVE, effective_from__lte=day)
            .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
            .order_by("-effective_from")
            .first()
        )


class SlaUnit(models.TextChoices):
    HOURS = "JAM", _("hours")
    WORKING_DAYS = "HARI_KERJA", _("working days")


class SopRoute(models.Model):
    """For one complaint category: to which services a case may be referred, and the rules that apply."""

    sop = models.ForeignKey(SopDocument, on_delete=models.CASCADE, related_name="routes")
    category = models.ForeignKey(
        "cases.ComplaintCategory", verbose_name=_("complaint category"), on_delete=models.PROTECT, related_name="+"
    )
    services = models.ManyToManyField("directory.Service", verbose_name=_("services it may be referred to"))
    consent_scope = models.CharField(
        _("consent required"),
        max_length=14,
        blank=True,
        choices=[("", _("none")), ("RUJUKAN", _("Share data for referral")), ("REHABILITASI", _("Rehabilitation"))],
    )
    shared_sections = models.JSONField(_("sections shared with the receiver"), default=list)
    ack_within = models.PositiveSmallIntegerField(_("acknowledge within"), default=1)
    ack_unit = models.CharField(max_length=10, choices=SlaUnit.choices, default=SlaUnit.WORKING_DAYS)
    accept_within = models.PositiveSmallIntegerField(_("accept or reject within"), default=3)
    accept_unit = models.CharField(max_length=10, choices=SlaUnit.choices, default=SlaUnit.WORKING_DAYS)
    first_service_within = models.PositiveSmallIntegerField(_("first service within"), default=7)
    first_service_unit = models.CharField(max_length=10, choices=SlaUnit.choices, default=SlaUnit.WORKING_DAYS)
    complete_within = models.PositiveSmallIntegerField(_("complete within"), null=True, blank=True)
    complete_unit = models.CharField(max_length=10, choices=SlaUnit.choices, default=SlaUnit.WORKING_DAYS)
    escalate_after = models.PositiveSmallIntegerField(
        _("escalate to the sender's supervisor after"),
        default=1,
        help_text=_("Working days after the receiving supervisor was alerted."),
    )

    class Meta:
        verbose_name = _("SOP route")
        verbose_name_plural = _("SOP routes")
        constraints = [models.UniqueConstraint(fields=["sop", "category"], name="route_unique_per_category")]

    def __str__(self) -> str:
        return f"{self.sop} · {self.category}"


class Holiday(models.Model):
    """Indonesian public holidays and cuti bersama: not working days for SLA clocks."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.name}"


class SopApproval(models.Model):
    """One party's supervisor approving a draft version; a version comes into force only when every
    signatory agency has approved it. Any change to the draft clears its approvals."""

    sop = models.ForeignKey(SopDocument, on_delete=models.CASCADE, related_name="approvals")
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey("accounts.User", verbose_name=_("approved by"), on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("approved at"), auto_now_add=True)

    class Meta:
        verbose_name = _("SOP approval")
        verbose_name_plural = _("SOP approvals")
        constraints = [models.UniqueConstraint(fields=["sop", "agency"], name="sop_approval_once_per_agency")]

    def __str__(self) -> str:
        return f"{self.sop} · {self.agency_id}"
