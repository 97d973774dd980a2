"""Reading request bodies and query strings: text the database cannot store is refused where it arrives.

JSON allows `\\u0000` and lone surrogates (`\\ud800`); PostgreSQL stores neither (psycopg raises, the request
would end in a 500) and no agency's data legitimately holds them. Refused here, for every operation at once, with
a message that says what to fix; control characters inside names are refused by the registry's validation.
"""

from __future__ import annotations

import json
from typing import Any, cast

from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja.parser import Parser

from sinergi.identity.text import has_unstorable_characters


class UnstorableText(ValueError):
    """A value holds a NUL character or a lone surrogate; `location` names it ("records.0.full_name")."""

    def __init__(self, location: str) -> None:
        super().__init__(_("The value holds a NUL character or an invalid character code: remove it."))
        self.location = location


def _check(value: Any, location: str = "") -> None:
    if isinstance(value, str):
        if has_unstorable_characters(value):
            raise UnstorableText(location or "__all__")
    elif isinstance(value, dict):
        for key, item in value.items():
            where = f"{location}.{key}" if location else str(key)
            _check(key, where)
            _check(item, where)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check(item, f"{location}.{index}" if location else str(index))


class CheckedParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        _check(data)
        return cast(dict[str, Any], data)

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        _check(result)
        return result
