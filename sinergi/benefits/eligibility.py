"""Eligibility rules of an assistance type, as data an admin configures (AssistanceType.eligibility).

Each rule reads the person's latest completed assessment or the cases the proposer may see; an unknown fact
(no assessment, no return date) does not meet the rule, and the message says what is missing.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.benefits.models import AssistanceType
from sinergi.registry.models import Person

if TYPE_CHECKING:
    from sinergi.assessments.models import Assessment

RULES = ("returned_within_months", "max_decile", "case_category", "recommended")


def _months_between(earlier: date, later: date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (1 if later.day < earlier.day else 0)


def _returned_on(person: Person, assessment: Assessment | None) -> date | None:
    if assessment is not None and assessment.answers.get("returned_on"):
        try:
            return date.fromisoformat(str(assessment.answers["returned_on"]))
        except ValueError:
            pass  # an unreadable answer: fall back to the registry's latest return date below
    episode = person.episodes.filter(return_date__isnull=False).order_by("-return_date").first()
    return episode.return_date if episode else None


def _has_category(user: User, person: Person, codes: list[str]) -> bool:
    from sinergi.cases.selectors import cases_visible_to
    from sinergi.referrals.models import RECEIVER_SEES_CASE, Referral

    if cases_visible_to(user).filter(person=person, categories__code__in=codes).exists():
        return True
    # A receiving agency knows the complaint categories only when the referral shares the complaint.
    rows = Referral.objects.filter(
        to_agency_id=user.agency_id,
        status__in=RECEIVER_SEES_CASE,
        case__person=person,
        case__categories__code__in=codes,
    ).values_list("shared_sections", flat=True)
    return any("PENGADUAN" in sections for sections in rows)


def unmet_rules(user: User, kind: AssistanceType, person: Person, assessment: Assessment | None) -> list[str]:
    """Messages for each rule that does not hold (empty: eligible)."""
    unmet: list[str] = []
    for rule in kind.eligibility:
        name, value = rule.get("rule"), rule.get("value")
        if name == "returned_within_months":
            returned = _returned_on(person, assessment)
            if returned is None:
                unmet.append(_("The return date is unknown: record it in the assessment or the work-abroad history."))
            elif _months_between(returned, timezone.localdate()) > int(value or 0):
                unmet.append(_("Only for persons who returned within %(n)s months.") % {"n": value})
        elif name == "max_decile":
            decile: Any = assessment.answers.get("welfare_decile") if assessment else None
            if decile is None:
                unmet.append(_("The welfare decile is unknown: record it in the assessment."))
            elif float(decile) > float(value or 0):
                unmet.append(_("Only for welfare decile %(n)s or lower.") % {"n": value})
        elif name == "case_category":
            codes = [str(c) for c in (value or [])]
            if not _has_category(user, person, codes):
                unmet.append(_("Only for cases of category: %(codes)s.") % {"codes": ", ".join(codes)})
        elif name == "recommended" and (
            assessment is None or not assessment.recommendations.filter(code=kind.code).exists()
        ):
            unmet.append(_("Only when the latest assessment recommends this assistance."))
    return unmet


def clean_eligibility(rules: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The rules as stored (known names, typed values, each rule once), and a message per rule to fix."""
    from sinergi.cases.models import ComplaintCategory

    clean: list[dict[str, Any]] = []
    problems: list[str] = []
    seen: set[str] = set()
    for rule in rules:
        name = rule.get("rule") if isinstance(rule, dict) else None
        value = rule.get("value") if isinstance(rule, dict) else None
        if name not in RULES:
            problems.append(_("Unknown eligibility rule: %(name)s.") % {"name": name})
            continue
        if name in seen:
            problems.append(_("The rule %(name)s appears twice: keep one.") % {"name": name})
            continue
        seen.add(str(name))
        if name == "returned_within_months":
            try:
                months = int(str(value))
            except ValueError:
                months = 0
            if not 1 <= months <= 240:
                problems.append(_("Returned within: enter a number of months between 1 and 240."))
                continue
            clean.append({"rule": name, "value": months})
        elif name == "max_decile":
            try:
                decile = int(str(value))
            except ValueError:
                decile = 0
            if not 1 <= decile <= 10:
                problems.append(_("Welfare decile: enter a decile between 1 and 10."))
                continue
            clean.append({"rule": name, "value": decile})
        elif name == "case_category":
            codes = sorted({str(c) for c in (value if isinstance(value, list) else [value] if value else [])})
            known = set(ComplaintCategory.objects.filter(code__in=codes).values_list("code", flat=True))
            if not codes or set(codes) - known:
                problems.append(_("Case category: choose one or more categories from the list."))
                continue
            clean.append({"rule": name, "value": codes})
        else:
            clean.append({"rule": name})
    return clean, problems
