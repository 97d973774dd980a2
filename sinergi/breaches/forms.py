"""Forms of the breach pages; they parse input only, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Agency
from sinergi.breaches.models import DataCategory, NoticeRecipient
from sinergi.breaches.services import AssessmentData, ReportData
from sinergi.cases.forms import DATETIME_FORMATS, DATETIME_WIDGET
from sinergi.registry.forms import ServiceErrorsMixin


class ReportForm(ServiceErrorsMixin):
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("Which data, where, who may have seen it. No names or NIKs of the persons concerned."),
    )
    discovered_at = forms.DateTimeField(
        label=_("Discovered at (WITA)"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    how_found = forms.CharField(
        label=_("How it was found"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("E.g. a complaint, a lost phone or laptop, a message sent to the wrong group."),
    )
    occurred_at = forms.DateTimeField(
        label=_("Happened at (WITA), if known"), required=False, widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )

    def to_data(self) -> ReportData:
        c = self.cleaned_data
        return ReportData(
            description=c["description"],
            discovered_at=c["discovered_at"],
            how_found=c["how_found"],
            occurred_at=c.get("occurred_at"),
        )


class AssessForm(ServiceErrorsMixin):
    service_field_map = {"affected_person_ids": "affected_persons", "partner_agency_id": "partner_agency"}

    confirmed = forms.TypedChoiceField(
        label=_("Assessment"),
        choices=[("1", _("Confirmed: personal data was exposed")), ("0", _("Dismissed: not a breach"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
    )
    dismissal_reason = forms.CharField(
        label=_("Why it is not a breach"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    data_categories = forms.MultipleChoiceField(
        label=_("Personal data involved"),
        choices=DataCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    persons_affected = forms.IntegerField(label=_("Persons affected (approximately)"), required=False, min_value=0)
    affected_persons = forms.CharField(
        label=_("Registry persons affected (ids, optional)"),
        required=False,
        max_length=2000,
        help_text=_("Numbers of your agency's person records, separated by commas."),
    )
    cause = forms.CharField(label=_("Cause"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    containment = forms.CharField(
        label=_("Containment: what was done to stop it"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    recovery = forms.CharField(
        label=_("Recovery: what is being done to recover"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=5000,
    )
    discovered_at = forms.DateTimeField(
        label=_("Discovered at (WITA)"),
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=_("Correct it if the agency knew earlier than reported: the deadline moves with it."),
    )
    partner_agency = forms.ModelChoiceField(
        label=_("Partner agency whose shared data was involved"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label="—",
    )

    def __init__(self, *args: Any, agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["partner_agency"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Agency.objects.filter(is_active=True).exclude(id=agency_id or 0).order_by("name")

    def clean_affected_persons(self) -> list[int]:
        raw = self.cleaned_data.get("affected_persons") or ""
        parts = [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
        if not all(part.isdigit() and len(part) < 12 for part in parts):
            raise forms.ValidationError(_("Write person numbers only, separated by commas (e.g. 12, 40)."))
        return [int(part) for part in parts]

    def to_data(self) -> AssessmentData:
        c = self.cleaned_data
        partner = c.get("partner_agency")
        return AssessmentData(
            confirmed=bool(c["confirmed"]),
            dismissal_reason=c.get("dismissal_reason") or "",
            data_categories=list(c.get("data_categories") or []),
            persons_affected=c.get("persons_affected"),
            affected_person_ids=c.get("affected_persons") or [],
            cause=c.get("cause") or "",
            containment=c.get("containment") or "",
            recovery=c.get("recovery") or "",
            partner_agency_id=partner.pk if partner is not None else None,
            discovered_at=c.get("discovered_at"),
        )


class NoticeForm(ServiceErrorsMixin):
    recipient = forms.ChoiceField(
        label=_("Who was notified"), choices=NoticeRecipient.choices, widget=forms.RadioSelect
    )
    notified_at = forms.DateTimeField(
        label=_("Notified at (WITA)"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    how = forms.CharField(
        label=_("How"),
        max_length=300,
        help_text=_("E.g. letter no. 123/BP3MI/2026 by courier, e-mail, the authority's portal, WhatsApp."),
    )
