"""Filters for the rows of a list page (issue 14, part 7): what `{% url %}` and `|date` print, without their cost
on every row.

`{{ case.pk|pk_url:"cases:detail" }}` prints what `{% url "cases:detail" case.pk %}` prints. The URL is reversed
once per process for each (name, script prefix, URL configuration, language) with a placeholder number, and a
row's URL is that text around its pk; Django's `reverse` walks the resolver's patterns on every call (30
reversals were ~2 ms of the case list). Only for URLs whose one argument is an `<int:…>` (the placeholder must
come back as written, once).

`{{ value|numeric_date:"d-m-Y H:i" }}` prints what `{{ value|date:"d-m-Y H:i" }}` prints for a format of the
numeric letters d, m, Y, H, i and separators (nothing translated); any other format, or a value that is not a
date, goes to Django's filter. Django's builds a formatter object and parses the format on every call.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.template.defaultfilters import date as django_date
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()

# A number no URL of ours contains otherwise: reversed in its place, it marks where the pk goes.
_PLACEHOLDER = "918273645546372819"
_URLS: dict[tuple[str, str, Any, str | None], tuple[str, str]] = {}
_LIMIT = 1000


@register.filter
def pk_url(pk: Any, name: str) -> str:
    if isinstance(pk, bool) or not isinstance(pk, int):
        return reverse(name, args=[pk])
    key = (name, get_script_prefix(), get_urlconf(), get_language())
    parts = _URLS.get(key)
    if parts is None:
        url = reverse(name, args=[int(_PLACEHOLDER)])
        if url.count(_PLACEHOLDER) != 1:
            return reverse(name, args=[pk])
        before, _, after = url.partition(_PLACEHOLDER)
        parts = (before, after)
        if len(_URLS) < _LIMIT:
            _URLS[key] = parts
    return f"{parts[0]}{pk}{parts[1]}"


# Django's format letters that print a number (django.utils.dateformat), as str.format fields.
_NUMERIC = {"d": "{0.day:02d}", "m": "{0.month:02d}", "Y": "{0.year:04d}", "H": "{0.hour:02d}", "i": "{0.minute:02d}"}
_SEPARATORS = frozenset(" -./:,")
_FORMATS: dict[str, str | None] = {}


def _compiled(format_string: str) -> str | None:
    """A str.format pattern equal to Django's output for `format_string`, or None when it has other letters."""
    if format_string not in _FORMATS:
        pattern: str | None = ""
        for char in format_string:
            if char in _NUMERIC:
                pattern += _NUMERIC[char]  # type: ignore[operator]
            elif char in _SEPARATORS:
                pattern += char  # type: ignore[operator]
            else:
                pattern = None
                break
        _FORMATS[format_string] = pattern
    return _FORMATS[format_string]


@register.filter(expects_localtime=True, is_safe=False)
def numeric_date(value: Any, arg: str) -> str:
    pattern = _compiled(arg)
    if pattern is None or not isinstance(value, datetime.date):
        return django_date(value, arg)
    if not isinstance(value, datetime.datetime) and ("{0.hour" in pattern or "{0.minute" in pattern):
        return django_date(value, arg)
    return pattern.format(value)


def forget_urls(**kwargs: Any) -> None:
    _URLS.clear()


setting_changed.connect(forget_urls)
