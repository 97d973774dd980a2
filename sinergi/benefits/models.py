"""Assistance given (penyaluran): assistance types with eligibility rules as data, budgets per type and period,
and each benefit's flow usulan → verifikasi → disetujui/ditolak → disalurkan/dibatalkan.

Committed and spent are not stored: they are sums over the benefits of the budget (approved and not yet
delivered; delivered), computed under a row lock on the budget when a benefit is approved or delivered.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AtensiComponent(models.TextChoices):
    NONE = "", _("Not an ATENSI component")
    A1 = "atensi-a1", _("A1 basic needs")
    A2 = "atensi-a2", _("A2 social care")
    A3 = "atensi-a3", _("A3 family support")
    A4 = "atensi-a4", _("A4 therapy")
    A5 = "atensi-a5", _("A5 vocational training and entrepreneurship")
    A6 = "atensi-a6", _("A6 social assistance")
    A7 = "atensi-a7", _("A7 accessibility support")


class AssistanceType(models.Model):
    """A kind of assistance an agency gives, e.g. Sentra Nipotowe's business capital.

    `eligibility` is a list of rules an admin configures, all of which must hold:
    {"rule": "returned_within_months", "value": 12}, {"rule": "max_decile", "value": 4},
    {"rule": "case_category", "value": ["ingin-dipulangkan", ...]}, {"rule": "recommended"} (the latest
    assessment recommends this type's code).
    """

    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("giving agency"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("The same code across agencies means the same assistance (duplicate check)."),
    )
    name = models.CharField(_("name"), max_length=200)
    atensi_component = models.CharField(
        _("ATENSI component"), max_length=10, choices=AtensiComponent.choices, blank=True, default=""
    )
    default_amount = models.DecimalField(_("amount (Rp)"), max_digits=14, decimal_places=0, default=0)
    items = models.CharField(_("items"), max_length=300, blank=True, help_text=_("For a package: what it contains."))
    eligibility = models.JSONField(_("eligibility rules"), default=list, blank=True)
    overlaps_with = models.JSONField(
        _("overlaps with"), default=list, blank=True, help_text=_("Other assistance codes that count as the same help.")
    )
    duplicate_window_days = models.PositiveIntegerField(
        _("duplicate check window (days)"), default=365, help_text=_("Assistance given within this many days counts.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("assistance type")
        verbose_name_plural = _("assistance types")
        ordering = ["agency__name", "name"]
        constraints = [models.UniqueConstraint(fields=["agency", "code"], name="benefit_type_code_unique_per_agency")]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency})"


class Budget(models.Model):
    assistance_type = models.ForeignKey(
        AssistanceType, verbose_name=_("assistance type"), on_delete=models.PROTECT, related_name="budgets"
    )
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("until"))
    amount = models.DecimalField(_("budget (Rp)"), max_digits=16, decimal_places=0)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-period_start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="budget_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assistance_type.name} {self.period_start:%Y-%m-%d}–{self.period_end:%Y-%m-%d}"


class BenefitStatus(models.TextChoices):
    PROPOSED = "USULAN", _("Proposed")
    VERIFIED = "VERIFIKASI", _("Verified")
    APPROVED = "DISETUJUI", _("Approved")
    REJECTED = "DITOLAK", _("Rejected")
    DELIVERED = "DISALURKAN", _("Delivered")
    CANCELLED = "DIBATALKAN", _("Cancelled")


# Statuses in which a benefit counts as given or about to be (for the duplicate check and the budget).
COUNTS_AS_GIVEN = (BenefitStatus.APPROVED, BenefitStatus.DELIVERED)
OPEN_STATUSES = (BenefitStatus.PROPOSED, BenefitStatus.VERIFIED, BenefitStatus.APPROVED)


class Benefit(models.Model):
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("giving agency"), on_delete=models.PROTECT, related_name="+"
    )
    assistance_type = models.ForeignKey(
        AssistanceType, verbose_name=_("assistance"), on_delete=models.PROTECT, related_name="benefits"
    )
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, null=True, blank=True, related_name="benefits")
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=BenefitStatus.choices, default=BenefitStatus.PROPOSED)
    proposed_amount = models.DecimalField(_("proposed amount (Rp)"), max_digits=14, decimal_places=0)
    items = models.CharField(_("items"), max_length=300, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    approved_amount = models.DecimalField(
        _("approved amount (Rp)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    delivered_amount = models.DecimalField(
        _("delivered amount (Rp)"), max_digits=14, decimal_places=0, null=True, blank=True
    )
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    proof = models.FileField(upload_to="benefits/%Y/%m/", blank=True)
    proof_name = models.CharField(_("proof file"), max_length=200, blank=True)
    proof_content_type = models.CharField(max_length=100, blank=True)
    duplicate_warnings = models.JSONField(default=list, blank=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("assistance given")
        verbose_name_plural = _("assistance given")
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(fields=["agency", "status", "-proposed_at"], name="benefit_agency_status"),
            models.Index(fields=["person", "-proposed_at"], name="benefit_person"),
        ]

    def __str__(self) -> str:
        return f"{self.assistance_type.code} → {self.person_id} ({self.status})"

    @property
    def given_on(self) -> object:
        return self.delivered_on or self.proposed_at.date()


class BenefitStep(models.Model):
    """One move in a benefit's flow: who, when, from which status to which, and why."""

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="steps")
    from_status = models.CharField(max_length=10, choices=BenefitStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=BenefitStatus.choices)
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"
