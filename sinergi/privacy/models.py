"""Data-subject requests (permohonan subjek data) and processing restrictions (UU 27/2022 PDP)."""

from __future__ import annotations

import math

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sinergi.privacy.deadlines import PERIODS, hours_left


class RequestKind(models.TextChoices):
    ACCESS = "AKSES", _("Access (a copy of the data)")
    CORRECTION = "PERBAIKAN", pgettext_lazy("data-subject request", "Correction")
    RESTRICTION = "PEMBATASAN", _("Restriction of processing")
    ERASURE = "PENGHAPUSAN", _("Erasure")


assert set(RequestKind.values) == set(PERIODS), "every kind has its legal period in deadlines.PERIODS"


class Channel(models.TextChoices):
    IN_PERSON = "LANGSUNG", _("In person")
    LETTER = "SURAT", _("Letter")
    PHONE = "TELEPON", _("Phone / WhatsApp")
    EMAIL = "EMAIL", _("Email")


class Requester(models.TextChoices):
    SELF = "SENDIRI", _("The person")
    GUARDIAN = "WALI", _("Parent or guardian (for a child)")
    PROXY = "KUASA", _("A proxy with written authority")


class RequestStatus(models.TextChoices):
    RECEIVED = "DITERIMA", _("Received")
    IN_PROGRESS = "DIPROSES", _("In progress")
    ANSWERED = "DIJAWAB", _("Answered")


OPEN_REQUEST_STATUSES = (RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS)


class Outcome(models.TextChoices):
    GRANTED = "DIKABULKAN", _("Granted")
    PARTLY = "SEBAGIAN", _("Partly granted")
    REFUSED = "DITOLAK", _("Refused")


class Reminder(models.IntegerChoices):
    """How far the clock's notifications went; each step is claimed once by a conditional UPDATE."""

    RECEIVED = 0, _("Received")
    DAY_LEFT = 1, _("24 hours left")
    OVERDUE = 2, _("Overdue")


class SubjectRequest(models.Model):
    """A person's request about their data, its legal clock and the written answer."""

    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="subject_requests"
    )
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices)
    received_at = models.DateTimeField(_("received at"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    requester = models.CharField(_("who asked"), max_length=10, choices=Requester.choices, default=Requester.SELF)
    requester_name = models.CharField(
        _("name of the guardian or proxy"), max_length=200, blank=True, help_text=_("Empty when the person asked.")
    )
    identity_check = models.CharField(
        _("how identity was checked"),
        max_length=300,
        help_text=_("e.g. KTP shown at the desk; letter of authority and the proxy's KTP; video call."),
    )
    details = models.TextField(_("what is asked"), blank=True)
    field = models.CharField(_("field to correct"), max_length=30, blank=True)
    proposed_value = models.CharField(_("proposed value"), max_length=300, blank=True)
    due_at = models.DateTimeField(_("deadline"), db_index=True)
    basis = models.CharField(_("legal basis of the deadline"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.RECEIVED, db_index=True
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, blank=True)
    answer = models.TextField(_("answer"), blank=True)
    reason = models.TextField(_("reason"), blank=True)
    change = models.JSONField(_("what changed"), default=dict, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    reminder = models.PositiveSmallIntegerField(choices=Reminder.choices, default=Reminder.RECEIVED)

    class Meta:
        verbose_name = _("data-subject request")
        verbose_name_plural = _("data-subject requests")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["agency", "status", "due_at"], name="subjectrequest_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REQUEST_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at < timezone.now()

    @property
    def hours_left(self) -> int:
        """Whole hours until the deadline (negative when overdue), for the clock on pages and in the API."""
        return math.floor(hours_left(self.due_at, timezone.now()))

    @property
    def hours_late(self) -> int:
        return -self.hours_left


class Restriction(models.Model):
    """Processing of the person restricted at their request (UU PDP Pasal 11 and 41), until lifted.

    While a restriction is active the sharing rule grants nothing about the person to any other agency
    (``sinergi.sharing.rules``), and matching leaves the person out; the owner agency still sees the record."""

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="restrictions")
    request = models.ForeignKey(SubjectRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    reason = models.TextField(_("reason"))
    since = models.DateTimeField(_("since"), default=timezone.now)
    until = models.DateTimeField(_("until"), null=True, blank=True, help_text=_("Empty: until lifted."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lift_reason = models.TextField(_("why lifted"), blank=True)

    class Meta:
        verbose_name = _("processing restriction")
        verbose_name_plural = _("processing restrictions")
        ordering = ["-since", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=models.Q(lifted_at__isnull=True), name="restriction_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} since {self.since:%Y-%m-%d}"
