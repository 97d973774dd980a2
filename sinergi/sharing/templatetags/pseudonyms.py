"""{% load pseudonyms %} {{ person|listed_name }} or {{ person|listed_name:case }}; {{ person|listed_nik:case }}."""

from __future__ import annotations

from typing import Any

from django import template

from sinergi.sharing import pseudonyms

register = template.Library()


@register.filter
def listed_name(person: Any, case: Any = None) -> str:
    return pseudonyms.listed_name(person, case) if person is not None else ""


@register.filter
def listed_nik(person: Any, case: Any = None) -> str:
    return pseudonyms.listed_nik(person, case) if person is not None else ""
