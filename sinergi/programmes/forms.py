"""Forms parse what a page sends into the services' data classes; the services decide."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Agency, User
from sinergi.programmes.models import CheckKind, ProgrammeType
from sinergi.programmes.services import LICENCES, BusinessData, CheckData, CohortPlan, CurriculumLine, ProgrammeData
from sinergi.regions.picker import RegionPickerMixin
from sinergi.registry.forms import DATE_FORMATS, DATE_WIDGET, ServiceErrorsMixin

RECURRENCE_CHOICES = [
    ("", _("No recurrence (plan each cohort by date)")),
    ("FREQ=MONTHLY;INTERVAL=3", _("Every quarter")),
    ("FREQ=MONTHLY", _("Every month")),
    ("FREQ=MONTHLY;INTERVAL=6", _("Every six months")),
    ("FREQ=YEARLY", _("Every year")),
]


class ProgrammeForm(ServiceErrorsMixin):
    name = forms.CharField(label=_("Name"), max_length=200)
    programme_type = forms.ChoiceField(label=_("Programme type"), choices=ProgrammeType.choices)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    returned_within_years = forms.IntegerField(
        label=_("Eligible: returned within (years)"),
        required=False,
        initial=5,
        help_text=_("Empty: open to everyone."),
    )
    family_members = forms.BooleanField(label=_("Their family members are eligible too"), required=False, initial=True)
    capacity = forms.IntegerField(label=_("Places per cohort"), initial=20, min_value=1, max_value=500)
    completion_percent = forms.IntegerField(
        label=_("Completion: sessions attended (%)"), initial=80, min_value=1, max_value=100
    )
    recurrence = forms.ChoiceField(label=_("Cohorts run"), choices=RECURRENCE_CHOICES, required=False)
    recurrence_custom = forms.CharField(
        label=_("Or an iCalendar RRULE"), required=False, max_length=200, help_text=_("e.g. FREQ=MONTHLY;INTERVAL=3")
    )
    first_start = forms.DateField(
        label=_("First cohort starts"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partner agencies"), queryset=Agency.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    curriculum = forms.CharField(
        label=_("Curriculum"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One session per line: day; topic; hours — e.g. 1; Business plan; 6"),
    )

    service_field_map = {"partner_agency_ids": "partners"}

    def __init__(self, *args: Any, agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partners"].queryset = Agency.objects.filter(is_active=True).exclude(pk=agency_id or 0)  # type: ignore[attr-defined]

    def clean_curriculum(self) -> list[CurriculumLine]:
        lines: list[CurriculumLine] = []
        for raw in str(self.cleaned_data["curriculum"]).splitlines():
            if not raw.strip():
                continue
            parts = [part.strip() for part in raw.split(";")]
            try:
                if len(parts) == 3:
                    day, topic, hours = int(parts[0]), parts[1], Decimal(parts[2].replace(",", "."))
                elif len(parts) == 2:
                    day, topic, hours = len(lines) + 1, parts[0], Decimal(parts[1].replace(",", "."))
                else:
                    raise ValueError
            except (ValueError, InvalidOperation):
                raise forms.ValidationError(
                    _("Line “%(line)s”: write day; topic; hours.") % {"line": raw.strip()}
                ) from None
            lines.append(CurriculumLine(topic=topic, hours=hours, day_offset=max(day, 1) - 1))
        return lines

    def to_data(self) -> ProgrammeData:
        c = self.cleaned_data
        return ProgrammeData(
            name=c["name"],
            programme_type=c["programme_type"],
            description=c.get("description") or "",
            returned_within_years=c.get("returned_within_years"),
            family_members=bool(c.get("family_members")),
            capacity=c["capacity"],
            completion_percent=c["completion_percent"],
            recurrence=(c.get("recurrence_custom") or c.get("recurrence") or "").strip(),
            first_start=c.get("first_start"),
            partner_agency_ids=[agency.pk for agency in c.get("partners") or []],
            curriculum=c["curriculum"],
        )


class CohortPlanForm(ServiceErrorsMixin, RegionPickerMixin):
    count = forms.IntegerField(label=_("How many cohorts"), initial=1, min_value=1, max_value=12)
    starts_on = forms.DateField(
        label=_("Start date (instead of the recurrence)"),
        required=False,
        widget=DATE_WIDGET,
        input_formats=DATE_FORMATS,
    )
    place = forms.CharField(label=_("Place"), required=False, max_length=200, help_text=_("e.g. Balai Desa Langaleso"))
    capacity = forms.IntegerField(label=_("Places"), required=False, min_value=1, max_value=500)
    facilitators = forms.ModelMultipleChoiceField(
        label=_("Facilitators"), queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    service_field_map = {"facilitator_ids": "facilitators", "region_code": "village"}

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["facilitators"].queryset = staff  # type: ignore[attr-defined]
        self.fields["facilitators"].label_from_instance = lambda user: user.display_name  # type: ignore[attr-defined]
        self.setup_region_picker()

    def to_plan(self) -> CohortPlan:
        c = self.cleaned_data
        return CohortPlan(
            count=c["count"],
            region_code=c.get("region_code") or "",
            place=c.get("place") or "",
            capacity=c.get("capacity"),
            facilitator_ids=[user.pk for user in c.get("facilitators") or []],
            starts_on=c.get("starts_on"),
        )


class BusinessForm(ServiceErrorsMixin):
    name = forms.CharField(label=_("Business name"), max_length=200)
    sector = forms.CharField(label=_("Sector"), max_length=120, help_text=_("e.g. food, crafts, farming, services"))
    mentor = forms.ModelChoiceField(label=_("Mentor"), queryset=User.objects.none())
    started_on = forms.DateField(label=_("Started on"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    capital = forms.DecimalField(label=_("Capital (Rp)"), required=False, decimal_places=0)
    licences = forms.MultipleChoiceField(
        label=_("Licences held"),
        required=False,
        choices=[(c, c) for c in LICENCES],
        widget=forms.CheckboxSelectMultiple,
    )
    employees = forms.IntegerField(label=_("Employees"), initial=0, min_value=0, max_value=10000)
    sales_channel = forms.CharField(
        label=_("Sales channel"),
        required=False,
        max_length=200,
        help_text=_("e.g. market stall, WhatsApp, Pojok Purna PMI"),
    )

    service_field_map = {"mentor_id": "mentor"}

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["mentor"].queryset = staff  # type: ignore[attr-defined]
        self.fields["mentor"].label_from_instance = lambda user: user.display_name  # type: ignore[attr-defined]

    def to_data(self) -> BusinessData:
        c = self.cleaned_data
        return BusinessData(
            name=c["name"],
            sector=c["sector"],
            mentor_id=c["mentor"].pk,
            started_on=c.get("started_on"),
            capital=c.get("capital"),
            licences=list(c.get("licences") or []),
            employees=c.get("employees") or 0,
            sales_channel=c.get("sales_channel") or "",
        )


class CheckForm(ServiceErrorsMixin):
    kind = forms.ChoiceField(label=_("Kind"), choices=CheckKind.choices)
    recorded_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    # No min_value here: the service refuses a negative amount with the message the API gives too.
    monthly_revenue = forms.DecimalField(label=_("Business revenue last month (Rp)"), decimal_places=0)
    household_income = forms.DecimalField(label=_("Household income last month (Rp)"), decimal_places=0)
    employees = forms.IntegerField(label=_("Employees"), initial=0, min_value=0, max_value=10000)
    operating = forms.BooleanField(label=_("The business still operates"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def to_data(self) -> CheckData:
        c = self.cleaned_data
        return CheckData(
            kind=c["kind"],
            recorded_on=c["recorded_on"],
            monthly_revenue=c["monthly_revenue"],
            household_income=c["household_income"],
            employees=c.get("employees") or 0,
            operating=bool(c.get("operating")),
            note=c.get("note") or "",
        )


class VisitForm(ServiceErrorsMixin):
    visited_on = forms.DateField(label=_("Visited on"), widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}))
    photo = forms.FileField(label=_("Photo"), required=False)
