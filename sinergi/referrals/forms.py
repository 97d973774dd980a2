"""Forms of the referral pages: they parse input; the services decide and write."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sinergi.cases.models import Urgency
from sinergi.cases.services import AssessmentData
from sinergi.directory.models import Service
from sinergi.referrals.models import LawfulBasis
from sinergi.referrals.services import ConsentOverride
from sinergi.registry.forms import DATE_FORMATS, DATE_WIDGET, ServiceErrorsMixin

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _text(label: StrOrPromise, rows: int = 3, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows}), **kwargs)


class ReasonForm(ServiceErrorsMixin):
    """Reject, fail and revoke: the other agency reads the reason."""

    reason = _text(_("Reason"), max_length=2000)


class ServiceLogForm(ServiceErrorsMixin):
    delivered_on = forms.DateField(
        label=_("Date of the service"), widget=DATE_WIDGET, input_formats=DATE_FORMATS, initial=timezone.localdate
    )
    description = _text(_("What was done"), max_length=4000)


class AssessmentForm(ServiceErrorsMixin):
    summary = _text(_("Findings"), rows=4, max_length=4000)
    needs = _text(_("Needs"), required=False, max_length=4000)
    risk = forms.ChoiceField(label=_("Risk level"), choices=Urgency.choices, initial=Urgency.MEDIUM)
    needs_special_assistance = forms.BooleanField(label=_("Needs special social assistance"), required=False)

    def to_data(self) -> AssessmentData:
        data = self.cleaned_data
        return AssessmentData(
            summary=data["summary"],
            needs=data.get("needs") or "",
            risk=data["risk"],
            needs_special_assistance=data.get("needs_special_assistance", False),
        )


class CompleteForm(ServiceErrorsMixin):
    outcome = _text(_("Outcome of the service"), max_length=4000)
    feedback = _text(_("Feedback to the sending agency"), max_length=4000)


class OverrideForm(ServiceErrorsMixin):
    """A supervisor sends without consent on a lawful basis (UU PDP); both are audited."""

    basis = forms.ChoiceField(label=_("Lawful basis"), choices=[("", "—"), *LawfulBasis.choices])
    override_reason = _text(
        _("Why consent cannot be obtained"),
        max_length=2000,
        help_text=_("Kept in the audit trail. The letter names only the lawful basis."),
    )

    def to_override(self) -> ConsentOverride:
        return ConsentOverride(basis=self.cleaned_data["basis"], reason=self.cleaned_data["override_reason"])


class FollowOnForm(ServiceErrorsMixin):
    """Rujukan lanjutan: another service the joint SOP allows for this case."""

    service = forms.TypedChoiceField(label=_("Service"), coerce=int)
    reason = _text(_("Why this referral"), max_length=4000)

    def __init__(self, *args: Any, services: list[Service], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "—")] + [(s.pk, f"{s.name} — {s.agency.name}") for s in services]  # type: ignore[attr-defined]


class KpiPeriodForm(forms.Form):
    date_from = forms.DateField(label=_("From"), widget=DATE_WIDGET, input_formats=DATE_FORMATS, required=False)
    date_to = forms.DateField(label=_("Until"), widget=DATE_WIDGET, input_formats=DATE_FORMATS, required=False)

    def period(self) -> tuple[date, date]:
        """The chosen days, this year by default; a reversed period is put the right way round."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("date_from") or date(today.year, 1, 1)
        end = data.get("date_to") or today
        return (start, end) if start <= end else (end, start)
