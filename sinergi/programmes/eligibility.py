"""A programme's eligibility rule, kept as data on the programme, applied to a person's registry record.

The rule today is the one BP3MI Sulteng uses: returned from work abroad within N years (from the person's
migration episodes), and, when the programme says so, the family members of such a returnee (linked in the
registry's family list, in either direction). An empty rule admits everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sinergi.registry.models import FamilyLink, MigrationEpisode, Person


@dataclass(frozen=True)
class EligibilityRule:
    returned_within_years: int | None = None
    family_members: bool = False

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> EligibilityRule:
        years = data.get("returned_within_years")
        return cls(returned_within_years=int(years) if years else None, family_members=bool(data.get("family_members")))

    def as_data(self) -> dict[str, Any]:
        return {"returned_within_years": self.returned_within_years, "family_members": self.family_members}

    def describe(self) -> str:
        if self.returned_within_years is None:
            return _("Open to everyone.")
        text = ngettext(
            "Returned from work abroad within %(years)d year",
            "Returned from work abroad within %(years)d years",
            self.returned_within_years,
        ) % {"years": self.returned_within_years}
        if self.family_members:
            text = _("%(rule)s, and their family members") % {"rule": text}
        return f"{text}."


@dataclass(frozen=True)
class Verdict:
    eligible: bool
    reason: str  # why admitted, or why refused: shown to the worker


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _latest_return(person_ids: list[int]) -> date | None:
    episode = (
        MigrationEpisode.objects.filter(person_id__in=person_ids, return_date__isnull=False)
        .order_by("-return_date")
        .first()
    )
    return episode.return_date if episode is not None else None


def check(rule: EligibilityRule, person: Person, *, on: date) -> Verdict:
    """Is `person` eligible on day `on` (the cohort's start)?"""
    if rule.returned_within_years is None:
        return Verdict(True, _("Open to everyone."))
    cutoff = _years_before(on, rule.returned_within_years)
    returned = _latest_return([person.pk])
    if returned is not None and returned >= cutoff:
        return Verdict(True, _("Returned on %(date)s.") % {"date": returned.strftime("%d-%m-%Y")})
    if rule.family_members:
        relatives = list(
            FamilyLink.objects.filter(Q(person=person, relative__isnull=False) | Q(relative=person)).values_list(
                "person_id", "relative_id"
            )
        )
        relative_ids = sorted({pk for pair in relatives for pk in pair if pk is not None and pk != person.pk})
        relative_return = _latest_return(relative_ids) if relative_ids else None
        if relative_return is not None and relative_return >= cutoff:
            return Verdict(
                True,
                _("Family member of a returnee who came back on %(date)s.")
                % {"date": relative_return.strftime("%d-%m-%Y")},
            )
    rule_text = rule.describe()
    if returned is None:
        return Verdict(
            False,
            _(
                "No return from work abroad is recorded for this person. Rule: %(rule)s Record the migration "
                "episode with its return date in the registry if they did return."
            )
            % {"rule": rule_text},
        )
    # Whole years as a person says them ("7 years ago"), counted to today.
    years = round((timezone.localdate() - returned).days / 365.25)
    return Verdict(
        False,
        ngettext(
            "Returned on %(date)s, %(years)d year ago. Rule: %(rule)s",
            "Returned on %(date)s, %(years)d years ago. Rule: %(rule)s",
            years,
        )
        % {"date": returned.strftime("%d-%m-%Y"), "years": years, "rule": rule_text},
    )
