"""Every read of assistance given. A benefit is visible to its giving agency, and to whoever may see the person
(`registry.selectors.persons_visible_to`): one version of who received what. The duplicate check looks further
(every agency's benefits for the same human) but answers only what, when and which agency.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.benefits.models import COUNTS_AS_GIVEN, AssistanceType, Benefit, BenefitStatus, Budget
from sinergi.registry.models import Person
from sinergi.registry.selectors import persons_visible_to


def benefits_visible_to(user: User) -> QuerySet[Benefit]:
    if not user.is_authenticated or not user.has_capability(Capability.VIEW_CASES):
        return Benefit.objects.none()
    # The giving agency's own; any on a person the user may see; and what a receiver gave on its own record of a
    # person the user's agency referred to it (taken in from the referral: the sender learns what was given).
    return Benefit.objects.filter(
        Q(agency_id=user.agency_id)
        | Q(person__in=persons_visible_to(user))
        | Q(person__taken_in_from__source_person__registered_by_agency_id=user.agency_id)
    )


def get_benefit_for_user(user: User, pk: int, *, write: bool = False) -> Benefit:
    queryset = benefits_visible_to(user).select_related("person", "agency", "assistance_type", "budget", "proposed_by")
    if write:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=pk)
    except (Benefit.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def types_for_agency(user: User) -> QuerySet[AssistanceType]:
    if user.agency_id is None:
        return AssistanceType.objects.none()
    return AssistanceType.objects.filter(agency_id=user.agency_id, is_active=True).order_by("name")


def queue_for(user: User, status: str = "") -> QuerySet[Benefit]:
    """The giving agency's benefits, open ones by default."""
    if not user.is_authenticated or not user.has_capability(Capability.VIEW_CASES):
        return Benefit.objects.none()
    queryset = Benefit.objects.filter(agency_id=user.agency_pk).select_related(
        "person", "assistance_type", "proposed_by"
    )
    if status:
        return queryset.filter(status=status)
    return queryset.filter(status__in=[BenefitStatus.PROPOSED, BenefitStatus.VERIFIED, BenefitStatus.APPROVED])


def history_for_person(user: User, person: Person) -> QuerySet[Benefit]:
    """`person` comes from get_person_for_user; the benefits of that record, every agency's."""
    return benefits_visible_to(user).filter(person=person).select_related("agency", "assistance_type")


def budget_for(assistance_type: AssistanceType, on: date) -> Budget | None:
    return (
        Budget.objects.filter(assistance_type=assistance_type, period_start__lte=on, period_end__gte=on)
        .order_by("-period_start")
        .first()
    )


@dataclass
class BudgetRow:
    budget: Budget
    committed: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget.amount - self.committed - self.spent


def budget_figures(budget: Budget) -> BudgetRow:
    """Committed: approved, not yet delivered; spent: delivered."""
    committed = Benefit.objects.filter(budget=budget, status=BenefitStatus.APPROVED).aggregate(t=Sum("approved_amount"))
    spent = Benefit.objects.filter(budget=budget, status=BenefitStatus.DELIVERED).aggregate(t=Sum("delivered_amount"))
    return BudgetRow(budget=budget, committed=committed["t"] or Decimal(0), spent=spent["t"] or Decimal(0))


def budgets_for(user: User) -> list[BudgetRow]:
    if not user.is_authenticated or not user.has_capability(Capability.VIEW_CASES):
        return []
    budgets = Budget.objects.filter(assistance_type__agency_id=user.agency_pk).select_related("assistance_type")
    return [budget_figures(b) for b in budgets]


# --- the same human across records and agencies ----------------------------------------------------------------


def linked_person_ids(person: Person) -> set[int]:
    """This record and every record of the same human: the same NIK (any agency), merges, records taken in from
    a referral, and pairs a data officer judged the same in the matching review (sinergi.matching)."""
    from sinergi.matching.models import Decision, MatchCandidate

    ids = {person.pk}
    if person.merged_into_id:
        ids.add(person.merged_into_id)
    ids |= set(Person.objects.filter(merged_into_id__in=ids).values_list("pk", flat=True))
    if person.nik:
        ids |= set(Person.objects.filter(nik=person.nik).values_list("pk", flat=True))
    # Records an agency took into its registry from a referral, and the records they were taken from.
    from sinergi.sharing.models import PersonTakeIn

    for a, b in PersonTakeIn.objects.filter(Q(person_id__in=ids) | Q(source_person_id__in=ids)).values_list(
        "person_id", "source_person_id"
    ):
        ids |= {a, b}
    pairs = MatchCandidate.objects.filter(Q(person_id__in=ids) | Q(other_person_id__in=ids), decision=Decision.SAME)
    for a, b in pairs.values_list("person_id", "other_person_id"):
        ids |= {a, b}
    return ids


