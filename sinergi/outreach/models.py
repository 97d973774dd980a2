"""Social counselling outreach (penyuluhan sosial): events, who came (counted by sex and age group; named only
with their agreement), materials, and the follow-ups raised there, which become a case or an enrolment.

Every change goes through `outreach.services`; reads through `outreach.selectors`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TargetGroup(models.TextChoices):
    CPMI = "CPMI", _("Prospective migrant workers (CPMI)")
    PMI_PURNA = "PMI_PURNA", _("Returned migrant workers (PMI purna)")
    FAMILIES = "KELUARGA", _("Families of migrant workers")
    VILLAGE = "MASYARAKAT_DESA", _("Village community")
    STUDENTS = "PELAJAR", _("Students and youth")


class AgeGroup(models.TextChoices):
    UNDER_18 = "0-17", _("under 18")
    YOUNG = "18-35", _("18–35")
    MIDDLE = "36-55", _("36–55")
    OLDER = "56+", _("56 and over")


class AttendeeSex(models.TextChoices):
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class OutreachEvent(models.Model):
    agency = models.ForeignKey("accounts.Agency", on_delete=models.PROTECT, related_name="outreach_events")
    held_on = models.DateField(_("date"))
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    place = models.CharField(_("place"), max_length=200)
    topic = models.CharField(_("topic"), max_length=200)
    target_group = models.CharField(_("target group"), max_length=20, choices=TargetGroup.choices)
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("counsellor"), on_delete=models.PROTECT, related_name="+"
    )
    materials = models.TextField(_("materials"), blank=True, help_text=_("Leaflets, slides, videos used."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("outreach event")
        verbose_name_plural = _("outreach events")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_on:%d-%m-%Y})"


class AttendeeCount(models.Model):
    event = models.ForeignKey(OutreachEvent, on_delete=models.CASCADE, related_name="counts")
    sex = models.CharField(max_length=1, choices=AttendeeSex.choices)
    age_group = models.CharField(max_length=5, choices=AgeGroup.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "sex", "age_group"], name="outreach_count_once")]

    def __str__(self) -> str:
        return f"{self.sex} {self.age_group}: {self.count}"


class NamedAttendee(models.Model):
    """Someone who agreed to leave their name and contact (UU PDP: consent), for a follow-up."""

    event = models.ForeignKey(OutreachEvent, on_delete=models.CASCADE, related_name="named_attendees")
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    agreed = models.BooleanField(_("agreed to be named"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(agreed=True), name="outreach_named_only_with_agreement")
        ]

    def __str__(self) -> str:
        return self.name


class FollowUpKind(models.TextChoices):
    CASE = "KASUS", _("A problem for a case (e.g. lost contact abroad)")
    ENROLMENT = "PROGRAM", _("Wants a programme (e.g. training)")


class FollowUpStatus(models.TextChoices):
    OPEN = "TERBUKA", _("Open")
    DONE = "SELESAI", _("Done")


class FollowUp(models.Model):
    event = models.ForeignKey(OutreachEvent, on_delete=models.CASCADE, related_name="follow_ups")
    kind = models.CharField(_("kind"), max_length=8, choices=FollowUpKind.choices)
    person = models.ForeignKey(
        "registry.Person", verbose_name=_("person"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reporter_name = models.CharField(_("reported by"), max_length=200, blank=True)
    reporter_contact = models.CharField(_("reporter's contact"), max_length=120, blank=True)
    description = models.TextField(_("what was raised"))
    # What the follow-up asks for: a programme type (enrolment) or complaint categories (case).
    programme_type = models.CharField(_("programme wanted"), max_length=30, blank=True)
    category_codes = models.JSONField(_("complaint categories"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    enrolment = models.ForeignKey(
        "programmes.Enrolment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.kind}"
