"""Training the shipped matching model on synthetic data (``sinergi matching train-model``).

EM on a data officer's import of forty rows learns nothing reliable, and a model trained on each
import would score the same two records differently from one import to the next. The engine therefore
uses one model, trained once on a few thousand synthetic Sulawesi Tengah persons
(:mod:`sinergi.synthetic`) against damaged copies of them, and shipped as ``default_model.json``.

Two changes make the saved model's scores depend only on the two records compared:

* no term-frequency adjustments: Splink would compute them from the input at hand, so in a registry of
  five persons two "Siti Aminah" would look like a name half the registry shares;
* a fixed prior (:data:`PRIOR`) instead of one estimated from the input.
"""

from __future__ import annotations

import copy
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Final

from sinergi.linkage import LinkageModel, link_tables, prepare_records
from sinergi.linkage.model import now_text
from sinergi.synthetic import SyntheticPerson, generate_persons, spelling_variant

MODEL_PATH: Final = Path(__file__).with_name("default_model.json")
# The chance that a given incoming record is a given person of the registry, before any evidence:
# 2^-18, about one in a quarter of a million. A pair needs 18 bits of evidence to be even odds.
PRIOR: Final = 2.0**-18
TODAY: Final = date(2026, 6, 1)
FIELDS: Final = (
    "full_name", "birth_date", "birth_place", "sex", "nik", "kk", "passport", "phone", "address", "region_code",
)  # fmt: skip

type Row = dict[str, str | None]


@dataclass(frozen=True, slots=True)
class TrainingData:
    registry: list[Row]
    export: list[Row]


def make_training_data(size: int, *, seed: int) -> TrainingData:
    """``size`` registry rows and ``size`` export rows; half of the export re-registers registry persons."""
    people = generate_persons(size + size // 2, seed=seed, today=TODAY, variant_share=0.0)
    rng = random.Random(seed)  # noqa: S311 (seeded synthetic data, never a secret)
    registry_people, outsiders = people[:size], people[size:]
    villages = sorted({person.region_code for person in registry_people})
    registry = [_row(f"R{index}", person) for index, person in enumerate(registry_people)]
    export = [
        _damaged(_row(f"L{index}", person), rng, villages)
        for index, person in enumerate(rng.sample(registry_people, size // 2))
    ]
    export += [_row(f"O{index}", person) for index, person in enumerate(outsiders)]
    return TrainingData(registry, export)


def _row(row_id: str, person: SyntheticPerson) -> Row:
    return {
        "id": row_id,
        "full_name": person.full_name,
        "birth_date": person.birth_date.isoformat(),
        "birth_place": person.birth_place,
        "sex": person.sex,
        "nik": person.nik,
        "kk": person.kk,
        "passport": person.passport,
        "phone": person.phone,
        "address": person.address_text,
        "region_code": person.region_code,
    }


def _damaged(row: Row, rng: random.Random, villages: list[str]) -> Row:
    """The same person as another agency's clerk registered them (cf. bench/linkage_data.py)."""
    out = dict(row)
    if rng.random() < 0.6:
        out["full_name"] = spelling_variant(str(row["full_name"]), rng)
    if rng.random() < 0.15:
        out["full_name"] = _typo(str(out["full_name"]), rng)
    if rng.random() < 0.25:
        out["nik"] = None
    elif rng.random() < 0.05 and row["nik"]:
        nik = str(row["nik"])
        position = rng.randrange(15)
        out["nik"] = nik[:position] + nik[position + 1] + nik[position] + nik[position + 2 :]
    born = date.fromisoformat(str(row["birth_date"]))
    roll = rng.random()
    if roll < 0.1 and born.day <= 12:
        out["birth_date"] = date(born.year, born.day, born.month).isoformat()
    elif roll < 0.15:
        out["birth_date"] = (born + timedelta(days=rng.choice((-2, -1, 1, 2)))).isoformat()
    elif roll < 0.2:
        out["birth_date"] = None
    if rng.random() < 0.2:
        out["region_code"] = rng.choice(villages)
        out["address"] = None
    for name, keep in (("phone", 0.5), ("kk", 0.5), ("passport", 0.6), ("sex", 0.9), ("birth_place", 0.9)):
        if rng.random() >= keep:
            out[name] = None
    return out


def _typo(name: str, rng: random.Random) -> str:
    """One letter of a longer word replaced, dropped or doubled."""
    words = name.split()
    long_words = [index for index, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
    if not long_words:
        return name
    index = rng.choice(long_words)
    word = words[index]
    position = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("replace", "drop", "double"))
    if edit == "replace":
        word = word[:position] + rng.choice("aeiourntk") + word[position + 1 :]
    elif edit == "drop":
        word = word[:position] + word[position + 1 :]
    else:
        word = word[:position] + word[position] + word[position:]
    words[index] = word
    return " ".join(words)


def train_model(*, size: int = 4000, seed: int = 20_261_201) -> LinkageModel:
    """Train on synthetic data, then drop term frequencies and fix the prior (see the module docstring)."""
    data = make_training_data(size, seed=seed)
    left = prepare_records(data.export, fields=FIELDS, today=TODAY)
    right = prepare_records(data.registry, fields=FIELDS, today=TODAY)
    trained = link_tables(left, right, source_names=("synthetic_export", "synthetic_registry")).model
    settings = _without_term_frequencies(trained.splink_settings)
    settings["probability_two_random_records_match"] = PRIOR
    return LinkageModel(
        splink_settings=settings,
        features=trained.features,
        training={**trained.training, "synthetic_persons": size, "synthetic_seed": seed, "prior": PRIOR},
        created_at=now_text(),
    )


def _without_term_frequencies(settings: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(settings)
    for comparison in out["comparisons"]:
        for level in comparison["comparison_levels"]:
            level.pop("tf_adjustment_column", None)
            level.pop("tf_adjustment_weight", None)
    return out
