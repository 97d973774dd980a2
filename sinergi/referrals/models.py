"""Referrals between agencies: a closed loop modelled on FHIR Task.

DRAFT → DIKIRIM → DITERIMA_SISTEM → DITERIMA | DITOLAK → DALAM_LAYANAN → SELESAI | GAGAL,
DIBATALKAN by the sender from any open state. Transitions happen only in `referrals.workflow`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from sinergi.cases.models import Case


class ReferralStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    SENT = "DIKIRIM", _("Sent")
    ACKNOWLEDGED = "DITERIMA_SISTEM", _("Acknowledged")
    ACCEPTED = "DITERIMA", _("Accepted")
    REJECTED = "DITOLAK", _("Rejected")
    IN_SERVICE = "DALAM_LAYANAN", _("In service")
    COMPLETED = "SELESAI", _("Completed")
    FAILED = "GAGAL", _("Failed")
    REVOKED = "DIBATALKAN", _("Revoked")


OPEN_REFERRAL_STATUSES = (
    ReferralStatus.DRAFT,
    ReferralStatus.SENT,
    ReferralStatus.ACKNOWLEDGED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.IN_SERVICE,
)
# States in which the receiver sees the shared sections of the case.
RECEIVER_SEES_CASE = (
    ReferralStatus.SENT,
    ReferralStatus.ACKNOWLEDGED,
    ReferralStatus.ACCEPTED,
    ReferralStatus.IN_SERVICE,
)


class LawfulBasis(models.TextChoices):
    """UU PDP lawful bases a supervisor may invoke to send without consent."""

    VITAL_INTEREST = "KEPENTINGAN_VITAL", _("Vital interest (life or safety)")
    LEGAL_OBLIGATION = "KEWAJIBAN_HUKUM", _("Legal obligation")
    PUBLIC_TASK = "TUGAS_PUBLIK", _("Public task")


class Referral(models.Model):
    case = models.ForeignKey("cases.Case", verbose_name=_("case"), on_delete=models.PROTECT, related_name="referrals")
    from_agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("from"), on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("to"), on_delete=models.PROTECT, related_name="referrals_received"
    )
    service = models.ForeignKey(
        "directory.Service", verbose_name=_("service"), on_delete=models.PROTECT, related_name="referrals"
    )
    sop_route = models.ForeignKey(
        "sop.SopRoute", verbose_name=_("SOP route"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("follow-on of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ons",
    )
    reason = models.TextField(_("why this referral"))
    status = models.CharField(_("status"), max_length=16, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    # The sections the receiver may see, copied from the SOP route when sent (the SOP may change later).
    shared_sections = models.JSONField(_("shared sections"), default=list)
    # Copied from the case when the referral is made (``save``), for the sharing rule to list what an agency's
    # open referrals share from the referrals alone: a case keeps its person and agency, and a person the agency
    # that registered them, for life. Without these, listing the persons 10,000 open referrals share joined each
    # to its case and person (sharing.rules._valid_shares; docs/benchmarks.md).
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, editable=False, related_name="+"
    )
    sender_owns_person = models.BooleanField(
        _("sender registered the person"),
        default=False,
        editable=False,
        help_text=_("The sender opened the case and registered its person: only then can it share person sections."),
    )
    consent = models.ForeignKey(
        "cases.Consent", verbose_name=_("consent"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    override_basis = models.CharField(_("lawful basis"), max_length=18, choices=LawfulBasis.choices, blank=True)
    override_reason = models.TextField(_("reason for sending without consent"), blank=True)
    override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status_reason = models.TextField(_("reason"), blank=True, help_text=_("Why rejected, failed or revoked."))
    outcome = models.TextField(_("outcome"), blank=True)
    feedback = models.TextField(_("feedback to the sender"), blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by (receiver)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    first_service_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Letter (surat rujukan): number per sending agency and year, and the public verification token.
    letter_number = models.CharField(_("letter number"), max_length=80, blank=True)
    verification_token = models.CharField(max_length=32, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            models.Index(fields=["to_agency", "status"], name="referral_inbox"),
            models.Index(fields=["from_agency", "status"], name="referral_outbox"),
            # The persons an agency's open referrals may share (sharing.rules): one range of this index.
            models.Index(
                fields=["to_agency", "person"],
                condition=models.Q(sender_owns_person=True, status__in=RECEIVER_SEES_CASE),
                name="referral_person_shares",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} → {self.to_agency}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding:
            self.person_id, self.sender_owns_person = sharing_keys(self.case, self.from_agency_id)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES


def sharing_keys(case: Case, from_agency_id: int) -> tuple[int, bool]:
    """A new referral's person, and whether its sender owns that person: it opened the case and registered the
    person (the only referral that may carry person sections; sharing.rules.granted_by)."""
    return case.person_id, from_agency_id == case.agency_id == case.person.registered_by_agency_id


class ReferralEvent(models.Model):
    """Every transition: who, when, from which state to which, why."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=ReferralStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ReferralStatus.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.referral_id}: {self.from_status} → {self.to_status}"


class SlaStep(models.TextChoices):
    ACKNOWLEDGE = "ACK", _("Acknowledge")
    DECIDE = "DECIDE", _("Accept or reject")
    FIRST_SERVICE = "FIRST_SERVICE", _("First service")
    COMPLETE = "COMPLETE", _("Complete")


class Deadline(models.Model):
    """One SLA clock of a referral step; escalation levels are claimed atomically so each alert goes out once."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="deadlines")
    step = models.CharField(max_length=14, choices=SlaStep.choices)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)
    met_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    escalate_after_days = models.PositiveSmallIntegerField(default=1)

    class Meta:
        ordering = ["due_at"]
        constraints = [models.UniqueConstraint(fields=["referral", "step"], name="deadline_unique_step")]
        indexes = [
            # The running clocks only (a small share once years of met ones pile up): the inbox's "overdue" tab
            # and count, and each row's next deadline, read them per referral.
            models.Index(
                fields=["referral", "due_at"],
                name="deadline_running",
                condition=models.Q(met_at__isnull=True, cancelled_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.referral_id} {self.step} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_running(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    def is_overdue(self, now: object = None) -> bool:
        return self.is_running and self.due_at < (now or timezone.now())  # type: ignore[operator]


class ServiceRecord(models.Model):
    """A service the receiving agency delivered; stays with the receiver after the referral closes."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="service_records")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    delivered_on = models.DateField(_("date"))
    description = models.TextField(_("what was done"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["delivered_on", "id"]

    def __str__(self) -> str:
        return self.description[:40]
