"""Why the model scored a pair as it did, in words a data officer reads ("NIK sama", "Tanggal lahir tertukar").

A stored pair keeps one match weight (bits) per comparison. The shipped model has no term-frequency
adjustments, so a weight is exactly one level's weight, and the level (hence its label) is found by
value. A weight no level of the current model gives (a pair scored by an older model) still reads as
"agrees" or "differs" by its sign.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from sinergi.linkage import LinkageModel
from sinergi.matching.engine import default_model

COMPARISON_LABELS: Final[dict[str, Promise]] = {
    "name": _("Name"),
    "birth_date": _("Birth date"),
    "sex": _("Sex"),
    "nik": _("NIK"),
    "kk": _("Family card number (KK)"),
    "passport": _("Passport"),
    "phone": _("Phone"),
    "birth_place": _("Birthplace"),
    "address": _("Address"),
    "region": _("Region"),
    "other_id": _("PMI ID / Sisko P2MI reference"),
}
# The model's level labels (sinergi.linkage.comparisons) in plain words; "ELSE" is each comparison's last level.
LEVEL_LABELS: Final[dict[tuple[str, str], Promise]] = {
    ("name", "Same normalised name"): _("Same name (spelling normalised)"),
    ("name", "Same informative tokens"): _("Same name words in another order"),
    ("name", "Same phonetic key, close spelling"): _("Name sounds the same, spelled a little differently"),
    ("name", "Close spelling"): _("Name spelled almost the same"),
    ("name", "One name inside the other, with a rare token"): _("One name contains the other (with an uncommon word)"),
    ("name", "Share a rare token"): _("Names share an uncommon word"),
    ("name", "One name inside the other, common tokens"): _("One name contains the other (common words only)"),
    ("name", "Share a common token or loosely similar"): _("Names share a common word or are loosely similar"),
    ("name", "ELSE"): _("Names differ"),
    ("birth_date", "Same birth date"): _("Same birth date"),
    ("birth_date", "Birth date agrees with the other record's NIK"): _("Birth date agrees with the other record's NIK"),
    ("birth_date", "Day and month swapped"): _("Birth date with day and month swapped"),
    ("birth_date", "One part differs (a year in one digit), or within a few days"): _(
        "Birth date differs in one part or by a few days"
    ),
    ("birth_date", "Same year only"): _("Only the birth year agrees"),
    ("birth_date", "ELSE"): _("Birth dates differ"),
    ("sex", "Same sex"): _("Same sex"),
    ("sex", "ELSE"): _("Sex differs"),
    ("nik", "Same NIK"): _("Same NIK"),
    ("nik", "Same region, birth date and sex in the NIK; a serial mistyped"): _(
        "NIK differs only by a typo in its serial number"
    ),
    ("nik", "Same region, birth date and sex in the NIK; another serial"): _(
        "NIK of someone born the same day in the same district (another serial number)"
    ),
    ("nik", "Same birth date and sex in the NIK; a region mistyped"): _(
        "NIK differs only by a typo in its region digits"
    ),
    ("nik", "Same birth date and sex in the NIK; another district"): _(
        "NIK of someone born the same day in another district"
    ),
    ("nik", "NIK one or two digits apart in the birth date part"): _("NIK differs by a typo in its birth date digits"),
    ("nik", "ELSE"): _("NIKs differ"),
    ("kk", "Same kk"): _("Same family card number (KK)"),
    ("kk", "ELSE"): _("Family card numbers differ"),
    ("passport", "Same passport"): _("Same passport"),
    ("passport", "passport one character apart"): _("Passport one character apart"),
    ("passport", "ELSE"): _("Passports differ"),
    ("phone", "Same phone"): _("Same phone number"),
    ("phone", "ELSE"): _("Phone numbers differ"),
    ("birth_place", "Same birth_place"): _("Same birthplace"),
    ("birth_place", "Similar birth_place"): _("Similar birthplace"),
    ("birth_place", "ELSE"): _("Birthplaces differ"),
    ("address", "Same address"): _("Same address"),
    ("address", "Similar address"): _("Similar address"),
    ("address", "ELSE"): _("Addresses differ"),
    ("region", "Same village"): _("Same village"),
    ("region", "Same district"): _("Same district"),
    ("region", "Same regency"): _("Same regency"),
    ("region", "Lives in the regency that issued the other record's NIK"): _(
        "Lives in the regency that issued the other record's NIK"
    ),
    ("region", "Same province"): _("Only the province agrees"),
    ("region", "ELSE"): _("Regions differ"),
    ("other_id", "Same other_id"): _("Same PMI ID / other id"),
    ("other_id", "ELSE"): _("Other ids differ"),
}
# Weights beyond this many bits draw a full bar.
FULL_BAR_BITS: Final = 14.0


@dataclass(frozen=True)
class WeightLine:
    comparison: str
    label: str  # the comparison, e.g. "NIK"
    reading: str  # what it found, e.g. "Same NIK"
    bits: float
    direction: str  # "for", "against" or "none"

    @property
    def bar_value(self) -> float:
        """Length of the evidence bar (a <progress> up to FULL_BAR_BITS: no inline styles under the CSP)."""
        return min(abs(self.bits), FULL_BAR_BITS)


def explain(weights: Iterable[Sequence[object]], model: LinkageModel | None = None) -> list[WeightLine]:
    """One line per comparison, strongest evidence first; comparisons that said nothing last."""
    levels = level_weights(model or default_model())
    lines = []
    for name, value in weights:
        comparison, bits = str(name), float(str(value))
        if abs(bits) < 1e-9:
            reading, direction = str(_("Not compared (empty in one or both records)")), "none"
        else:
            reading = _reading(comparison, bits, levels)
            direction = "for" if bits > 0 else "against"
        label = str(COMPARISON_LABELS.get(comparison, comparison))
        lines.append(WeightLine(comparison, label, reading, round(bits, 1), direction))
    return sorted(lines, key=lambda line: (line.direction == "none", -abs(line.bits)))


def _reading(comparison: str, bits: float, levels: dict[str, list[tuple[str, float]]]) -> str:
    for label, level_bits in levels.get(comparison, []):
        if abs(level_bits - bits) < 0.01 and (comparison, label) in LEVEL_LABELS:
            return str(LEVEL_LABELS[(comparison, label)])
    return str(_("Agrees")) if bits > 0 else str(_("Differs"))


def level_weights(model: LinkageModel) -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    for comparison in model.splink_settings["comparisons"]:
        name = comparison["output_column_name"]
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            label = "ELSE" if level["sql_condition"] == "ELSE" else level["label_for_charts"]
            bits = math.log2(float(level["m_probability"]) / float(level["u_probability"]))
            out.setdefault(name, []).append((label, bits))
    return out
