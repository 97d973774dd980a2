"""Case forms: they parse what the user typed; the services in `cases.services` check and write."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.accounts.models import User
from sinergi.cases.models import (
    AttachmentKind,
    CaseOutcome,
    CaseStatus,
    Channel,
    ClosureReason,
    Complainant,
    ComplaintCategory,
    ConsentDecision,
    ConsentGiver,
    ConsentMethod,
    ConsentScope,
    Phase,
    Urgency,
)
from sinergi.cases.selectors import CaseFilter
from sinergi.cases.services import AssessmentData, CaseData, ConsentData
from sinergi.directory.models import Service
from sinergi.regions.models import Region, RegionLevel
from sinergi.registry.countries import country_choices
from sinergi.registry.forms import DATE_FORMATS, DATE_WIDGET, ServiceErrorsMixin

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d-%m-%Y %H:%M", "%d/%m/%Y %H:%M"]
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
OPEN = "open"


def _now_to_the_minute() -> Any:
    return timezone.localtime().replace(second=0, microsecond=0)


class ProceduralSelect(forms.NullBooleanSelect):
    """Unknown / yes / no, worded for a departure (NullBooleanSelect keeps True/False/None round-tripping)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.choices = [
            ("unknown", _("Unknown")),
            ("true", _("Yes, procedural")),
            ("false", _("No, nonprocedural")),
        ]


# --- list filters -----------------------------------------------------------------------------------------


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    category = forms.ChoiceField(label=_("Complaint category"), required=False)
    regency = forms.ChoiceField(label=_("Regency/city of the person"), required=False)
    destination = forms.ChoiceField(label=_("Destination country"), required=False)
    overdue = forms.BooleanField(label=_("Only with an overdue referral step"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            ("", _("All")),
            (OPEN, _("Open (not resolved or closed)")),
            *CaseStatus.choices,
        ]
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", _("All")),
            *ComplaintCategory.objects.filter(is_active=True).values_list("code", "name"),
        ]
        regencies = Region.objects.filter(level=RegionLevel.REGENCY, parent_id=settings.SINERGI_HOME_PROVINCE)
        self.fields["regency"].choices = [  # type: ignore[attr-defined]
            ("", _("All")),
            *regencies.order_by("name").values_list("code", "name"),
        ]
        self.fields["destination"].choices = [("", _("All")), *country_choices()[1:]]  # type: ignore[attr-defined]

    @property
    def is_filtering(self) -> bool:
        return self.is_bound and any(self.data.get(name) for name in self.fields)

    def to_filter(self) -> CaseFilter:
        cleaned = self.cleaned_data
        return CaseFilter(
            status=cleaned.get("status") or "",
            category=cleaned.get("category") or "",
            regency=cleaned.get("regency") or "",
            destination=cleaned.get("destination") or "",
            overdue=bool(cleaned.get("overdue")),
        )


# --- intake -----------------------------------------------------------------------------------------------


class PersonPickForm(forms.Form):
    q = forms.CharField(label=_("Name or NIK of the PMI"), required=False, max_length=200)


