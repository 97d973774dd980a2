"""Bilingual problem reports shared by the identity parsers.

Every problem a user can see exists in Bahasa Indonesia and in English. This
package has no Django (a record-linkage library uses it too), so it cannot call
``gettext``: each problem carries both texts and the Django layer picks one by
the active language. The machine ``code`` is what programs branch on; the texts
are for people and always say what is wrong *and* how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Issue[CodeT: StrEnum]:
    """One problem found in one value.

    ``field`` names the part of the value concerned: a NIK digit group such as
    ``"5-6"``, or the whole value (``"nik"``, ``"phone"``).
    """

    code: CodeT
    field: str
    message_id: str
    message_en: str

    def message(self, language: str = "id") -> str:
        """The text for a language code such as ``"id"``, ``"en"`` or ``"en-gb"``.

        Anything that is not English gets Bahasa Indonesia, the product's first
        language.
        """
        if language.lower().startswith("en"):
            return self.message_en
        return self.message_id
