"""Protection cases (kasus pengaduan) handled by one agency, with their timeline.

A case belongs to the agency that took the complaint. Other agencies take part through referrals
(sinergi.referrals), and see only what the joint SOP shares, only while the referral is open.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.encryption.fields import EncryptedTextField


class ComplaintCategory(models.Model):
    """Kategori pengaduan (KemenP2MI statistics); admin-editable, the joint SOP routes by it."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WALK_IN = "DATANG", _("Walk-in")
    HOTLINE = "HOTLINE", _("Hotline / phone")
    WHATSAPP = "WHATSAPP", _("WhatsApp")
    LETTER = "SURAT", _("Letter")
    EMBASSY = "PERWAKILAN", _("Embassy/consulate (KBRI/KJRI)")
    OTHER_BP3MI = "BP3MI_LAIN", _("Another BP3MI")
    SOCIAL_MEDIA = "MEDSOS", _("Viral social-media report")
    OTHER = "LAINNYA", _("Other")


class Complainant(models.TextChoices):
    SELF = "PMI", _("The PMI")
    FAMILY = "KELUARGA", _("Family")
    THIRD_PARTY = "PIHAK_KETIGA", _("Third party")


class Phase(models.TextChoices):
    BEFORE = "SEBELUM", _("Before work")
    DURING = "SELAMA", _("During work")
    AFTER = "SETELAH", _("After work")


class Urgency(models.TextChoices):
    LOW = "RENDAH", _("Low")
    MEDIUM = "SEDANG", _("Medium")
    HIGH = "TINGGI", _("High")
    CRITICAL = "KRITIS", _("Critical (life or safety at risk)")


class CaseStatus(models.TextChoices):
    RECEIVED = "DITERIMA", _("Received")
    VERIFICATION = "VERIFIKASI", _("Verification")
    HANDLING = "PENANGANAN", _("Handling")
    DONE = "SELESAI", _("Resolved")
    CLOSED = "DITUTUP", _("Closed")


OPEN_CASE_STATUSES = (CaseStatus.RECEIVED, CaseStatus.VERIFICATION, CaseStatus.HANDLING)


class ClosureReason(models.TextChoices):
    """Closure reasons in KemenP2MI's complaint rules (domain brief)."""

    DOCUMENTS_INCOMPLETE = "DOKUMEN_TIDAK_LENGKAP", _("Documents incomplete after 30 days")
    VERIFICATION_UNCLEAR = "VERIFIKASI_TIDAK_JELAS", _("Verification unclear 15 working days after a request")
    UNREACHABLE = "TIDAK_DAPAT_DIHUBUNGI", _("Complainant unreachable for 60 days")
    HANDED_OVER = "DILIMPAHKAN", _("Handed over to another ministry (monitoring continues)")
    NO_RESPONSE = "TIDAK_ADA_TANGGAPAN", _("No response 6 months after being told it cannot be resolved")
    WITHDRAWN = "DICABUT", _("Withdrawn by the complainant")
    DUPLICATE = "DUPLIKAT", _("Duplicate of another case")


class CaseOutcome(models.TextChoices):
    """How a resolved case ended for the person: said when marking it resolved, counted in reports."""

    RESOLVED = "TERATASI", _("Problem resolved")
    PARTLY = "SEBAGIAN", _("Partly resolved")
    RETURNED_HOME = "DIPULANGKAN", _("Returned home to the family")
    HANDED_OVER = "DILIMPAHKAN", _("Handed over to another agency")
    NOT_RESOLVED = "TIDAK_TERATASI", _("Not resolved")


