"""The special-assistance list (daftar PMI bermasalah yang memerlukan asistensi sosial khusus).

BP3MI and Kemensos agreed to keep one list of troubled PMI who need special social assistance. An entry comes
from a case whose latest assessment says so; a worker of the case's agency proposes it to a partner agency of
the other side (BP3MI → a social-affairs agency, a social-affairs agency → BP3MI), and it is on the list
(AGREED) once a supervisor of each of the two agencies has agreed. Either side may withdraw it with a reason.
Changes happen only in `assistance.services`, checked against `assistance.workflow`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.referrals.models import LawfulBasis


class AssistanceStatus(models.TextChoices):
    PROPOSED = "DIUSULKAN", _("Proposed")
    AGREED = "DISETUJUI", _("Agreed")
    WITHDRAWN = "DITARIK", _("Withdrawn")


# An entry is "on the list or on its way there": one such entry per person at a time.
OPEN_ASSISTANCE_STATUSES = (AssistanceStatus.PROPOSED, AssistanceStatus.AGREED)


class AssistanceNeed(models.TextChoices):
    """What the person needs; the closest ATENSI component (Permensos 7/2021) is in docs/special-assistance.md."""

    PSYCHOSOCIAL = "PSIKOSOSIAL", _("Psychosocial rehabilitation")
    HEALTH = "KESEHATAN", _("Health care")
    LEGAL_AID = "BANTUAN_HUKUM", _("Legal aid")
    ECONOMIC = "PEMBERDAYAAN_EKONOMI", _("Economic empowerment / business mentoring")
    TRAINING = "PELATIHAN", _("Vocational training")
    SHELTER = "TEMPAT_AMAN", _("Temporary shelter")
    FAMILY = "REINTEGRASI_KELUARGA", _("Family reintegration")
    RETURN_HOME = "PEMULANGAN", _("Return to the home region")
    BASIC_NEEDS = "KEBUTUHAN_DASAR", _("Basic needs (food, clothing, daily living)")
    DOCUMENTS = "DOKUMEN", _("Civil documents (KTP, KK, birth certificate)")


class AssistanceEntry(models.Model):
    case = models.ForeignKey(
        "cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="assistance_entries"
    )
    # The case's person when proposed; kept so that "one open entry per person" is a database constraint.
    person = models.ForeignKey("registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="+")
    proposing_agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    partner_agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("partner agency"), on_delete=models.PROTECT, related_name="+"
    )
    needs = models.JSONField(_("assistance needed"), default=list)
    note = models.TextField(_("note"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AssistanceStatus.choices, default=AssistanceStatus.PROPOSED
    )
    # When the entry reached its status: the list's period filter ("agreed in January").
    status_changed_at = models.DateTimeField(_("status since"), default=timezone.now)
    # The lawful basis for the data to travel to the partner: the person's consent, or a supervisor's override.
    consent = models.ForeignKey(
        "cases.Consent", verbose_name=_("consent"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_basis = models.CharField(_("lawful basis"), max_length=18, choices=LawfulBasis.choices, blank=True)
    override_reason = models.TextField(_("reason for sharing without consent"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    proposer_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposer_agreed_at = models.DateTimeField(null=True, blank=True)
    partner_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    partner_agreed_at = models.DateTimeField(null=True, blank=True)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        verbose_name = _("special-assistance entry")
        verbose_name_plural = _("special-assistance entries")
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(status__in=OPEN_ASSISTANCE_STATUSES),
                name="assistance_one_open_entry_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["proposing_agency", "status", "-id"], name="assistance_proposer"),
            models.Index(fields=["partner_agency", "status", "-id"], name="assistance_partner"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.partner_agency_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ASSISTANCE_STATUSES

    def need_labels(self) -> list[str]:
        return [str(AssistanceNeed(code).label) for code in self.needs if code in AssistanceNeed.values]


class StepKind(models.TextChoices):
    PROPOSED = "DIUSULKAN", _("Proposed")
    AGREED = "DISETUJUI", _("Agreed")
    WITHDRAWN = "DITARIK", _("Withdrawn")


class AssistanceStep(models.Model):
    """Every step on an entry: who, for which agency, when, and the reason or lawful basis given."""

    entry = models.ForeignKey(AssistanceEntry, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(max_length=10, choices=StepKind.choices)
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.entry_id}: {self.kind}"
