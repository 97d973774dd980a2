"""Forms of the instrument editor: they parse what an administrator typed; sinergi.assessments.services checks
it against the version and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.assessments.models import QuestionKind, RecommendationKind
from sinergi.assessments.services import RULE_OPS, DomainInput, QuestionInput, RuleInput
from sinergi.registry.forms import ServiceErrorsMixin

OP_LABELS = {
    "eq": _("is"),
    "ne": _("is not"),
    "lt": _("less than"),
    "lte": _("at most"),
    "gt": _("more than"),
    "gte": _("at least"),
    "in": _("one of (comma-separated)"),
    "answered": _("is answered"),
}
CONDITION_ROWS = 3


class InstrumentDraftForm(ServiceErrorsMixin):
    title = forms.CharField(label=_("Title"), max_length=200)
    notes = forms.CharField(label=_("What changed"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DomainForm(ServiceErrorsMixin):
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("e.g. ekonomi; rules name it."))
    name = forms.CharField(label=_("Name"), max_length=120)
    help_text = forms.CharField(label=_("Help text"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=100)
    sensitive = forms.BooleanField(
        label=_("Sensitive (health, psychosocial)"),
        required=False,
        help_text=_("Only social workers and supervisors involved in the case see the answers."),
    )

    def to_data(self) -> DomainInput:
        d = self.cleaned_data
        return DomainInput(
            code=d["code"],
            name=d["name"],
            help_text=d.get("help_text") or "",
            order=d["order"],
            sensitive=d["sensitive"],
        )


class QuestionForm(ServiceErrorsMixin):
    domain_id = forms.TypedChoiceField(label=_("Domain"), coerce=int)
    code = forms.CharField(label=_("Code"), max_length=40, help_text=_("e.g. monthly_income; unique in the version."))
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=QuestionKind.choices)
    label = forms.CharField(label=_("Question"), max_length=300)
    help_text = forms.CharField(label=_("Help text"), max_length=400, required=False)
    required = forms.BooleanField(label=_("Required"), required=False)
    min_value = forms.DecimalField(label=_("Minimum"), required=False, max_digits=14, decimal_places=2)
    max_value = forms.DecimalField(label=_("Maximum"), required=False, max_digits=14, decimal_places=2)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a choice: one per line, value | label | need points 0-100, e.g. none | Tidak ada | 100."),
    )
    scored = forms.BooleanField(label=_("Counts in the domain score"), required=False)
    reverse = forms.BooleanField(label=_("A higher value means less need"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=100)

    def __init__(self, *args: Any, domains: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["domain_id"].choices = domains  # type: ignore[attr-defined]

    def clean_choices(self) -> list[list[Any]]:
        rows: list[list[Any]] = []
        for line in (self.cleaned_data.get("choices") or "").splitlines():
            if line.strip():
                rows.append([part.strip() for part in line.split("|")])
        return rows

    def to_data(self) -> QuestionInput:
        d = self.cleaned_data
        return QuestionInput(
            domain_id=d["domain_id"],
            code=d["code"],
            kind=d["kind"],
            label=d["label"],
            help_text=d.get("help_text") or "",
            required=d["required"],
            min_value=d.get("min_value"),
            max_value=d.get("max_value"),
            choices=d["choices"],
            scored=d["scored"],
            reverse=d["reverse"],
            order=d["order"],
        )

    @staticmethod
    def choices_text(choices: list[list[Any]]) -> str:
        return "\n".join(" | ".join(str(part) for part in row) for row in choices)


class RuleForm(ServiceErrorsMixin):
    """A recommendation rule with up to three conditions, each "subject op value" (all must hold)."""

    kind = forms.ChoiceField(label=_("Recommends a"), choices=RecommendationKind.choices)
    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("ATENSI atensi-a1..a7, an assistance-type code or a programme code."),
    )
    label = forms.CharField(label=_("What is recommended"), max_length=200)
    reason = forms.CharField(label=_("Reason shown"), max_length=300)
    order = forms.IntegerField(label=_("Order"), min_value=0, max_value=32767, initial=100)

    service_field_map = {"conditions": "subject_0"}

    def __init__(self, *args: Any, subjects: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for n in range(CONDITION_ROWS):
            self.fields[f"subject_{n}"] = forms.ChoiceField(
                label=_("Condition %(n)s") % {"n": n + 1}, choices=[("", "—"), *subjects], required=False
            )
            self.fields[f"op_{n}"] = forms.ChoiceField(
                label=_("Operator"), choices=[(op, OP_LABELS[op]) for op in RULE_OPS], required=False
            )
            self.fields[f"value_{n}"] = forms.CharField(label=_("Value"), max_length=200, required=False)

    def condition_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(self[f"subject_{n}"], self[f"op_{n}"], self[f"value_{n}"]) for n in range(CONDITION_ROWS)]

    def to_data(self) -> RuleInput:
        d = self.cleaned_data
        conditions: list[dict[str, Any]] = []
        for n in range(CONDITION_ROWS):
            subject = d.get(f"subject_{n}") or ""
            if not subject or ":" not in subject:
                continue
            which, code = subject.split(":", 1)
            op = d.get(f"op_{n}") or "eq"
            raw = (d.get(f"value_{n}") or "").strip()
            value: Any = raw
            if op == "in":
                value = [part.strip() for part in raw.split(",") if part.strip()]
            elif op in ("lt", "lte", "gt", "gte"):
                value = _typed(raw)
            condition: dict[str, Any] = {which: code, "op": op}
            if op != "answered":
                condition["value"] = value
            conditions.append(condition)
        return RuleInput(
            kind=d["kind"],
            code=d["code"],
            label=d["label"],
            reason=d["reason"],
            conditions=conditions,
            order=d["order"],
        )


def _typed(raw: str) -> Any:
    """A condition's value as the rule compares it: a number when it reads as one, else the text."""
    try:
        number = float(raw.replace(",", "."))
    except ValueError:
        return raw
    return int(number) if number.is_integer() else number
