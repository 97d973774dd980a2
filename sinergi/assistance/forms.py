"""Forms of the special-assistance pages: they parse input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Agency
from sinergi.assistance.models import AssistanceNeed, AssistanceStatus
from sinergi.assistance.selectors import EntryFilter
from sinergi.assistance.services import ProposalData
from sinergi.referrals.models import LawfulBasis
from sinergi.referrals.services import ConsentOverride
from sinergi.registry.forms import DATE_FORMATS, DATE_WIDGET, ServiceErrorsMixin


class EntryFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    agency = forms.TypedChoiceField(label=_("Agency"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(
        label=_("Status since, from"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS
    )
    date_to = forms.DateField(label=_("Until"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS)

    def __init__(self, *args: Any, agencies: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All")), *AssistanceStatus.choices]  # type: ignore[attr-defined]
        self.fields["agency"].choices = [("", _("All")), *((a.pk, a.name) for a in agencies)]  # type: ignore[attr-defined]

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def to_filter(self) -> EntryFilter:
        data = self.cleaned_data
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            start, end = end, start
        return EntryFilter(status=data.get("status") or "", agency_id=data.get("agency"), date_from=start, date_to=end)


class ProposalForm(ServiceErrorsMixin):
    service_field_map = {"partner_agency_id": "partner"}

    partner = forms.TypedChoiceField(
        label=_("Partner agency"),
        coerce=int,
        help_text=_("A supervisor of this agency and one of yours must both agree before the person is on the list."),
    )
    needs = forms.MultipleChoiceField(
        label=_("Assistance needed"), choices=AssistanceNeed.choices, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(
        label=_("Note for the partner agency"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the person needs and why, in a few sentences. The partner agency reads it."),
    )
    basis = forms.ChoiceField(label=_("Lawful basis"), required=False, choices=[("", "—"), *LawfulBasis.choices])
    override_reason = forms.CharField(
        label=_("Why consent cannot be obtained"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only when no consent is recorded. Kept in the audit trail."),
    )

    def __init__(self, *args: Any, partners: list[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(a.pk, a.name) for a in partners]
        self.fields["partner"].choices = choices if len(choices) == 1 else [("", "—"), *choices]  # type: ignore[attr-defined]

    def to_data(self, case_id: int) -> ProposalData:
        data = self.cleaned_data
        override = None
        if data.get("basis") or data.get("override_reason"):
            override = ConsentOverride(basis=data.get("basis") or "", reason=data.get("override_reason") or "")
        return ProposalData(
            case_id=case_id,
            partner_agency_id=data["partner"],
            needs=list(data["needs"]),
            note=data.get("note") or "",
            override=override,
        )


class WithdrawForm(ServiceErrorsMixin):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The other agency reads it."),
    )
