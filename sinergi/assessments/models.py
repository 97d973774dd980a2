"""The needs-and-potential assessment: the instrument as data (versions, domains, typed questions, recommendation
rules) and completed assessments with their domain scores and recommendations.

Answers of sensitive domains (health and psychosocial state) are stored apart from the others
(`sensitive_answers`, `sensitive_scores`), so a read that forgets the sensitivity rule shows nothing sensitive;
`selectors.may_see_sensitive` is the one place that decides who may read them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.encryption.fields import EncryptedJSONField


class VersionStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    ACTIVE = "BERLAKU", _("In force")
    RETIRED = "DICABUT", _("Retired")


class InstrumentVersion(models.Model):
    """One version of the assessment instrument. Exactly one is in force; completed assessments keep theirs."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=8, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    notes = models.TextField(_("what changed"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    activated_at = models.DateTimeField(_("in force since"), null=True, blank=True)
    # The agency whose administrator drafted this version (none for the shipped default). Only that agency edits
    # and publishes its draft; a version in force or retired is read by everyone and changed by no one.
    agency = models.ForeignKey(
        "accounts.Agency",
        verbose_name=_("drafted by agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("assessment instrument version")
        verbose_name_plural = _("assessment instrument versions")
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"{self.title} v{self.number} ({self.get_status_display()})"


class Domain(models.Model):
    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="domains")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    help_text = models.TextField(_("help text"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        help_text=_(
            "Health and psychosocial answers: only social workers and supervisors involved in the case see them."
        ),
    )

    class Meta:
        verbose_name = _("assessment domain")
        verbose_name_plural = _("assessment domains")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="assessment_domain_code_unique")]

    def __str__(self) -> str:
        return self.name


class QuestionKind(models.TextChoices):
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    SCALE = "scale", _("Scale")
    DATE = "date", _("Date")
    TEXT = "text", _("Text")
    YESNO = "yesno", _("Yes / no")


class Question(models.Model):
    """A typed question. Scored questions give 0-100 "need" points: a choice its option's points, a number or a
    scale its position between min and max (reversed when a higher value means less need)."""

    domain = models.ForeignKey(Domain, on_delete=models.CASCADE, related_name="questions")
    code = models.SlugField(_("code"), max_length=40, help_text=_("Unique in the version; rules name it."))
    kind = models.CharField(_("kind"), max_length=8, choices=QuestionKind.choices)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=400, blank=True)
    required = models.BooleanField(_("required"), default=False)
    min_value = models.DecimalField(_("minimum"), max_digits=14, decimal_places=2, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=14, decimal_places=2, null=True, blank=True)
    choices = models.JSONField(
        _("choices"),
        default=list,
        blank=True,
        help_text=_('For a choice: [["value", "label", points 0-100], ...].'),
    )
    scored = models.BooleanField(_("counts in the domain score"), default=False)
    reverse = models.BooleanField(_("a higher value means less need"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("assessment question")
        verbose_name_plural = _("assessment questions")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["domain", "code"], name="assessment_question_code_unique")]

    def __str__(self) -> str:
        return self.label


class RecommendationKind(models.TextChoices):
    SERVICE = "service", _("Service")
    ASSISTANCE = "assistance", _("Assistance")
    PROGRAMME = "programme", _("Programme")


class RecommendationRule(models.Model):
    """When every condition holds, the assessment recommends `code` of `kind`, saying `reason`.

    A condition is {"question": code, "op": op, "value": v} or {"domain": code, "op": op, "value": v} (the
    domain's score); op is one of eq, ne, lt, lte, gt, gte, in, answered.
    """

    version = models.ForeignKey(InstrumentVersion, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("kind"), max_length=10, choices=RecommendationKind.choices)
    code = models.SlugField(
        _("code"),
        max_length=40,
        help_text=_("ATENSI atensi-a1..a7, an assistance-type code, or a programme-type code."),
    )
    label = models.CharField(_("what is recommended"), max_length=200)
    conditions = models.JSONField(_("conditions"), default=list)
    reason = models.CharField(_("reason shown"), max_length=300)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("recommendation rule")
        verbose_name_plural = _("recommendation rules")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class ConsentBy(models.TextChoices):
    SELF = "SENDIRI", _("The person")
    PARENT = "ORANG_TUA", _("Parent (for a child)")
    GUARDIAN = "WALI", _("Guardian (for a child)")


class Assessment(models.Model):
    """A completed assessment of a person by an agency, under the instrument version it was made with."""

    # Erasing a person (UU PDP) erases their assessments: health answers must not outlive the record.
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("accounts.Agency", verbose_name=_("agency"), on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey("cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="assessments")
    answers = models.JSONField(default=dict)
    scores = models.JSONField(default=dict)
    sensitive_answers = EncryptedJSONField(default=dict)
    sensitive_scores = EncryptedJSONField(default=dict)
    # The consent the assessment was made under: a consent recorded on one of the person's cases
    # (`cases.Consent`), or — when the assessing agency has no case of the person (a received referral) — the
    # consent ticked in the form, kept here. Without either, a supervisor's recorded lawful basis.
    consent = models.ForeignKey(
        "cases.Consent", verbose_name=_("consent"), on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    consent_by = models.CharField(_("consent given by"), max_length=10, choices=ConsentBy.choices, blank=True)
    consent_name = models.CharField(_("name of the person consenting"), max_length=200, blank=True)
    consent_text = models.TextField(
        _("consent as written"), blank=True, help_text=_("The consent as it was written before consents were linked.")
    )
    lawful_basis = models.CharField(_("lawful basis"), max_length=20, blank=True)
    lawful_basis_note = models.TextField(_("why consent could not be obtained"), blank=True)
    submission_key = models.UUIDField(unique=True, help_text=_("Made by the form; a second submit finds this row."))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("completed at"), default=timezone.now)

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["person", "-at"], name="assessment_person_at")]

    def __str__(self) -> str:
        return f"{self.person_id} {self.at:%Y-%m-%d}"

    @property
    def consent_summary(self) -> str:
        """What the assessment was made under, readable for old free-text consents too (no extra query)."""
        if self.consent_name:
            text = f"{self.get_consent_by_display()} ({self.consent_name})"
            return f"{text}, {_('recorded on the case')}" if self.consent_id else text
        if self.lawful_basis:
            from sinergi.referrals.models import LawfulBasis

            label = (
                LawfulBasis(self.lawful_basis).label if self.lawful_basis in LawfulBasis.values else self.lawful_basis
            )
            return f"{_('lawful basis')}: {label}"
        return self.consent_text or "—"


class Recommendation(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="recommendations")
    kind = models.CharField(_("kind"), max_length=10, choices=RecommendationKind.choices)
    code = models.CharField(_("code"), max_length=40)
    label = models.CharField(_("what is recommended"), max_length=200)
    reason = models.CharField(_("reason"), max_length=300)
    rule = models.JSONField(default=list, help_text=_("The rule's conditions as they were when it fired."))
    evidence = models.JSONField(default=dict, help_text=_("The answers and scores the conditions read."))
    uses_sensitive = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.code}"


class AssessmentDraft(models.Model):
    """What the worker has typed so far, saved as they type; only its author reads it; gone once submitted."""

    submission_key = models.UUIDField(primary_key=True, default=uuid.uuid4)
    person = models.ForeignKey("registry.Person", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    values = EncryptedJSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"draft {self.submission_key}"
