"""Forms of the review pages: they parse input; the services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sinergi.matching.models import Decision, MatchCandidate


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (Decision.SAME, _("Same person: merge the two records")),
            (Decision.DIFFERENT, _("Different persons: never propose this pair again")),
            (Decision.UNSURE, _("Unsure: leave it for a supervisor")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose same person, different persons or unsure.")},
    )
    survivor = forms.TypedChoiceField(
        label=_("Record to keep (the other is merged into it)"), coerce=int, required=False, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)
    # The state the officer saw: a decision made by someone else meanwhile refuses this one.
    expected_decision = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: object, candidate: MatchCandidate, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["survivor"].choices = [  # type: ignore[attr-defined]
            (candidate.person_id, f"{candidate.person.full_name} (#{candidate.person_id})"),
            (candidate.other_person_id, f"{candidate.other_person.full_name} (#{candidate.other_person_id})"),
        ]
        self.fields["expected_decision"].initial = candidate.decision
        self.fields["survivor"].initial = candidate.person_id


class VerifyForm(forms.Form):
    value = forms.CharField(
        label=_("Verified value"),
        max_length=300,
        error_messages={"required": _("Choose the value you checked against a document.")},
    )