def duplicate_warnings(
    person: Person, assistance_type: AssistanceType, *, exclude_pk: int | None = None, on: date | None = None
) -> list[dict[str, str]]:
    """Assistance the same human already got (or was approved) of the same or an overlapping kind, within the
    type's window, from any agency: what, when and which agency only — no person data, no record link."""
    on = on or timezone.localdate()
    codes = {assistance_type.code, *assistance_type.overlaps_with}
    since = on - timedelta(days=assistance_type.duplicate_window_days)
    queryset = (
        Benefit.objects.filter(
            person_id__in=linked_person_ids(person),
            assistance_type__code__in=codes,
            status__in=COUNTS_AS_GIVEN,
        )
        .filter(Q(delivered_on__gte=since) | Q(delivered_on__isnull=True, proposed_at__date__gte=since))
        .select_related("agency", "assistance_type")
        .order_by("-proposed_at")
    )
    if exclude_pk:
        queryset = queryset.exclude(pk=exclude_pk)
    return [
        {
            "assistance": b.assistance_type.name,
            "code": b.assistance_type.code,
            "status": b.status,
            "date": (b.delivered_on or timezone.localtime(b.proposed_at).date()).isoformat(),
            "agency": b.agency.name,
        }
        for b in queryset[:20]
    ]


def labelled(warnings: list[dict[str, str]]) -> list[dict[str, str]]:
    """Warnings with the status in the reader's language (stored as the code)."""
    return [
        {
            **w,
            "status_label": str(BenefitStatus(w["status"]).label)
            if w["status"] in BenefitStatus.values
            else w["status"],
        }
        for w in warnings
    ]


# --- nobody missed ---------------------------------------------------------------------------------------------


@dataclass
class MissedRow:
    person: Person
    regency: str
    agency: str
    assessed_at: date
    days_waiting: int
    codes: list[str] = field(default_factory=list)


def recommended_but_not_received(user: User, days: int = 30) -> list[MissedRow]:
    """Persons the user may see whose latest assessment recommends assistance and who received none since,
    `days` or more after the assessment; per assessing agency and regency (sorted so)."""
    from sinergi.assessments.models import Assessment, RecommendationKind
    from sinergi.assessments.selectors import visible_recommendations

    if not user.is_authenticated or not user.has_capability(Capability.VIEW_CASES):
        return []
    today = timezone.localdate()
    visible = persons_visible_to(user).filter(merged_into__isnull=True)
    latest: dict[int, Assessment] = {}
    for assessment in (
        Assessment.objects.filter(person__in=visible)
        .select_related("agency", "person__region__parent__parent")
        .prefetch_related("recommendations")
        .order_by("person_id", "-at", "-id")
    ):
        latest.setdefault(assessment.person_id, assessment)
    rows: list[MissedRow] = []
    for assessment in latest.values():
        codes = [r.code for r in visible_recommendations(user, assessment) if r.kind == RecommendationKind.ASSISTANCE]
        assessed_on = timezone.localtime(assessment.at).date()
        waiting = (today - assessed_on).days
        if not codes or waiting < days:
            continue
        received = Benefit.objects.filter(
            person_id__in=linked_person_ids(assessment.person),
            status=BenefitStatus.DELIVERED,
            delivered_on__gte=assessed_on,
        ).exists()
        if received:
            continue
        region = assessment.person.region
        regency = ""
        while region is not None:
            if region.code.count(".") == 1:
                regency = region.name
                break
            region = region.parent
        rows.append(
            MissedRow(assessment.person, regency or _("unknown"), assessment.agency.name, assessed_on, waiting, codes)
        )
    rows.sort(key=lambda r: (r.agency, r.regency, -r.days_waiting))
    return rows


# --- the assistance-type editor -----------------------------------------------------------------------------------


def types_managed_by(user: User) -> QuerySet[AssistanceType]:
    """Every assistance type of the user's agency, active or not (another agency's types are not theirs)."""
    return AssistanceType.objects.filter(agency_id=user.agency_pk).order_by("name")


def get_type_for_manager(user: User, pk: int) -> AssistanceType:
    kind = types_managed_by(user).filter(pk=pk).first()
    if kind is None:
        raise Http404
    return kind


def budgets_of_type(kind: AssistanceType) -> list[BudgetRow]:
    return [budget_figures(b) for b in kind.budgets.order_by("-period_start")]
