"""Destination countries: ISO 3166-1 alpha-2 codes with names from Babel's CLDR data, in the user's language.

CLDR names more than countries: groupings (EU, Eurozone, UN), pseudo-locales (XA "Aksen Asing", XB
"Pseudo-Bidi"), "Unknown Region" (ZZ), "Outlying Oceania" (QO) and codes ISO only reserves. A country is a
territory CLDR gives population data for (`territory_languages`, which leaves out groupings and pseudo-regions),
without the reserved and non-country codes below.
"""

from __future__ import annotations

from functools import cache

from babel import Locale
from babel.core import get_global
from django.utils.translation import get_language

# Where PMI from Sulawesi Tengah most often go first in the list; the rest alphabetically.
COMMON_DESTINATIONS = ("MY", "HK", "TW", "SG", "SA", "JP", "KR", "AE", "QA", "BN")


# ISO's exceptionally reserved codes (Ascension, Clipperton, Diego Garcia, Ceuta & Melilla, Canary Islands,
# Tristan da Cunha), Antarctica, Kosovo's user-assigned code, and CLDR's "Unknown Region".
NOT_COUNTRIES = frozenset({"AC", "CP", "DG", "EA", "IC", "TA", "AQ", "XK", "ZZ"})


@cache
def _country_codes() -> frozenset[str]:
    regular = set(get_global("territory_languages"))
    return frozenset(code for code in regular if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES)


@cache
def _territories(language: str) -> dict[str, str]:
    locale = Locale.parse(language if language in {"id", "en"} else "id")
    countries = _country_codes()
    return {code: name for code, name in locale.territories.items() if code in countries}


def country_name(code: str, language: str | None = None) -> str:
    return _territories(language or get_language() or "id").get(code, code)


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """The choices of a destination select: the usual destinations first, then the rest by name. A new list each
    call (callers add to it); the sorting is done once per language and process."""
    return list(_sorted_choices(language or get_language() or "id"))


@cache
def _sorted_choices(language: str) -> tuple[tuple[str, str], ...]:
    names = _territories(language)
    common = [(code, names[code]) for code in COMMON_DESTINATIONS]
    rest = sorted(
        ((code, name) for code, name in names.items() if code not in COMMON_DESTINATIONS and code != "ID"),
        key=lambda item: item[1],
    )
    return (("", "—"), *common, ("", "──────────"), *rest)


def is_country_code(code: str) -> bool:
    return code in _territories("en")


# How agency exports write the usual destinations besides CLDR's names ("Hong Kong DAK Tiongkok" is rarely typed).
COUNTRY_ALIASES = {
    "hong kong": "HK",
    "hongkong": "HK",
    "saudi": "SA",
    "saudi arabia": "SA",
    "ksa": "SA",
    "korea": "KR",
    "korsel": "KR",
    "uea": "AE",
    "uae": "AE",
    "emirat arab": "AE",
    "brunei darussalam": "BN",
    "taiwan roc": "TW",
}


@cache
def _codes_by_name() -> dict[str, str]:
    names = {_folded(name): code for language in ("en", "id") for code, name in _territories(language).items()}
    return {**names, **{_folded(alias): code for alias, code in COUNTRY_ALIASES.items()}}


def _folded(text: str) -> str:
    return " ".join(text.casefold().replace(".", " ").replace("-", " ").split())


def country_code_of(text: str) -> str | None:
    """The ISO code a file or a partner system means by a country: "MY", "my", "Malaysia", "Arab Saudi",
    "Saudi Arabia", "Hongkong". None when it names no country (a grouping such as "Eropa", or a typo)."""
    folded = _folded(text)
    if len(folded) == 2 and is_country_code(folded.upper()):
        return folded.upper()
    return _codes_by_name().get(folded)
