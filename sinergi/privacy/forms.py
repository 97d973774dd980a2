"""Forms of the data-subject request pages: they parse; sinergi.privacy.services checks and writes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sinergi.privacy.models import Channel, Outcome, Requester, RequestKind, RequestStatus
from sinergi.registry.forms import ServiceErrorsMixin

FIELD_LABELS = {
    "full_name": _("Full name"),
    "sex": _("Sex (L or P)"),
    "birth_date": _("Birth date (DD-MM-YYYY)"),
    "birth_place": _("Birthplace"),
    "nik": _("NIK"),
    "region_code": _("Region code (Kemendagri)"),
    "address_text": _("Address"),
}


class RequestForm(ServiceErrorsMixin):
    kind = forms.ChoiceField(label=_("What is asked"), choices=RequestKind.choices)
    channel = forms.ChoiceField(label=_("How it arrived"), choices=Channel.choices)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d-%m-%Y %H:%M"],
        help_text=_("Empty: now. The legal clock starts when the request reached the agency."),
    )
    requester = forms.ChoiceField(label=_("Who asked"), choices=Requester.choices)
    requester_name = forms.CharField(label=_("Name of the guardian or proxy"), max_length=200, required=False)
    identity_check = forms.CharField(
        label=_("How identity was checked"),
        max_length=300,
        help_text=_("e.g. KTP shown at the desk; letter of authority and the proxy's KTP; video call."),
    )
    field = forms.ChoiceField(label=_("Field to correct"), choices=[("", "—"), *FIELD_LABELS.items()], required=False)
    proposed_value = forms.CharField(label=_("Correct value"), max_length=300, required=False)
    details = forms.CharField(
        label=_("What the person asks, in their words"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class AnswerForm(ServiceErrorsMixin):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect)
    answer = forms.CharField(label=_("Answer to the person"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    reason = forms.CharField(
        label=_("Reason (required when refused or partly granted)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )


class LiftForm(ServiceErrorsMixin):
    reason = forms.CharField(label=_("Why the restriction is lifted"), max_length=500)


class RequestFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("open", pgettext_lazy("data-subject requests", "Open")), ("", _("All")), *RequestStatus.choices],
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All")), *RequestKind.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
