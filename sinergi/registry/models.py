from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from sinergi.regions.models import Region


class PersonKind(models.TextChoices):
    PMI = "PMI", _("PMI (working abroad)")
    CPMI = "CPMI", _("CPMI (prospective)")
    PMI_PURNA = "PMI_PURNA", _("PMI purna (returned)")
    KELUARGA = "KELUARGA", _("Family member")


class Sex(models.TextChoices):
    # Letters as on the KTP: L laki-laki, P perempuan.
    MALE = "L", _("Male")
    FEMALE = "P", _("Female")


class BirthDateAccuracy(models.TextChoices):
    EXACT = "EXACT", _("Exact")
    YEAR = "YEAR", _("Year only (approximate)")


class Person(models.Model):
    kind = models.CharField(_("status"), max_length=12, choices=PersonKind.choices, default=PersonKind.PMI)
    full_name = models.CharField(_("full name"), max_length=200, help_text=_("As written on the KTP or passport."))
    # Canonical spelling (identity.names) used for search; never shown.
    name_key = models.CharField(max_length=200, db_index=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    birth_date_accuracy = models.CharField(
        _("birth date accuracy"), max_length=5, choices=BirthDateAccuracy.choices, default=BirthDateAccuracy.EXACT
    )
    birth_place = models.CharField(_("birthplace"), max_length=120, blank=True)
    nik = models.CharField(_("NIK"), max_length=16, blank=True, db_index=True)
    region = models.ForeignKey(
        "regions.Region", verbose_name=_("region"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    address_text = models.CharField(_("address"), max_length=300, blank=True, help_text=_("Street, RT/RW, hamlet."))
    flag_child = models.BooleanField(_("child"), default=False)
    flag_disability = models.BooleanField(_("person with disability"), default=False)
    flag_trafficking = models.BooleanField(_("suspected trafficking victim (TPPO)"), default=False)
    registered_by_agency = models.ForeignKey(
        "accounts.Agency", verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="registered_persons"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("registered at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # Optimistic lock: an edit names the version it started from; a stale save is refused.
    version = models.PositiveIntegerField(default=1)
    # Set when a data officer merged this record into another (see sinergi.matching); undone by an unmerge.
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["name_key", "version", "updated_at"])

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [
            models.Index(fields=["registered_by_agency", "-id"], name="person_agency_recent"),
            # Another agency's persons are searched by name with a birth year: PostgreSQL intersects this with the
            # name's trigram index, so it fetches only the namesakes born that year (registry.selectors).
            models.Index(fields=["birth_date"], name="person_birth_date"),
            # "Has the agency a person with this NIK?" (registering, importing, editing). Without it SQLite, which
            # keeps no statistics, read the agency's index and every person of the agency to answer it.
            models.Index(fields=["registered_by_agency", "nik"], name="person_agency_nik"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def birth_year(self) -> int | None:
        return self.birth_date.year if self.birth_date else None

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def is_minor(self) -> bool:
        age = self.age_on(timezone.localdate())
        return self.flag_child or (age is not None and age < 18)

    @property
    def region_path(self) -> list[Region]:
        """The address region and its ancestors, lowest first (village, district, regency, province)."""
        path = []
        region = self.region
        while region is not None:
            path.append(region)
            region = region.parent
        return path

    @property
    def regency_code(self) -> str | None:
        return self.region_id[:5] if self.region_id and len(self.region_id) >= 5 else None


class PersonAlias(models.Model):
    """Other names the person is known by: spelling variants, nicknames, the passport's longer form."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("name"), max_length=200)
    name_key = models.CharField(max_length=200, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")

    def __str__(self) -> str:
        return self.name


class NameToken(models.Model):
    """Search index: one row per canonical name token of a person's names (full name and aliases)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=60)
    phonetic = models.CharField(max_length=60)

    class Meta:
        indexes = [
            models.Index(fields=["token"], name="nametoken_token"),
            models.Index(fields=["phonetic"], name="nametoken_phonetic"),
        ]

    def __str__(self) -> str:
        return self.token


class IdentifierKind(models.TextChoices):
    KK = "KK", _("Family card number (KK)")
    PASSPORT = "PASPOR", _("Passport")
    PMI_ID = "PMI_ID", _("PMI ID / Sisko P2MI reference")
    DTKS = "DTKS", _("DTKS/DTSEN id")


class PersonIdentifier(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identifiers")
    kind = models.CharField(_("kind"), max_length=10, choices=IdentifierKind.choices)
    value = models.CharField(_("number"), max_length=40)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("identifier")
        verbose_name_plural = _("identifiers")
        constraints = [models.UniqueConstraint(fields=["person", "kind", "value"], name="identifier_unique_per_person")]
        indexes = [models.Index(fields=["kind", "value"], name="identifier_lookup")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class PersonPhone(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(_("number (E.164)"), max_length=20)
    label = models.CharField(_("label"), max_length=60, blank=True, help_text=_("e.g. WhatsApp, employer, sister"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")
        constraints = [models.UniqueConstraint(fields=["person", "number"], name="phone_unique_per_person")]

    def __str__(self) -> str:
        return self.number


class Relationship(models.TextChoices):
    SPOUSE = "PASANGAN", _("Spouse")
    FATHER = "AYAH", _("Father")
    MOTHER = "IBU", _("Mother")
    CHILD = "ANAK", _("Child")
    SIBLING = "SAUDARA", _("Sibling")
    GUARDIAN = "WALI", _("Guardian")
    OTHER = "LAINNYA", _("Other relative")


class FamilyLink(models.Model):
    """A relative or next of kin; linked to a registered person when they are one, else just named."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="family")
    relationship = models.CharField(_("relationship"), max_length=10, choices=Relationship.choices)
    relative = models.ForeignKey(
        Person,
        verbose_name=_("registered relative"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone (E.164)"), max_length=20, blank=True)
    is_next_of_kin = models.BooleanField(_("next of kin"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_relationship_display()})"


class MigrationEpisode(models.Model):
    """One stay abroad: where, for whom, placed by which P3MI, and whether it followed the legal procedure."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="episodes")
    destination_country = models.CharField(_("destination country"), max_length=2)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    employer_phone = models.CharField(_("employer phone (E.164)"), max_length=20, blank=True)
    placement_company = models.CharField(_("placement company (P3MI)"), max_length=200, blank=True)
    job = models.CharField(_("job"), max_length=120, blank=True)
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    return_date = models.DateField(_("return date"), null=True, blank=True)
    procedural = models.BooleanField(
        _("procedural"), null=True, blank=True, help_text=_("Departed through the legal procedure (unknown if empty).")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("migration episode")
        verbose_name_plural = _("migration episodes")
        ordering = ["-departure_date", "-id"]

    def __str__(self) -> str:
        return f"{self.destination_country} {self.departure_date or ''}"
