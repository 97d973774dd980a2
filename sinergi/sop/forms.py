"""Forms of the SOP editor: they parse; sinergi.sop.services checks and writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import Agency
from sinergi.directory.models import Service
from sinergi.registry.forms import DATE_FORMATS, DATE_WIDGET, ServiceErrorsMixin
from sinergi.sop.models import SharedSection, SlaUnit, SopDocument, SopRoute
from sinergi.sop.services import RouteData, SopVersionData

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class SopVersionForm(ServiceErrorsMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    version = forms.CharField(label=_("Version"), max_length=20)
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    effective_to = forms.DateField(
        label=_("Effective until"), widget=DATE_WIDGET, input_formats=DATE_FORMATS, required=False
    )
    signatories = forms.ModelMultipleChoiceField(
        label=_("Signed by"),
        queryset=Agency.objects.filter(is_active=True).order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    copy_from = forms.ModelChoiceField(
        label=_("Copy the routes of"),
        queryset=SopDocument.objects.order_by("-effective_from", "-id"),
        required=False,
        empty_label=_("(start without routes)"),
    )

    service_field_map = {"signatory_ids": "signatories"}

    def __init__(self, *args: Any, creating: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["copy_from"]

    def to_data(self) -> SopVersionData:
        data = self.cleaned_data
        return SopVersionData(
            title=data["title"],
            version=data["version"],
            effective_from=data["effective_from"],
            effective_to=data.get("effective_to"),
            notes=data.get("notes") or "",
            signatory_ids=[agency.pk for agency in data.get("signatories") or []],
        )


def _amount(label: StrOrPromise, required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=1, max_value=365, required=required)


def _unit() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("unit"), choices=SlaUnit.choices, initial=SlaUnit.WORKING_DAYS)


class RouteForm(ServiceErrorsMixin):
    services = forms.ModelMultipleChoiceField(
        label=_("Services it may be referred to"),
        queryset=Service.objects.filter(is_active=True).select_related("agency").order_by("agency__name", "name"),
        widget=forms.CheckboxSelectMultiple,
    )
    consent_scope = forms.ChoiceField(
        label=_("Consent required"),
        choices=SopRoute._meta.get_field("consent_scope").choices,  # type: ignore[arg-type]
        required=False,
    )
    shared_sections = forms.MultipleChoiceField(
        label=_("Sections shared with the receiver"),
        choices=SharedSection.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Need to know: share only what the receiving service needs. Trafficking cases: no contacts."),
    )
    ack_within = _amount(_("Acknowledge within"))
    ack_unit = _unit()
    accept_within = _amount(_("Accept or reject within"))
    accept_unit = _unit()
    first_service_within = _amount(_("First service within"))
    first_service_unit = _unit()
    complete_within = _amount(_("Complete within"), required=False)
    complete_unit = _unit()
    escalate_after = forms.IntegerField(
        label=_("Escalate to the sender's supervisor after (working days)"),
        min_value=1,
        max_value=30,
        help_text=_("Counted from the alert to the receiving supervisor."),
    )

    service_field_map = {"service_ids": "services"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["services"].label_from_instance = lambda s: f"{s.name} — {s.agency.name}"  # type: ignore[attr-defined]

    @classmethod
    def initial_for(cls, route: SopRoute) -> dict[str, Any]:
        names = [name for name in cls.base_fields if name != "services"]
        initial = {name: getattr(route, name) for name in names}
        initial["services"] = list(route.services.all())
        return initial

    def to_data(self) -> RouteData:
        data = self.cleaned_data
        return RouteData(
            service_ids=[service.pk for service in data["services"]],
            consent_scope=data.get("consent_scope") or "",
            shared_sections=list(data.get("shared_sections") or []),
            ack_within=data["ack_within"],
            ack_unit=data["ack_unit"],
            accept_within=data["accept_within"],
            accept_unit=data["accept_unit"],
            first_service_within=data["first_service_within"],
            first_service_unit=data["first_service_unit"],
            complete_within=data.get("complete_within"),
            complete_unit=data["complete_unit"],
            escalate_after=data["escalate_after"],
        )