class Case(models.Model):
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="cases"
    )
    number = models.CharField(_("case number"), max_length=60, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    complainant_type = models.CharField(_("complainant"), max_length=14, choices=Complainant.choices)
    complainant_name = models.CharField(_("complainant name"), max_length=200, blank=True)
    complainant_contact = models.CharField(_("complainant contact"), max_length=120, blank=True)
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    categories = models.ManyToManyField(ComplaintCategory, verbose_name=_("complaint categories"))
    phase = models.CharField(_("phase"), max_length=8, choices=Phase.choices)
    destination_country = models.CharField(_("destination country"), max_length=2, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    placement_company = models.CharField(_("placement company (P3MI)"), max_length=200, blank=True)
    procedural = models.BooleanField(_("procedural"), null=True, blank=True)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.MEDIUM)
    flag_trafficking = models.BooleanField(_("suspected trafficking (TPPO)"), default=False)
    flag_child = models.BooleanField(_("child"), default=False)
    flag_disability = models.BooleanField(_("disability"), default=False)
    narrative = EncryptedTextField(_("what happened"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.RECEIVED)
    closure_reason = models.CharField(_("closure reason"), max_length=24, choices=ClosureReason.choices, blank=True)
    # Said when the case ends (resolved or closed): what was done and how it ended, read on the person's page.
    outcome = models.CharField(_("outcome"), max_length=16, choices=CaseOutcome.choices, blank=True)
    closing_summary = EncryptedTextField(_("closing summary"), blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    history = HistoricalRecords(excluded_fields=["version", "updated_at"])

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["agency", "status", "-id"], name="case_agency_status"),
            models.Index(fields=["agency", "-id"], name="case_agency_recent"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES


class CaseCounter(models.Model):
    """Last case number issued per agency and year (row-locked while a number is taken)."""

    agency = models.ForeignKey("accounts.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, default="KASUS")
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year", "kind"], name="counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}/{self.kind}: {self.last}"


class CaseStatusChange(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=CaseStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.from_status} → {self.to_status}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    text = EncryptedTextField(_("note"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return str(self.text)[:40]


class CaseTask(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("task"), max_length=200)
    due_date = models.DateField(_("due"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="case_tasks",
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


class Assessment(models.Model):
    """Asesmen: what the person needs, by the agency that assessed (the receiver's asesmen stays theirs)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="assessments"
    )
    summary = EncryptedTextField(_("findings"))
    needs = EncryptedTextField(_("needs"), blank=True)
    risk = models.CharField(_("risk level"), max_length=8, choices=Urgency.choices, default=Urgency.MEDIUM)
    needs_special_assistance = models.BooleanField(_("needs special social assistance"), default=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return str(self.summary)[:40]


class InterventionPlan(models.Model):
    """Each agency's own plan for the case (rencana intervensi), one per agency."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="plans")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    goals = models.TextField(_("goals"))
    activities = models.TextField(_("planned activities"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "agency"], name="plan_unique_per_agency")]

    def __str__(self) -> str:
        return f"{self.case_id}/{self.agency_id}"


class AttachmentKind(models.TextChoices):
    IDENTITY = "IDENTITAS", _("Identity document (KTP/KK/passport)")
    CONTRACT = "PERJANJIAN", _("Work contract")
    STATEMENT = "PERNYATAAN", _("Statement / chronology")
    CONSENT = "PERSETUJUAN", _("Signed consent")
    HANDOVER = "BERITA_ACARA", _("Handover record (berita acara)")
    PHOTO = "FOTO", _("Photo")
    OTHER = "LAINNYA", _("Other")


class Attachment(models.Model):
    """A file kept outside the web root (var/files) and served only through a permission-checked view."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=14, choices=AttachmentKind.choices)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.original_name


class ConsentScope(models.TextChoices):
    """The purposes a person consents to, one record each (UU PDP: consent is per purpose). Where each is
    checked: sinergi/sharing/consent.py (PURPOSE_CHECKS)."""

    REFERRAL = "RUJUKAN", _("Share data for referral to other agencies")
    REHABILITATION = "REHABILITASI", _("Social rehabilitation (family consent)")
    ASSESSMENT = "ASESMEN", _("Needs assessment")
    SPECIAL_ASSISTANCE = "BANTUAN_KHUSUS", _("Share data for the special-assistance list with the partner agency")
    MATCHING = "PENCOCOKAN", _("Match data with other agencies' records")
    PROGRAMME = "PROGRAM", _("Programme enrolment with partner agencies")
    PUBLICATION = "PUBLIKASI", _("Publication (story, photo or testimony)")


class ConsentDecision(models.TextChoices):
    GIVEN = "DIBERIKAN", _("Given")
    REFUSED = "DITOLAK", _("Refused")


class ConsentGiver(models.TextChoices):
    SELF = "SENDIRI", _("The person")
    PARENT = "ORANG_TUA", _("Parent")
    GUARDIAN = "WALI", _("Guardian")
    FAMILY = "KELUARGA", _("Family member")


class ConsentMethod(models.TextChoices):
    WRITTEN = "TERTULIS", _("Signed form")
    VERBAL = "LISAN", _("Verbal, witnessed")
    DIGITAL = "DIGITAL", _("Digital (message/recording)")


class ConsentQuerySet(models.QuerySet["Consent"]):
    def active(self, at: datetime | None = None) -> ConsentQuerySet:
        """Given, not withdrawn and not expired at `at` (default now)."""
        at = at or timezone.now()
        return self.filter(decision=ConsentDecision.GIVEN, withdrawn_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=at)
        )


class Consent(models.Model):
    """Recorded consent (UU PDP): who consented (or refused), to which purpose, how, until when; withdrawable.
    A share made under it lasts only while it is active (sinergi/sharing/consent.py)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(_("purpose"), max_length=14, choices=ConsentScope.choices)
    decision = models.CharField(
        _("decision"), max_length=10, choices=ConsentDecision.choices, default=ConsentDecision.GIVEN
    )
    given_by = models.CharField(_("given by"), max_length=10, choices=ConsentGiver.choices)
    giver_name = models.CharField(_("name of the person consenting"), max_length=200)
    method = models.CharField(_("how"), max_length=10, choices=ConsentMethod.choices)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawal_note = models.TextField(_("how the withdrawal was made"), blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ConsentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} ({self.giver_name})"

    @property
    def is_active(self) -> bool:
        return (
            self.decision == ConsentDecision.GIVEN
            and self.withdrawn_at is None
            and (self.expires_at is None or self.expires_at > timezone.now())
        )

    @property
    def has_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()
