from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.sharing.models import TakeInBasis


class TakeInForm(forms.Form):
    basis = forms.ChoiceField(label=_("Lawful basis"), choices=TakeInBasis.choices)
    basis_note = forms.CharField(
        label=_("Consent record or reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("E.g. the number of the signed consent form, or why the lawful basis applies."),
    )
