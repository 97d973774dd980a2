"""Forms of the assistance-type editor: they parse; sinergi.benefits.services checks and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.benefits.models import AssistanceType, AtensiComponent
from sinergi.cases.models import ComplaintCategory
from sinergi.registry.forms import DATE_FORMATS, DATE_WIDGET, ServiceErrorsMixin


class AssistanceTypeForm(ServiceErrorsMixin):
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("e.g. modal_usaha. The same code across agencies means the same assistance (duplicate check)."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    atensi_component = forms.ChoiceField(label=_("ATENSI component"), choices=AtensiComponent.choices, required=False)
    default_amount = forms.CharField(label=_("Amount (Rp)"), max_length=20, initial="0")
    items = forms.CharField(label=_("Items"), max_length=300, required=False, help_text=_("For a package."))
    returned_within_months = forms.IntegerField(
        label=_("Only for persons who returned within (months)"), required=False, min_value=1, max_value=240
    )
    max_decile = forms.IntegerField(
        label=_("Only for welfare decile at most"), required=False, min_value=1, max_value=10
    )
    case_categories = forms.MultipleChoiceField(
        label=_("Only for cases of category"), required=False, widget=forms.CheckboxSelectMultiple
    )
    recommended = forms.BooleanField(label=_("Only when the latest assessment recommends it"), required=False)
    overlaps_with = forms.CharField(
        label=_("Counts as the same help as (codes)"),
        max_length=300,
        required=False,
        help_text=_("Comma-separated codes of other assistance, for the duplicate check."),
    )
    duplicate_window_days = forms.IntegerField(
        label=_("Duplicate check window (days)"), min_value=1, max_value=3650, initial=365
    )

    service_field_map = {"eligibility": "returned_within_months"}

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case_categories"].choices = [  # type: ignore[attr-defined]
            (c.code, c.name) for c in ComplaintCategory.objects.filter(is_active=True).order_by("order", "name")
        ]
        if editing:
            self.fields["code"].disabled = True

    @classmethod
    def initial_for(cls, kind: AssistanceType) -> dict[str, Any]:
        rules = {r.get("rule"): r.get("value", True) for r in kind.eligibility}
        return {
            "code": kind.code,
            "name": kind.name,
            "atensi_component": kind.atensi_component,
            "default_amount": f"{kind.default_amount:.0f}",
            "items": kind.items,
            "returned_within_months": rules.get("returned_within_months"),
            "max_decile": rules.get("max_decile"),
            "case_categories": rules.get("case_category") or [],
            "recommended": "recommended" in rules,
            "overlaps_with": ", ".join(kind.overlaps_with),
            "duplicate_window_days": kind.duplicate_window_days,
        }

    def to_kwargs(self) -> dict[str, Any]:
        d = self.cleaned_data
        eligibility: list[dict[str, object]] = []
        if d.get("returned_within_months"):
            eligibility.append({"rule": "returned_within_months", "value": d["returned_within_months"]})
        if d.get("max_decile"):
            eligibility.append({"rule": "max_decile", "value": d["max_decile"]})
        if d.get("case_categories"):
            eligibility.append({"rule": "case_category", "value": list(d["case_categories"])})
        if d.get("recommended"):
            eligibility.append({"rule": "recommended"})
        return {
            "code": d["code"].strip(),
            "name": d["name"],
            "atensi_component": d.get("atensi_component") or "",
            "default_amount": d["default_amount"],
            "items": d.get("items") or "",
            "eligibility": eligibility,
            "overlaps_with": [c.strip() for c in (d.get("overlaps_with") or "").split(",") if c.strip()],
            "duplicate_window_days": d["duplicate_window_days"],
        }


class BudgetForm(ServiceErrorsMixin):
    period_start = forms.DateField(label=_("From"), widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    period_end = forms.DateField(label=_("Until"), widget=DATE_WIDGET, input_formats=DATE_FORMATS)
    amount = forms.CharField(label=_("Budget (Rp)"), max_length=20, help_text=_("e.g. 50000000"))
