"""Reintegration programmes for PMI purna: a catalogue of programmes, cohorts that run on a recurrence,
enrolment (with eligibility, capacity and a waitlist), attendance per session, completion and certificates,
and business mentoring (pendampingan usaha) with a baseline and follow-ups at 3, 6 and 12 months.

Every change goes through `programmes.services`; reads of rows an agency may see go through
`programmes.selectors`. Enrolment states change only through `programmes.workflow`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProgrammeType(models.TextChoices):
    """The codes are a contract with `sinergi.assessments`: its recommendations carry exactly these."""

    ENTREPRENEURSHIP_WORKSHOP = "entrepreneurship_workshop", _("Entrepreneurship workshop")
    VOCATIONAL_TRAINING = "vocational_training", _("Vocational training")
    BUSINESS_MENTORING = "business_mentoring", _("Business mentoring (pendampingan usaha)")
    LICENSING_HELP = "licensing_help", _("Licensing and branding help (NIB, halal, PIRT)")
    MARKET_ACCESS = "market_access", _("Market access (Pojok Purna PMI)")
    VILLAGE_PROGRAMME = "village_programme", _("Village programme (Desa Migran Emas / Produktif)")
    SAFE_MIGRATION_COUNSELLING = "safe_migration_counselling", _("Safe-migration and anti-trafficking counselling")


class Programme(models.Model):
    agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("owner agency"), on_delete=models.PROTECT, related_name="programmes"
    )
    partner_agencies = models.ManyToManyField(
        "accounts.Agency", verbose_name=_("partner agencies"), blank=True, related_name="partner_programmes"
    )
    name = models.CharField(_("name"), max_length=200)
    programme_type = models.CharField(_("programme type"), max_length=30, choices=ProgrammeType.choices)
    description = models.TextField(_("description"), blank=True)
    # Eligibility as data: {"returned_within_years": 5, "family_members": true}; an empty dict admits everyone.
    eligibility = models.JSONField(_("eligibility"), default=dict, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity per cohort"), default=20)
    completion_percent = models.PositiveSmallIntegerField(
        _("attendance needed to complete (%)"), default=80, help_text=_("Share of sessions attended, e.g. 80.")
    )
    # iCalendar RRULE (RFC 5545) of the cohorts' start dates, e.g. "FREQ=MONTHLY;INTERVAL=3" (every quarter).
    recurrence = models.CharField(_("recurrence (RRULE)"), max_length=200, blank=True)
    first_start = models.DateField(_("first cohort starts"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def total_hours(self) -> float:
        return float(sum(session.hours for session in self.curriculum.all()))


class CurriculumItem(models.Model):
    """One session of the programme's curriculum: every cohort has one session per item, in this order."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="curriculum")
    position = models.PositiveSmallIntegerField()
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, default=6)
    # The session's day counted from the cohort's start (0: the first day); a 4-day workshop has 0..3.
    day_offset = models.PositiveSmallIntegerField(_("day"), default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["programme", "position"], name="curriculum_position_once")]

    def __str__(self) -> str:
        return self.topic


