"""The audit page's search form: it parses the query; the selector decides what matches."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.audit.selectors import AuditSearch
from sinergi.registry.forms import DATE_FORMATS, DATE_WIDGET

# The actions an auditor most often looks for; "xxx." finds every action of that kind.
ACTION_CHOICES = [
    ("", _("all")),
    ("person.viewed", _("opened a person record")),
    ("person.registered", _("registered a person")),
    ("person.updated", _("changed a person")),
    ("person.", _("anything on person records")),
    ("case.", _("cases")),
    ("referral.", _("referrals")),
    ("import.", _("imports")),
    ("audit.", _("audit trail exports")),
]


class AuditSearchForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=60)
    actor = forms.CharField(label=_("Who (user name or name)"), required=False, max_length=150)
    person = forms.IntegerField(label=_("Person number"), required=False, min_value=1)
    text = forms.CharField(label=_("Summary or record number contains"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    date_to = forms.DateField(label=_("Until"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS)

    def search(self) -> AuditSearch:
        """The search the valid part of the form asks for (an invalid field is left out, and shown)."""
        data = (
            self.cleaned_data
            if self.is_valid()
            else {name: value for name, value in getattr(self, "cleaned_data", {}).items() if name not in self.errors}
        )
        return AuditSearch(
            action=(data.get("action") or "").strip(),
            actor=(data.get("actor") or "").strip(),
            person=data.get("person"),
            text=(data.get("text") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )
