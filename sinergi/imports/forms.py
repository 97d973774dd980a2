from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sinergi.imports.columns import FIELD_LABELS
from sinergi.imports.uploads import max_bytes
from sinergi.sources.models import DataSource


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Export file (CSV or XLSX)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    source = forms.ModelChoiceField(
        label=gettext_lazy("Source"),
        queryset=DataSource.objects.none(),
        required=False,
        empty_label=gettext_lazy("— a new source —"),
        help_text=gettext_lazy("The system the file was exported from. Its column choices are remembered."),
    )
    new_source = forms.CharField(
        label=gettext_lazy("Name of a new source"),
        required=False,
        max_length=120,
        help_text=gettext_lazy("e.g. Ekspor Sisko P2MI, Ekspor SIKS-NG"),
    )

    def __init__(self, *args: Any, sources: QuerySet[DataSource], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = sources  # type: ignore[attr-defined]
        limit = max_bytes() // (1024 * 1024)
        self.fields["file"].help_text = _("At most %(limit)s MB. Old Excel files (.xls): save as .xlsx first.") % {
            "limit": limit
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("source") and not (cleaned.get("new_source") or "").strip():
            self.add_error("new_source", _("Choose a source, or name a new one (e.g. Ekspor Sisko P2MI)."))
        return cleaned


IGNORE = ""


class MappingForm(forms.Form):
    """One select per column of the file: which standard field it holds (or none)."""

    remember = forms.BooleanField(
        label=gettext_lazy("Save these choices for this source"), required=False, initial=True
    )

    def __init__(self, *args: Any, columns: list[str], mapping: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.columns = columns
        field_of = {column: name for name, column in mapping.items()}
        choices = [(IGNORE, _("— do not import —")), *((name, str(label)) for name, label in FIELD_LABELS.items())]
        self.column_fields: list[str] = []
        for index, column in enumerate(columns):
            key = f"column_{index}"
            self.column_fields.append(key)
            self.fields[key] = forms.ChoiceField(
                label=column or _("(column %(n)s without a name)") % {"n": index + 1},
                choices=choices,
                required=False,
                initial=field_of.get(column, IGNORE),
                disabled=not column,  # a column without a header cannot be named in a mapping
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen: dict[str, str] = {}
        for index, key in enumerate(self.column_fields):
            name = cleaned.get(key) or IGNORE
            if name == IGNORE:
                continue
            column = self.columns[index]
            if name in chosen:
                self.add_error(
                    key,
                    _("%(field)s is already chosen for column %(column)s. Choose each field for one column only.")
                    % {"field": FIELD_LABELS[name], "column": chosen[name]},
                )
            else:
                chosen[name] = column
        cleaned["mapping"] = chosen
        return cleaned