class Cohort(models.Model):
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohorts")
    sequence = models.PositiveSmallIntegerField(_("cohort number"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    place = models.CharField(_("place"), max_length=200, blank=True, help_text=_("Venue, e.g. Balai Desa."))
    capacity = models.PositiveSmallIntegerField(_("capacity"))
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("facilitators"), blank=True, related_name="facilitated_cohorts"
    )
    closed_at = models.DateTimeField(_("completion decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["starts_on", "id"]
        constraints = [models.UniqueConstraint(fields=["programme", "sequence"], name="cohort_sequence_once")]

    def __str__(self) -> str:
        return f"{self.programme.name} #{self.sequence}"


class CohortSession(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    position = models.PositiveSmallIntegerField()
    date = models.DateField(_("date"))
    topic = models.CharField(_("topic"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1, default=6)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["cohort", "position"], name="session_position_once")]

    def __str__(self) -> str:
        return f"{self.position}. {self.topic}"


class EnrolmentStatus(models.TextChoices):
    ENROLLED = "TERDAFTAR", _("Enrolled")
    WAITLISTED = "DAFTAR_TUNGGU", _("Waitlisted")
    WITHDRAWN = "MUNDUR", _("Left the cohort")
    COMPLETED = "LULUS", _("Passed")
    NOT_COMPLETED = "TIDAK_LULUS", _("Did not complete")


# A person holds at most one of these per cohort (a second enrolment is refused, a withdrawn one may come back).
ACTIVE_ENROLMENT_STATUSES = (
    EnrolmentStatus.ENROLLED,
    EnrolmentStatus.WAITLISTED,
    EnrolmentStatus.COMPLETED,
    EnrolmentStatus.NOT_COMPLETED,
)


class OriginKind(models.TextChoices):
    ASSESSMENT = "assessment", _("Assessment recommendation")
    OUTREACH = "outreach", _("Outreach follow-up")
    MANUAL = "manual", _("By hand")


class Enrolment(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="enrolments")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=14, choices=EnrolmentStatus.choices)
    origin_kind = models.CharField(_("origin"), max_length=12, choices=OriginKind.choices, default=OriginKind.MANUAL)
    origin_ref = models.CharField(_("origin reference"), max_length=100, blank=True)
    # The eligibility rule that admitted the person, in words (kept: the rule may change later).
    eligibility_note = models.CharField(max_length=300, blank=True)
    # The worker who enrolled the person: told when a waitlisted person gets a place.
    enrolled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    enrolled_at = models.DateTimeField(default=timezone.now)
    status_changed_at = models.DateTimeField(default=timezone.now)
    withdrawal_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["enrolled_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "person"],
                condition=Q(status__in=ACTIVE_ENROLMENT_STATUSES),
                name="enrolment_once_per_cohort",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.cohort_id} ({self.status})"


class Attendance(models.Model):
    """One tick: a participant present at a session. A row per (enrolment, session), so ticks never collide."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    session = models.ForeignKey(CohortSession, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(default=True)
    via_qr = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "session"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}@{self.session_id}: {self.present}"


class Certificate(models.Model):
    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="certificate")
    number = models.CharField(max_length=60, unique=True)
    verification_token = models.CharField(max_length=32, unique=True)
    issued_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.number


# --- business mentoring ---------------------------------------------------------------------------------------


class Business(models.Model):
    """A participant's business under mentoring, with its profile at enrolment."""

    enrolment = models.OneToOneField(Enrolment, on_delete=models.PROTECT, related_name="business")
    mentor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mentored_businesses")
    name = models.CharField(_("business name"), max_length=200)
    sector = models.CharField(_("sector"), max_length=120)
    started_on = models.DateField(_("business started on"), null=True, blank=True)
    capital = models.DecimalField(_("capital (Rp)"), max_digits=14, decimal_places=0, null=True, blank=True)
    licences = models.JSONField(_("licences held"), default=list, blank=True)  # NIB, HALAL, PIRT
    employees = models.PositiveSmallIntegerField(_("employees"), default=0)
    sales_channel = models.CharField(_("sales channel"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("business")
        verbose_name_plural = _("businesses")

    def __str__(self) -> str:
        return self.name


class CheckKind(models.TextChoices):
    BASELINE = "BASELINE", _("Baseline")
    MONTH_3 = "M3", _("3-month follow-up")
    MONTH_6 = "M6", _("6-month follow-up")
    MONTH_12 = "M12", _("12-month follow-up")


# Months after the baseline when each follow-up is due.
FOLLOW_UP_MONTHS = {CheckKind.MONTH_3: 3, CheckKind.MONTH_6: 6, CheckKind.MONTH_12: 12}


class BusinessCheck(models.Model):
    """The baseline or a follow-up: what the business and household earned in a month, and whether it runs."""

    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(_("kind"), max_length=8, choices=CheckKind.choices)
    recorded_on = models.DateField(_("date"))
    monthly_revenue = models.DecimalField(_("monthly revenue (Rp)"), max_digits=14, decimal_places=0)
    household_income = models.DecimalField(_("monthly household income (Rp)"), max_digits=14, decimal_places=0)
    employees = models.PositiveSmallIntegerField(_("employees"), default=0)
    operating = models.BooleanField(_("business still operating"), default=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_on", "id"]
        constraints = [models.UniqueConstraint(fields=["business", "kind"], name="business_check_once")]

    def __str__(self) -> str:
        return f"{self.business_id} {self.kind}"


class MentoringVisit(models.Model):
    business = models.ForeignKey(Business, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("visited on"))
    notes = models.TextField(_("notes"))
    photo = models.FileField(_("photo"), upload_to="mentoring/%Y/%m/", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.business_id} {self.visited_on}"
