"""Cascading region picker (province → regency → district → village) for any form.

Works without JavaScript: choosing a higher level and pressing "Perbarui wilayah" re-renders the
form with the narrowed lists. With htmx, changing a select swaps the picker in place.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sinergi.regions.models import Region, RegionLevel

LEVEL_FIELDS = ("province", "regency", "district", "village")
LEVEL_LABELS = {
    "province": _("Province"),
    "regency": _("Regency/city"),
    "district": _("District (kecamatan)"),
    "village": _("Village (desa/kelurahan)"),
}
REFRESH_BUTTON = "_refresh_region"


def _choices(parent_code: str | None, level: RegionLevel) -> list[tuple[str, str]]:
    if level != RegionLevel.PROVINCE and not parent_code:
        return [("", "—")]
    queryset = Region.objects.filter(level=level)
    if parent_code:
        queryset = queryset.filter(parent_id=parent_code)
    return [("", "—"), *queryset.order_by("name").values_list("code", "name")]


def selected_codes(values: dict[str, str | None]) -> dict[str, str]:
    """Keep a lower level only if it lies inside the level above (a changed province resets the rest)."""
    chosen: dict[str, str] = {}
    parent = ""
    for field in LEVEL_FIELDS:
        code = (values.get(field) or "").strip()
        if not code or (parent and not code.startswith(parent + ".")) or (not parent and field != "province"):
            break
        chosen[field] = code
        parent = code
    return chosen


def codes_for_region(code: str | None, *, home_province: bool = True) -> dict[str, str]:
    """The picker values that select region `code` and its ancestors (the home province when none)."""
    if not code:
        return {"province": settings.SINERGI_HOME_PROVINCE} if home_province else {}
    parts = code.split(".")
    return {field: ".".join(parts[: i + 1]) for i, field in enumerate(LEVEL_FIELDS[: len(parts)])}


class RegionPickerMixin(forms.Form):
    """Adds province/regency/district/village selects; `cleaned_data["region_code"]` is the deepest chosen."""

    region_required_level: RegionLevel | None = None
    province = forms.ChoiceField(label=LEVEL_LABELS["province"], required=False)
    regency = forms.ChoiceField(label=LEVEL_LABELS["regency"], required=False)
    district = forms.ChoiceField(label=LEVEL_LABELS["district"], required=False)
    village = forms.ChoiceField(label=LEVEL_LABELS["village"], required=False)

    def setup_region_picker(self, current_code: str | None = None, *, home_province: bool = True) -> None:
        if self.is_bound:
            values = {field: self.data.get(self.add_prefix(field)) for field in LEVEL_FIELDS}
            chosen = selected_codes(values)
        else:
            chosen = codes_for_region(current_code, home_province=home_province)
            for field, code in chosen.items():
                self.initial[field] = code
        parent: str | None = None
        for level, field in zip(RegionLevel.values, LEVEL_FIELDS, strict=True):
            self.fields[field].choices = _choices(parent, RegionLevel(level))  # type: ignore[attr-defined]
            self.fields[field].widget.attrs["data-region-level"] = field
            parent = chosen.get(field)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        chosen = selected_codes({field: cleaned.get(field) for field in LEVEL_FIELDS})
        deepest = chosen[LEVEL_FIELDS[len(chosen) - 1]] if chosen else ""
        cleaned["region_code"] = deepest
        return cleaned

    def region_fields(self) -> list[forms.BoundField]:
        return [self[field] for field in LEVEL_FIELDS]
