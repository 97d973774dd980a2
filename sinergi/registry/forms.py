from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.regions.picker import RegionPickerMixin
from sinergi.registry.countries import country_choices
from sinergi.registry.models import BirthDateAccuracy, IdentifierKind, PersonKind, Relationship, Sex
from sinergi.registry.services import EpisodeData, InvalidData, PersonData

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"]


class ServiceErrorsMixin(forms.Form):
    # Service field names that a form shows under another field.
    service_field_map: dict[str, str] = {}

    def add_service_errors(self, error: InvalidData) -> None:
        for field, messages in error.errors.items():
            target = self.service_field_map.get(field, field)
            for message in messages:
                self.add_error(target if target in self.fields else None, message)


class PersonSearchForm(RegionPickerMixin):
    q = forms.CharField(label=_("Name or NIK"), required=False, max_length=200)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    birth_year = forms.IntegerField(label=_("Birth year"), required=False, min_value=1900, max_value=2100)


class PersonForm(ServiceErrorsMixin, RegionPickerMixin):
    full_name = forms.CharField(label=_("Full name"), max_length=200, help_text=_("As written on the KTP or passport."))
    aliases = forms.CharField(
        label=_("Other names"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: nickname, other spelling, name in the passport."),
    )
    kind = forms.ChoiceField(label=_("Status"), choices=PersonKind.choices)
    nik = forms.CharField(
        label=_("NIK"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("16 digits from the KTP or KK. Leave empty if unknown."),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    birth_date = forms.DateField(label=_("Birth date"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    birth_date_accuracy = forms.ChoiceField(
        label=_("Birth date is"), choices=BirthDateAccuracy.choices, initial=BirthDateAccuracy.EXACT
    )
    birth_place = forms.CharField(label=_("Birthplace"), required=False, max_length=120)
    address_text = forms.CharField(
        label=_("Address"), required=False, max_length=300, help_text=_("Street, RT/RW, hamlet (dusun).")
    )
    phone = forms.CharField(
        label=_("Phone / WhatsApp"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
        help_text=_("Indonesian numbers may start with 0; foreign numbers need their country code, e.g. +60."),
    )
    flag_child = forms.BooleanField(label=_("Child (under 18)"), required=False)
    flag_disability = forms.BooleanField(label=_("Person with disability"), required=False)
    flag_trafficking = forms.BooleanField(label=_("Suspected trafficking victim (TPPO)"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    confirm_new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    service_field_map = {"region_code": "province", "phones": "phone"}

    def __init__(self, *args: Any, region_code: str | None = None, with_phone: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_region_picker(region_code)
        if not with_phone:
            del self.fields["phone"]

    def to_data(self) -> PersonData:
        cleaned = self.cleaned_data
        return PersonData(
            full_name=cleaned["full_name"],
            kind=cleaned["kind"],
            sex=cleaned.get("sex") or "",
            birth_date=cleaned.get("birth_date"),
            birth_date_accuracy=cleaned["birth_date_accuracy"],
            birth_place=cleaned.get("birth_place") or "",
            nik=cleaned.get("nik") or "",
            region_code=cleaned.get("region_code") or "",
            address_text=cleaned.get("address_text") or "",
            flag_child=cleaned.get("flag_child", False),
            flag_disability=cleaned.get("flag_disability", False),
            flag_trafficking=cleaned.get("flag_trafficking", False),
            aliases=(cleaned.get("aliases") or "").splitlines(),
            phones=[cleaned["phone"]] if cleaned.get("phone") else [],
        )


class IdentifierForm(ServiceErrorsMixin):
    kind = forms.ChoiceField(label=_("Kind"), choices=IdentifierKind.choices)
    value = forms.CharField(label=_("Number"), max_length=40)


class PhoneForm(ServiceErrorsMixin):
    number = forms.CharField(label=_("Number"), max_length=40, widget=forms.TextInput(attrs={"inputmode": "tel"}))
    label = forms.CharField(label=_("Label"), max_length=60, required=False)


class FamilyLinkForm(ServiceErrorsMixin):
    relationship = forms.ChoiceField(label=_("Relationship"), choices=Relationship.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    is_next_of_kin = forms.BooleanField(label=_("Next of kin"), required=False)


class EpisodeForm(ServiceErrorsMixin):
    destination_country = forms.ChoiceField(label=_("Destination country"))
    employer = forms.CharField(label=_("Employer"), max_length=200, required=False)
    employer_phone = forms.CharField(label=_("Employer phone"), max_length=40, required=False)
    placement_company = forms.CharField(label=_("Placement company (P3MI)"), max_length=200, required=False)
    job = forms.CharField(label=_("Job"), max_length=120, required=False)
    departure_date = forms.DateField(
        label=_("Departure"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS
    )
    return_date = forms.DateField(label=_("Return"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    procedural = forms.NullBooleanField(
        label=_("Procedural departure"),
        widget=forms.Select(
            choices=[("unknown", _("Unknown")), ("true", _("Yes, procedural")), ("false", _("No, nonprocedural"))]
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A callable: read only when the form is validated or rendered. The person page renders the empty form
        # from its cache (registry/_add_form.html), so it no longer builds 250 choices on every view.
        self.fields["destination_country"].choices = country_choices  # type: ignore[attr-defined]

    def to_data(self) -> EpisodeData:
        cleaned = self.cleaned_data
        return EpisodeData(
            destination_country=cleaned["destination_country"],
            employer=cleaned.get("employer") or "",
            employer_phone=cleaned.get("employer_phone") or "",
            placement_company=cleaned.get("placement_company") or "",
            job=cleaned.get("job") or "",
            departure_date=cleaned.get("departure_date"),
            return_date=cleaned.get("return_date"),
            procedural=cleaned.get("procedural"),
        )
