"""Retention (UU 27/2022 Pasal 43–44: data is kept no longer than its purpose needs): a policy per record type,
and the run that deletes or anonymises what has expired, with a dry run that shows what would go.

The policy is `POLICY` (the defaults, documented in docs/privacy.md) with per-deployment overrides in days from
`SINERGI_RETENTION_DAYS` ("import_rows=90,persons=3650"). A run (`sinergi retention`, or the task
`run_retention_task` from a scheduler) goes rule by rule, each in its own transactions, so a run stopped halfway
is finished by the next one; it writes one audit event with what it did. Persons are anonymised with the same
function as an erasure request (`privacy.erasure.anonymise_person`), and only when nothing must be kept by law
(`plan_erasure`): a person whose records must be kept is reported with the reasons, never touched.

Never deleted by this run, and why: the audit trail (hash-chained evidence of who did what, kept as the
agency's archive), referral letters and statements (official documents), aggregated statistics.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.tasks import task
from django.utils import timezone

from sinergi.audit.events import record_event
from sinergi.registry.models import Person


@dataclass(frozen=True)
class Rule:
    key: str
    days: int
    what: str  # Indonesian, for the report and the page
    action: str  # what happens to an expired record


POLICY: tuple[Rule, ...] = (
    Rule(
        "import_rows",
        180,
        "Isi baris berkas impor (nilai asli per baris) setelah impor selesai",
        "dikosongkan; jumlah dan hasil per baris tetap",
    ),
    Rule(
        "abandoned_imports",
        30,
        "Impor yang diunggah tetapi tidak pernah dikonfirmasi (pemetaan kolom atau pratinjau)",
        "dibatalkan; berkas dan baris-barisnya dihapus",
    ),
    Rule("assessment_drafts", 30, "Draf asesmen yang tidak disentuh", "dihapus"),
    Rule("notifications", 365, "Notifikasi di kotak masuk petugas", "dihapus"),
    Rule("sessions", 0, "Sesi login yang sudah kedaluwarsa", "dihapus"),
    Rule(
        "persons",
        3650,
        "Orang tanpa kegiatan apa pun (kasus, rujukan, bantuan, program) sejak batas waktu",
        "dianonimkan bila undang-undang mengizinkan; bila tidak, disimpan dengan alasannya",
    ),
)
ERASED_PREFIX = "Dihapus #"  # the name erasure gives (privacy.erasure)


def policy() -> list[Rule]:
    """The policy in force: the defaults with the deployment's overrides."""
    overrides: dict[str, int] = {}
    for item in settings.SINERGI_RETENTION_DAYS:
        key, _, days = item.partition("=")
        overrides[key.strip()] = int(days)
    return [Rule(rule.key, overrides.get(rule.key, rule.days), rule.what, rule.action) for rule in POLICY]


@dataclass
class RuleOutcome:
    rule: Rule
    cutoff: datetime
    expired: int = 0
    done: int = 0
    kept: Counter[str] = field(default_factory=Counter)  # reason -> persons kept for it


@dataclass
class RetentionReport:
    dry_run: bool
    at: datetime
    outcomes: list[RuleOutcome] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "akan" if self.dry_run else "sudah"
        out = []
        for outcome in self.outcomes:
            rule = outcome.rule
            out.append(
                f"{rule.what} (lebih dari {rule.days} hari): {outcome.expired} kedaluwarsa, "
                f"{outcome.done} {verb} {rule.action.split(';')[0]}"
            )
            for reason, count in sorted(outcome.kept.items()):
                out.append(f"  disimpan {count}: {reason}")
        return out


# --- what has expired, per rule ------------------------------------------------------------------------------


def _import_rows(cutoff: datetime) -> QuerySet[Any]:
    from sinergi.imports.models import ImportRow

    finished = Q(batch__finished_at__lt=cutoff) & ~Q(values={})
    return ImportRow.objects.filter(finished)


def _drafts(cutoff: datetime) -> QuerySet[Any]:
    from sinergi.assessments.models import AssessmentDraft

    return AssessmentDraft.objects.filter(updated_at__lt=cutoff)


def _notifications(cutoff: datetime) -> QuerySet[Any]:
    from sinergi.notifications.models import Notification

    return Notification.objects.filter(created_at__lt=cutoff)


def _sessions(now: datetime) -> QuerySet[Any]:
    from django.contrib.sessions.models import Session

    return Session.objects.filter(expire_date__lt=now)


