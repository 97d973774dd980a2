"""What a user's home page shows: the work waiting for them and their agency's numbers, by what their role
may do. Every figure is read through the selectors of the app that owns the rows (the visibility rule stays
there); this module only counts and picks the first few."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability
from sinergi.assistance.models import AssistanceEntry, AssistanceStatus
from sinergi.assistance.selectors import entries_visible_to
from sinergi.cases.models import OPEN_CASE_STATUSES, Case, CaseStatus
from sinergi.cases.selectors import cases_visible_to
from sinergi.imports.models import ImportBatch
from sinergi.imports.selectors import batches_visible_to
from sinergi.matching.selectors import queue_counts
from sinergi.referrals.inbox import inbox_conditions, inbox_counts, person_name_for
from sinergi.referrals.models import Referral
from sinergi.referrals.selectors import referrals_visible_to

SHORT_LIST = 5


@dataclass
class LateReferral:
    referral: Referral
    person_name: str | None


@dataclass
class HomeWork:
    inbox: dict[str, int] = field(default_factory=dict)
    my_cases: list[Case] = field(default_factory=list)
    my_open_cases: int = 0
    cases_by_status: dict[str, int] = field(default_factory=dict)
    late: list[LateReferral] = field(default_factory=list)
    waiting: list[LateReferral] = field(default_factory=list)
    awaiting_agreement: list[AssistanceEntry] = field(default_factory=list)
    pairs_to_review: int | None = None
    recent_imports: list[ImportBatch] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)


def home_work(user: User) -> HomeWork:
    work = HomeWork()
    now = timezone.now()
    if user.has_capability(Capability.VIEW_CASES):
        conditions = inbox_conditions(user, now)
        # The figures the home page shows, counted as the inbox counts them (capped, one index each).
        work.inbox = inbox_counts(user, conditions, ("menunggu", "terlambat"))
        visible_cases = cases_visible_to(user)
        mine = visible_cases.filter(assigned_to=user, status__in=OPEN_CASE_STATUSES)
        work.my_open_cases = mine.count()
        work.my_cases = list(mine.select_related("person").order_by("-received_at")[:SHORT_LIST])
        by_status = dict(visible_cases.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
        work.cases_by_status = {str(label): by_status.get(value, 0) for value, label in CaseStatus.choices}
        late = (
            referrals_visible_to(user)
            .filter(conditions["terlambat"])
            .select_related("case__person", "to_agency", "from_agency", "service")
            .order_by("-id")[:SHORT_LIST]
        )
        work.late = [LateReferral(referral, person_name_for(user, referral)) for referral in late]
        if work.inbox.get("menunggu") and user.has_capability(Capability.HANDLE_REFERRALS):
            waiting = (
                referrals_visible_to(user)
                .filter(conditions["menunggu"])
                .select_related("case__person", "from_agency", "service")
                .order_by("sent_at", "id")[:SHORT_LIST]
            )
            work.waiting = [LateReferral(referral, person_name_for(user, referral)) for referral in waiting]
    if user.has_capability(Capability.AGREE_ASSISTANCE):
        not_agreed_yet = Q(proposing_agency_id=user.agency_id, proposer_agreed_at__isnull=True) | Q(
            partner_agency_id=user.agency_id, partner_agreed_at__isnull=True
        )
        work.awaiting_agreement = list(
            entries_visible_to(user)
            .filter(not_agreed_yet, status=AssistanceStatus.PROPOSED)
            .select_related("case", "proposing_agency", "partner_agency")
            .order_by("proposed_at")[:SHORT_LIST]
        )
    if user.has_capability(Capability.REVIEW_MATCHES):
        work.pairs_to_review = queue_counts(user)["menunggu"]
    if user.has_capability(Capability.IMPORT_DATA):
        work.recent_imports = list(batches_visible_to(user).select_related("source").order_by("-id")[:SHORT_LIST])
    if user.has_capability(Capability.ANSWER_SUBJECT_REQUESTS):
        # Data-subject requests with their legal clocks (sinergi.privacy), nearest deadline first.
        from sinergi.privacy.selectors import open_requests_for

        work.extra["subject_requests"] = list(open_requests_for(user)[:SHORT_LIST])
    return work
