"""get_FOO_display from the per-field, per-language label table answers as Django's own method does."""

from __future__ import annotations

from functools import partialmethod

import pytest
from django.apps import apps
from django.db import models
from django.utils import translation

from sinergi import choice_labels
from sinergi.notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db  # the project's database fixture loads regions for every session


def generated_display_methods() -> list[tuple[type[models.Model], models.Field]]:  # type: ignore[type-arg]
    found = []
    for model in apps.get_models():
        for field in model._meta.fields:
            method = model.__dict__.get(f"get_{field.name}_display")
            if isinstance(method, partialmethod) and method.func is choice_labels._get_choice_label:
                found.append((model, field))
    return found


def test_it_is_installed_on_every_generated_display_method() -> None:
    found = generated_display_methods()
    assert len(found) > 50
    assert choice_labels.install() == 0  # nothing left that Django generated


def test_it_answers_as_django_for_every_value_in_both_languages() -> None:
    checked = 0
    for model, field in generated_display_methods():
        values = [value for value, _label in field.flatchoices] + ["not-a-choice", None, 12345, ""]
        for language in ("id", "en"):
            with translation.override(language):
                for value in values:
                    instance = model.__new__(model)
                    instance.__dict__[field.attname] = value
                    ours = getattr(instance, f"get_{field.name}_display")()
                    django = choice_labels._DJANGO_DISPLAY(instance, field)
                    assert (ours, type(ours)) == (django, type(django)), (model, field.name, value, language)
                    checked += 1
    assert checked > 500


def test_it_follows_the_active_language() -> None:
    notification = Notification(kind=NotificationKind.TASK)
    with translation.override("en"):
        assert notification.get_kind_display() == "Task assigned"
    with translation.override("id"):
        assert notification.get_kind_display() == translation.gettext("Task assigned") != "Task assigned"