def expired_persons(cutoff: datetime) -> QuerySet[Person]:
    """Persons last changed before `cutoff` with nothing about them since: no case activity, referral step,
    special-assistance entry, assistance or programme enrolment after it; not yet anonymised."""
    from sinergi.assistance.models import AssistanceEntry
    from sinergi.benefits.models import Benefit
    from sinergi.cases.models import Case
    from sinergi.programmes.models import Enrolment
    from sinergi.referrals.models import ReferralEvent

    person = OuterRef("pk")
    recent = (
        Exists(Case.objects.filter(person=person, updated_at__gte=cutoff))
        | Exists(ReferralEvent.objects.filter(referral__case__person=person, at__gte=cutoff))
        | Exists(AssistanceEntry.objects.filter(person=person, status_changed_at__gte=cutoff))
        | Exists(Benefit.objects.filter(person=person, updated_at__gte=cutoff))
        | Exists(Enrolment.objects.filter(person=person, status_changed_at__gte=cutoff))
    )
    return (
        Person.objects.filter(updated_at__lt=cutoff, merged_into__isnull=True)
        .exclude(full_name__startswith=ERASED_PREFIX)
        .exclude(recent)
        .order_by("pk")
    )


# --- the run -------------------------------------------------------------------------------------------------

CHUNK = 500


def _delete_in_chunks(queryset: QuerySet[Any], dry_run: bool) -> tuple[int, int]:
    expired = queryset.count()
    if dry_run:
        return expired, 0
    done = 0
    model = queryset.model
    while True:
        with transaction.atomic():
            pks = list(queryset.values_list("pk", flat=True)[:CHUNK])
            if not pks:
                return expired, done
            model._base_manager.filter(pk__in=pks).delete()
            done += len(pks)


def _discard_imports(cutoff: datetime, dry_run: bool) -> tuple[int, int]:
    from sinergi.imports.services import abandoned_imports, discard_abandoned_import

    ids = list(abandoned_imports(cutoff).values_list("pk", flat=True))
    if dry_run:
        return len(ids), 0
    return len(ids), sum(discard_abandoned_import(batch_id) for batch_id in ids)


def _empty_import_rows(queryset: QuerySet[Any], dry_run: bool) -> tuple[int, int]:
    expired = queryset.count()
    if dry_run:
        return expired, 0
    done = 0
    model = queryset.model
    while True:
        with transaction.atomic():
            pks = list(queryset.values_list("pk", flat=True)[:CHUNK])
            if not pks:
                return expired, done
            done += model._base_manager.filter(pk__in=pks).update(values={}, candidates=[], changes={})


def _persons(cutoff: datetime, dry_run: bool, outcome: RuleOutcome) -> None:
    from sinergi.privacy.erasure import ErasureNotAllowed, anonymise_person, plan_erasure

    for person in expired_persons(cutoff).iterator(chunk_size=CHUNK):
        outcome.expired += 1
        plan = plan_erasure(person)
        if not plan.allowed:
            for kept in plan.kept:
                outcome.kept[kept.what] += 1
            continue
        if dry_run:
            continue
        try:
            anonymise_person(person.pk)  # its own transaction; a stopped run leaves whole persons only
        except ErasureNotAllowed as refused:  # something began in between: kept this time
            for kept in refused.plan.kept:
                outcome.kept[kept.what] += 1
            continue
        outcome.done += 1


def run_retention(*, dry_run: bool, now: datetime | None = None) -> RetentionReport:
    """Apply (or, with `dry_run`, count) the policy; audited when it changed anything."""
    now = now or timezone.now()
    report = RetentionReport(dry_run=dry_run, at=now)
    for rule in policy():
        cutoff = now - timedelta(days=rule.days)
        outcome = RuleOutcome(rule=rule, cutoff=cutoff)
        if rule.key == "import_rows":
            outcome.expired, outcome.done = _empty_import_rows(_import_rows(cutoff), dry_run)
        elif rule.key == "abandoned_imports":
            outcome.expired, outcome.done = _discard_imports(cutoff, dry_run)
        elif rule.key == "assessment_drafts":
            outcome.expired, outcome.done = _delete_in_chunks(_drafts(cutoff), dry_run)
        elif rule.key == "notifications":
            outcome.expired, outcome.done = _delete_in_chunks(_notifications(cutoff), dry_run)
        elif rule.key == "sessions":
            outcome.expired, outcome.done = _delete_in_chunks(_sessions(now), dry_run)
        elif rule.key == "persons":
            _persons(cutoff, dry_run, outcome)
        report.outcomes.append(outcome)
    if not dry_run and any(outcome.done for outcome in report.outcomes):
        record_event(
            actor=None,
            action="retention.applied",
            summary="; ".join(f"{o.rule.key} {o.done}" for o in report.outcomes if o.done),
            detail={
                o.rule.key: {"days": o.rule.days, "expired": o.expired, "done": o.done, "kept": dict(o.kept)}
                for o in report.outcomes
            },
        )
    return report


@task()
def run_retention_task() -> dict[str, int]:
    """The run as a Django task, for deployments that enqueue it from their scheduler (daily)."""
    report = run_retention(dry_run=False)
    return {outcome.rule.key: outcome.done for outcome in report.outcomes}
