"""The case fact sheet: each fact with every value the records and the agencies involved hold for it, where it
comes from and who verified it. Values that disagree make the fact *disputed* (all values shown) until one is
verified; nothing is picked silently.

Sources: the case record (destination, dates, status), the person's registry record and its golden record
(home regency: a conflict on the region there is a dispute here), migration episodes, referrals (which agency
does what) and `FactClaim` rows (what an agency states, e.g. which KBRI/KJRI is involved).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import Agency
from sinergi.cases.models import Case
from sinergi.matching.golden import golden_record, value_key
from sinergi.referrals.models import Referral, ReferralStatus
from sinergi.regions.models import Region
from sinergi.registry.countries import country_name
from sinergi.statements.models import FactClaim, FactKey


@dataclass(frozen=True)
class FactValue:
    value: str
    source: str
    url: str = ""
    by: str = ""
    verified_by: str = ""
    claim_id: int | None = None


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    values: tuple[FactValue, ...]
    verified: FactValue | None = None

    @property
    def distinct(self) -> list[str]:
        seen: dict[str, str] = {}
        for item in self.values:
            seen.setdefault(value_key(item.value), item.value)
        return list(seen.values())

    @property
    def disputed(self) -> bool:
        return self.verified is None and len(self.distinct) > 1

    @property
    def value(self) -> str:
        if self.verified is not None:
            return self.verified.value
        values = self.distinct
        return values[0] if len(values) == 1 else ""


@dataclass(frozen=True)
class AgencyRole:
    agency: str
    role: str
    status: str


@dataclass(frozen=True)
class FactSheet:
    case: Case
    facts: list[Fact]
    status: str
    agencies: list[AgencyRole] = field(default_factory=list)

    @property
    def disputed(self) -> list[Fact]:
        return [fact for fact in self.facts if fact.disputed]


def involved_agencies(case: Case) -> list[Agency]:
    """The case's agency first, then every agency a referral of the case was sent to."""
    # One query over the case's own referrals: an exclude() across the relation would drop an agency that has a
    # draft referral on any other case.
    sent_to = Referral.objects.filter(case=case).exclude(status=ReferralStatus.DRAFT).values("to_agency_id")
    referred = Agency.objects.filter(pk__in=sent_to).exclude(pk=case.agency_id).order_by("name")
    return [case.agency, *referred]


def _day(value: date | None) -> str:
    return formats.date_format(value, "d-m-Y") if value else ""


def _regency_of(code: str) -> str:
    return ".".join(code.split(".")[:2]) if code.count(".") >= 1 else code


def fact_sheet(case: Case) -> FactSheet:
    person = case.person
    case_source = _("Case %(number)s") % {"number": case.number}
    case_url = reverse("cases:detail", args=[case.pk])
    recorder = case.created_by.display_name if case.created_by_id else ""
    values: dict[str, list[FactValue]] = {key: [] for key in FactKey.values}

    # Home regency: the person's record, and every value the golden record holds (a conflict is a dispute).
    regency_codes: list[tuple[str, str, str]] = []
    for golden in golden_record(person):
        if golden.field == "region_code":
            regency_codes += [(_regency_of(entry.value), entry.label, "") for entry in golden.entries]
            if golden.verification is not None and not golden.conflict:
                regency_codes = [(_regency_of(golden.verification.value), str(golden.label), "verified")]
    names = dict(
        Region.objects.filter(code__in=[code for code, _label, _v in regency_codes]).values_list("code", "name")
    )
    for code, label, verification in regency_codes:
        values[FactKey.HOME_REGENCY].append(
            FactValue(
                names.get(code, code), label, reverse("registry:detail", args=[person.pk]), verified_by=verification
            )
        )
    if case.destination_country:
        values[FactKey.DESTINATION].append(
            FactValue(country_name(case.destination_country), case_source, case_url, by=recorder)
        )
    episode = person.episodes.first()
    if episode is not None:
        source = _("Migration record of the person")
        if episode.destination_country and not case.destination_country:
            values[FactKey.DESTINATION].append(FactValue(country_name(episode.destination_country), source))
        if episode.departure_date:
            values[FactKey.DEPARTURE].append(FactValue(_day(episode.departure_date), source))
        if episode.return_date:
            values[FactKey.RETURN].append(FactValue(_day(episode.return_date), source))

    verified: dict[str, FactValue] = {}
    for claim in FactClaim.objects.filter(case=case).select_related("agency", "by", "verified_by"):
        item = FactValue(
            claim.value,
            f"{claim.agency.name}: {claim.source}",
            by=claim.by.display_name,
            verified_by=claim.verified_by.display_name if claim.verified_by else "",
            claim_id=claim.pk,
        )
        values[claim.key].append(item)
        if claim.verified_at is not None:
            verified[claim.key] = item  # the latest verification wins

    facts = [
        Fact(key, str(FactKey(key).label), tuple(values[key]), verified.get(key))
        for key in FactKey.values
        if values[key]
    ]
    received = Fact(
        "received",
        str(_("Complaint received")),
        (FactValue(_day(timezone.localdate(case.received_at)), case_source, case_url, by=recorder),),
    )
    agencies = [
        AgencyRole(case.agency.name, str(_("Took the complaint and handles the case")), case.get_status_display())
    ]
    for referral in (
        Referral.objects.filter(case=case)
        .exclude(status=ReferralStatus.DRAFT)
        .select_related("to_agency", "service")
        .order_by("sent_at", "pk")
    ):
        agencies.append(AgencyRole(referral.to_agency.name, referral.service.name, referral.get_status_display()))
    return FactSheet(case=case, facts=[received, *facts], status=case.get_status_display(), agencies=agencies)