class CaseForm(ServiceErrorsMixin):
    person = forms.IntegerField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(label=_("How the complaint came in"), choices=[("", "—"), *Channel.choices])
    received_at = forms.DateTimeField(
        label=_("Received at (WITA)"), widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS
    )
    complainant_type = forms.ChoiceField(
        label=_("Who complained"), choices=Complainant.choices, widget=forms.RadioSelect, initial=Complainant.SELF
    )
    complainant_name = forms.CharField(
        label=_("Complainant name"),
        required=False,
        max_length=200,
        help_text=_("Needed when the family or a third party complained."),
    )
    complainant_contact = forms.CharField(
        label=_("Complainant contact"),
        required=False,
        max_length=120,
        help_text=_("Phone, WhatsApp or e-mail to reach the complainant."),
    )
    categories = forms.MultipleChoiceField(
        label=_("Complaint categories"), widget=forms.CheckboxSelectMultiple, help_text=_("Choose all that apply.")
    )
    phase = forms.ChoiceField(label=_("When it happened"), choices=Phase.choices, widget=forms.RadioSelect)
    destination_country = forms.ChoiceField(label=_("Destination country"), required=False)
    employer = forms.CharField(label=_("Employer"), required=False, max_length=200)
    placement_company = forms.CharField(label=_("Placement company (P3MI)"), required=False, max_length=200)
    procedural = forms.NullBooleanField(label=_("Procedural departure"), required=False, widget=ProceduralSelect)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, widget=forms.RadioSelect, initial=Urgency.MEDIUM
    )
    flag_trafficking = forms.BooleanField(label=_("Suspected trafficking (TPPO)"), required=False)
    flag_child = forms.BooleanField(label=_("Child (under 18)"), required=False)
    flag_disability = forms.BooleanField(label=_("Person with disability"), required=False)
    narrative = forms.CharField(
        label=_("What happened"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The complaint in the complainant's words: what, where, since when, what they ask for."),
    )

    service_field_map = {"category_codes": "categories", "person_id": "person"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = list(  # type: ignore[attr-defined]
            ComplaintCategory.objects.filter(is_active=True).values_list("code", "name")
        )
        self.fields["destination_country"].choices = country_choices()  # type: ignore[attr-defined]
        if not self.is_bound and "received_at" not in self.initial:
            self.initial["received_at"] = _now_to_the_minute()

    def to_data(self) -> CaseData:
        cleaned = self.cleaned_data
        return CaseData(
            person_id=cleaned["person"],
            channel=cleaned["channel"],
            received_at=cleaned.get("received_at"),
            complainant_type=cleaned["complainant_type"],
            complainant_name=cleaned.get("complainant_name") or "",
            complainant_contact=cleaned.get("complainant_contact") or "",
            category_codes=list(cleaned["categories"]),
            phase=cleaned["phase"],
            destination_country=cleaned.get("destination_country") or "",
            employer=cleaned.get("employer") or "",
            placement_company=cleaned.get("placement_company") or "",
            procedural=cleaned.get("procedural"),
            urgency=cleaned["urgency"],
            flag_trafficking=cleaned.get("flag_trafficking", False),
            flag_child=cleaned.get("flag_child", False),
            flag_disability=cleaned.get("flag_disability", False),
            narrative=cleaned.get("narrative") or "",
        )


# --- status -----------------------------------------------------------------------------------------------


class StatusForm(ServiceErrorsMixin):
    to_status = forms.ChoiceField(choices=CaseStatus.choices, widget=forms.HiddenInput)
    closure_reason = forms.ChoiceField(
        label=_("Closure reason"), required=False, choices=[("", "—"), *ClosureReason.choices]
    )
    reason = forms.CharField(
        label=_("Why"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required when closing: what was done and why the case ends here."),
    )
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", "—"), *CaseOutcome.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Several forms share the detail page: ids must not clash with the referral form's "reason".
        kwargs.setdefault("auto_id", "close_%s")
        super().__init__(*args, **kwargs)
        if self.auto_id == "resolve_%s":
            self.fields["reason"].label = _("Closing summary")
            self.fields["reason"].help_text = _("What was done for the person and how it ended.")


# --- timeline sections ------------------------------------------------------------------------------------


class NoteForm(ServiceErrorsMixin):
    text = forms.CharField(label=_("Note"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))


class TaskForm(ServiceErrorsMixin):
    title = forms.CharField(label=_("What needs to be done"), max_length=200)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    assignee = forms.TypedChoiceField(label=_("Assignee"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, colleagues: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((user.pk, user.display_name) for user in colleagues),
        ]


class AssessmentForm(ServiceErrorsMixin):
    summary = forms.CharField(
        label=_("Findings"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Physical and psychological condition, family situation, documents, what the person wants."),
    )
    needs = forms.CharField(label=_("Needs"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    risk = forms.ChoiceField(label=_("Risk level"), choices=Urgency.choices, initial=Urgency.MEDIUM)
    needs_special_assistance = forms.BooleanField(label=_("Needs special social assistance"), required=False)

    def to_data(self) -> AssessmentData:
        cleaned = self.cleaned_data
        return AssessmentData(
            summary=cleaned["summary"],
            needs=cleaned.get("needs") or "",
            risk=cleaned["risk"],
            needs_special_assistance=cleaned.get("needs_special_assistance", False),
        )


class PlanForm(ServiceErrorsMixin):
    goals = forms.CharField(label=_("Goals"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    activities = forms.CharField(
        label=_("Planned activities"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Who does what, by when."),
    )


class ConsentForm(ServiceErrorsMixin):
    scope = forms.ChoiceField(label=_("Purpose"), choices=ConsentScope.choices)
    decision = forms.ChoiceField(
        label=_("Decision"), choices=ConsentDecision.choices, initial=ConsentDecision.GIVEN, required=False
    )
    given_by = forms.ChoiceField(label=_("Given by"), choices=ConsentGiver.choices)
    giver_name = forms.CharField(label=_("Name of the person consenting"), max_length=200)
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)
    given_at = forms.DateTimeField(
        label=_("Given at (WITA)"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=_("Leave empty for now."),
    )
    expires_at = forms.DateTimeField(
        label=_("Valid until (WITA)"),
        required=False,
        widget=DATETIME_WIDGET,
        input_formats=DATETIME_FORMATS,
        help_text=_("Leave empty if the consent has no end date. Sharing under it stops at that moment."),
    )

    def to_data(self) -> ConsentData:
        cleaned = self.cleaned_data
        return ConsentData(
            scope=cleaned["scope"],
            decision=cleaned.get("decision") or ConsentDecision.GIVEN,
            given_by=cleaned["given_by"],
            giver_name=cleaned["giver_name"],
            method=cleaned["method"],
            given_at=cleaned.get("given_at"),
            expires_at=cleaned.get("expires_at"),
        )


class WithdrawConsentForm(forms.Form):
    note = forms.CharField(
        label=_("How the person withdrew"),
        required=False,
        max_length=500,
        help_text=_("For example: by telephone to the case worker, letter dated …"),
    )


class AttachmentForm(ServiceErrorsMixin):
    kind = forms.ChoiceField(label=_("Kind of document"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, JPG, PNG, DOCX or XLSX, at most 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.docx,.xlsx"}),
    )


class ReferralForm(ServiceErrorsMixin):
    service = forms.TypedChoiceField(label=_("Service"), coerce=int)
    reason = forms.CharField(
        label=_("Why this referral"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the person needs from the receiving agency."),
    )

    def __init__(self, *args: Any, services: Iterable[Service] = (), **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "refer_%s")
        super().__init__(*args, **kwargs)
        # Grouped by agency: <optgroup label="Sentra Nipotowe Palu">…</optgroup>
        groups: dict[str, list[tuple[int, str]]] = {}
        for service in services:
            groups.setdefault(service.agency.name, []).append((service.pk, service.name))
        self.fields["service"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((agency, options) for agency, options in groups.items()),
        ]
