"""The person page as a hub: their cases, referrals and special-assistance entries, each read through the
owning app's selector (`cases_visible_to`, `referrals_visible_to`, `entries_visible_to`), registered on the
registry's person page at start-up (registry.panels)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.assistance.selectors import entries_visible_to
from sinergi.cases.selectors import cases_visible_to
from sinergi.referrals.models import Referral
from sinergi.referrals.selectors import referrals_visible_to
from sinergi.registry.models import Person
from sinergi.registry.panels import PersonPanel

ROWS = 20


def _record_ids(person: Person) -> list[int]:
    """The person and the records merged into it: their cases stay on the absorbed record (matching). Read once
    per page: the panels of one request share it (it was one query per panel)."""
    cached: list[int] | None = getattr(person, "_panel_record_ids", None)
    if cached is None:
        cached = [person.pk, *Person.objects.filter(merged_into_id=person.pk).values_list("pk", flat=True)]
        person._panel_record_ids = cached  # type: ignore[attr-defined]
    return cached


def cases_panel(user: User, person: Person) -> PersonPanel | None:
    if not user.has_capability(Capability.VIEW_CASES):
        return None
    cases = list(
        cases_visible_to(user)
        .filter(person_id__in=_record_ids(person))
        .prefetch_related("categories")
        .order_by("-received_at")[:ROWS]
    )
    # Completed referrals' outcome and feedback, so the case's ending is read here, not only on the referral.
    feedback: dict[int, list[Referral]] = {}
    for referral in (
        referrals_visible_to(user)
        .filter(case__in=cases)
        .exclude(feedback="", outcome="")
        .select_related("to_agency")
        .order_by("closed_at")
    ):
        feedback.setdefault(referral.case_id, []).append(referral)
    rows = [(case, feedback.get(case.pk, [])) for case in cases]
    return PersonPanel("cases", _("Cases"), "home/panels/cases.html", {"rows": rows, "can_open": True}, len(cases))


def referrals_panel(user: User, person: Person) -> PersonPanel | None:
    if not user.has_capability(Capability.VIEW_CASES):
        return None
    referrals = list(
        referrals_visible_to(user)
        .filter(case__person_id__in=_record_ids(person))
        .select_related("case", "from_agency", "to_agency", "service")
        .order_by("-id")[:ROWS]
    )
    return PersonPanel(
        "referrals", _("Referrals"), "home/panels/referrals.html", {"referrals": referrals}, len(referrals)
    )


def assistance_panel(user: User, person: Person) -> PersonPanel | None:
    if not user.has_capability(Capability.VIEW_ASSISTANCE_LIST):
        return None
    entries = list(
        entries_visible_to(user)
        .filter(person_id__in=_record_ids(person))
        .select_related("case", "proposing_agency", "partner_agency")
        .order_by("-id")[:ROWS]
    )
    if not entries:
        return None
    return PersonPanel(
        "assistance", _("Special assistance"), "home/panels/assistance.html", {"entries": entries}, len(entries)
    )
