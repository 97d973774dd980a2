"""Destination countries: ISO 3166-1 alpha-2 codes with names from Babel's CLDR data, in the user's language."""

from __future__ import annotations

from functools import cache

from babel import Locale
from django.utils.translation import get_language

# Where PMI from Sulawesi Tengah most often go first in the list; the rest alphabetically.
COMMON_DESTINATIONS = ("MY", "HK", "TW", "SG", "SA", "JP", "KR", "AE", "QA", "BN")


@cache
def _territories(language: str) -> dict[str, str]:
    locale = Locale.parse(language if language in {"id", "en"} else "id")
    return {code: name for code, name in locale.territories.items() if len(code) == 2 and code.isalpha()}


def country_name(code: str, language: str | None = None) -> str:
    return _territories(language or get_language() or "id").get(code, code)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    names = _territories(language or get_language() or "id")
    common = [(code, names[code]) for code in COMMON_DESTINATIONS]
    rest = sorted(
        ((code, name) for code, name in names.items() if code not in COMMON_DESTINATIONS and code != "ID"),
        key=lambda item: item[1],
    )
    return [("", "—"), *common, ("", "──────────"), *rest]


def is_country_code(code: str) -> bool:
    return code in _territories("en")
