"""`get_FOO_display()` from a label table kept per field and language (issue 14, part 7).

Django's `Model._get_FIELD_display` builds a dict of *all* a field's choices on every call, hashing each lazy
label, which translates it: a status with ten choices costs ten translations per row shown. The notification
page spent 5 ms of a 20 ms request there (41 rows), the case list about as much. `install()` (run once, at
start-up, from `AccountsConfig.ready`) replaces each model's generated `get_FOO_display` with one that reads
the labels from a table made once per (field, language). Same answer as Django's for every value, a label
missing from the choices included (tested over every model). Fields with callable choices (evaluated anew on
each call) and methods a model defines itself are left as they are.
"""

from __future__ import annotations

from functools import partialmethod
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.fields import Field
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

_DJANGO_DISPLAY = models.Model._get_FIELD_display  # type: ignore[attr-defined]  # Django's, not in the stubs
_LABELS: dict[tuple[Field[Any, Any], str | None], dict[Any, str]] = {}


def _labels(field: Field[Any, Any]) -> dict[Any, str]:
    key = (field, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = {make_hashable(value): force_str(label) for value, label in field.flatchoices}
        _LABELS[key] = labels
    return labels


def _get_choice_label(self: models.Model, *, field: Field[Any, Any]) -> Any:
    value = getattr(self, field.attname)
    label = _labels(field).get(make_hashable(value))
    # As Django: a value outside the choices is shown as itself (not turned into a string if it is not one).
    return label if label is not None else force_str(value, strings_only=True)


def install() -> int:
    """Give every model's generated `get_FOO_display` the table lookup; returns how many were replaced."""
    replaced = 0
    for model in apps.get_models():
        for field in model._meta.fields:
            name = f"get_{field.name}_display"
            generated = model.__dict__.get(name)
            if (
                not field.choices
                or isinstance(field.choices, CallableChoiceIterator)
                or not isinstance(generated, partialmethod)
                or generated.func is not _DJANGO_DISPLAY  # a model's own method stays
            ):
                continue
            setattr(model, name, partialmethod(_get_choice_label, field=field))
            replaced += 1
    return replaced
