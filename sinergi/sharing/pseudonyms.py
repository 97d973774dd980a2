"""A trafficking victim is shown under a pseudonym in every list (UU 21/2007 Pasal 44: the identity of a victim
and of their family must be kept confidential).

A person is protected when the person or the case a list row is about is flagged as (suspected) trafficking.
In a list — cases, referral inboxes, the home page, registry search, the special-assistance list, assistance
queues, matching, programmes — such a person appears as "Klien dilindungi" and a code, and without NIK; the name
is read only on the record's own page, by those the sharing rule lets open it, and each such read is in the
access log. The code is stable for the person (an HMAC of the record's id under the deployment's secret key), so
staff can tell two rows of the same person apart, and reveals nothing without the key.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _


class _Flagged(Protocol):
    pk: Any
    flag_trafficking: bool


def is_protected(person: _Flagged, case: _Flagged | None = None) -> bool:
    return bool(person.flag_trafficking or (case is not None and case.flag_trafficking))


def pseudonym(person: _Flagged) -> str:
    code = salted_hmac("sinergi.sharing.pseudonym", str(person.pk), algorithm="sha256").hexdigest()[:6].upper()
    return _("Protected client %(code)s") % {"code": code}


def listed_name(person: Any, case: _Flagged | None = None) -> str:
    """The name a list shows for `person` (optionally in the row of `case`)."""
    return pseudonym(person) if is_protected(person, case) else str(person.full_name)


def listed_nik(person: Any, case: _Flagged | None = None) -> str:
    """The NIK a list shows: none for a protected person."""
    return "" if is_protected(person, case) else str(person.nik or "")
