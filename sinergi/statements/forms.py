from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.statements.models import FactKey


class StatementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 10}))


class JustifyForm(forms.Form):
    justification = forms.CharField(label=_("Why this may be published"), widget=forms.Textarea(attrs={"rows": 2}))


class CorrectionForm(forms.Form):
    change_note = forms.CharField(label=_("What the correction changes"), widget=forms.Textarea(attrs={"rows": 2}))


class FactClaimForm(forms.Form):
    key = forms.ChoiceField(label=_("Fact"), choices=FactKey.choices)
    value = forms.CharField(label=_("Value"), max_length=200)
    source = forms.CharField(label=_("Source"), max_length=200)
