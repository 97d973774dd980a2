"""Outreach forms: parse into the services' data classes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import User
from sinergi.cases.models import ComplaintCategory
from sinergi.outreach.models import AgeGroup, AttendeeSex, FollowUpKind, TargetGroup
from sinergi.outreach.services import EventData, FollowUpData
from sinergi.programmes.models import ProgrammeType
from sinergi.regions.picker import RegionPickerMixin
from sinergi.registry.forms import DATE_FORMATS, DATE_WIDGET, ServiceErrorsMixin


def count_field_name(sex: str, age: str) -> str:
    return f"count_{sex}_{age.replace('+', 'plus').replace('-', '_')}"


class EventForm(ServiceErrorsMixin, RegionPickerMixin):
    held_on = forms.DateField(label=_("Date"), widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    place = forms.CharField(label=_("Place"), max_length=200)
    topic = forms.CharField(
        label=_("Topic"), max_length=200, help_text=_("e.g. Safe migration and the risks of trafficking")
    )
    target_group = forms.ChoiceField(label=_("Target group"), choices=TargetGroup.choices)
    counsellor = forms.ModelChoiceField(label=_("Counsellor"), queryset=User.objects.none())
    materials = forms.CharField(label=_("Materials"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    service_field_map = {"counsellor_id": "counsellor", "region_code": "village"}

    def __init__(self, *args: Any, staff: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff is not None:
            self.fields["counsellor"].queryset = staff  # type: ignore[attr-defined]
        self.fields["counsellor"].label_from_instance = lambda user: user.display_name  # type: ignore[attr-defined]
        for sex, sex_label in AttendeeSex.choices:
            for age, age_label in AgeGroup.choices:
                self.fields[count_field_name(sex, age)] = forms.IntegerField(
                    label=f"{sex_label}, {age_label}", min_value=0, initial=0, required=False
                )
        self.setup_region_picker()

    def count_fields(self) -> list[forms.BoundField]:
        return [self[count_field_name(sex, age)] for sex in AttendeeSex.values for age in AgeGroup.values]

    def to_data(self) -> EventData:
        c = self.cleaned_data
        return EventData(
            held_on=c["held_on"],
            place=c["place"],
            topic=c["topic"],
            target_group=c["target_group"],
            counsellor_id=c["counsellor"].pk,
            region_code=c.get("region_code") or "",
            materials=c.get("materials") or "",
            counts={
                (sex, age): c.get(count_field_name(sex, age)) or 0
                for sex in AttendeeSex.values
                for age in AgeGroup.values
            },
        )


class NamedAttendeeForm(ServiceErrorsMixin):
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    agreed = forms.BooleanField(label=_("They agree to leave their name and contact"), required=False)


class FollowUpForm(ServiceErrorsMixin):
    kind = forms.ChoiceField(label=_("For"), choices=FollowUpKind.choices, widget=forms.RadioSelect)
    description = forms.CharField(label=_("What was raised"), widget=forms.Textarea(attrs={"rows": 3}))
    reporter_name = forms.CharField(
        label=_("Reported by"), max_length=200, required=False, help_text=_("e.g. the mother of the PMI")
    )
    reporter_contact = forms.CharField(label=_("Reporter's contact"), max_length=120, required=False)
    programme_type = forms.ChoiceField(
        label=_("Programme wanted"), choices=[("", "—"), *ProgrammeType.choices], required=False
    )
    categories = forms.MultipleChoiceField(
        label=_("Complaint categories"), required=False, widget=forms.CheckboxSelectMultiple
    )

    service_field_map = {"category_codes": "categories"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = list(  # type: ignore[attr-defined]
            ComplaintCategory.objects.filter(is_active=True).values_list("code", "name")
        )

    def to_data(self) -> FollowUpData:
        c = self.cleaned_data
        return FollowUpData(
            kind=c["kind"],
            description=c["description"],
            reporter_name=c.get("reporter_name") or "",
            reporter_contact=c.get("reporter_contact") or "",
            programme_type=c.get("programme_type") or "",
            category_codes=list(c.get("categories") or []),
        )
