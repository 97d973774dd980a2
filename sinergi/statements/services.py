"""Every write to fact sheets and statements: permission (the workflow table), the privacy check, the audit
event, in one transaction.

An edit of a draft re-runs the privacy check and withdraws every approval of that version: officials approve
the exact text. A justification given for a finding is kept when the same text is flagged again after an edit.
When the last involved agency approves, the version is published; a published version is corrected by a new
version, and the one it replaces becomes superseded (still public, with what changed).
"""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sinergi.accounts.models import User
from sinergi.accounts.roles import Capability, Role
from sinergi.audit.events import record_event
from sinergi.cases.models import Case
from sinergi.regions.models import Region, RegionLevel
from sinergi.registry.models import FamilyLink, Person
from sinergi.registry.services import InvalidData
from sinergi.statements.facts import involved_agencies
from sinergi.statements.models import (
    Approval,
    DesignatedOfficial,
    FactClaim,
    FactKey,
    PrivacyFlag,
    Statement,
    StatementVersion,
    VersionStatus,
)
from sinergi.statements.privacy import PrivacyContext, find_privacy_issues
from sinergi.statements.selectors import get_involved_case, get_version_for_user
from sinergi.statements.workflow import Action, refusal

MAX_TITLE = 200
MAX_BODY = 20000
# No 0/O, 1/I/L: a code read out over the phone stays unambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class StatementError(Exception):
    """A refused step on a statement or a fact; the message says why and what to do."""


def _check(actor: User, version: StatementVersion, action: Action) -> None:
    reason = refusal(actor, version, action)
    if reason is not None:
        raise StatementError(reason)


def _new_code() -> str:
    while True:
        raw = "".join(secrets.choice(CODE_ALPHABET) for _i in range(8))
        code = f"{raw[:4]}-{raw[4:]}"
        if not StatementVersion.objects.filter(code=code).exists():
            return code


def _new_public_id() -> str:
    while True:
        public_id = "".join(secrets.choice(CODE_ALPHABET.lower()) for _i in range(10))
        if not Statement.objects.filter(public_id=public_id).exists():
            return public_id


def _clean_text(title: str, body: str) -> tuple[str, str]:
    title = " ".join(title.split())
    body = "".join(ch for ch in body if ch >= " " or ch in "\n\r\t").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = [_("Give the statement a title.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("The title is too long: at most %(max)s characters.") % {"max": MAX_TITLE}]
    if not body:
        errors["body"] = [_("Write the statement.")]
    elif len(body) > MAX_BODY:
        errors["body"] = [_("The text is too long: at most %(max)s characters.") % {"max": MAX_BODY}]
    if errors:
        raise InvalidData(errors)
    return title, body


def privacy_context(case: Case) -> PrivacyContext:
    """What could identify the case's person: names and spellings, family names, villages, identifiers."""
    person: Person = case.person
    names = [person.full_name, *person.aliases.values_list("name", flat=True)]
    family = list(FamilyLink.objects.filter(person=person).values_list("name", flat=True))
    family += [
        name
        for link in FamilyLink.objects.filter(person=person, relative__isnull=False).select_related("relative")
        if link.relative is not None
        for name in [link.relative.full_name]
    ]
    villages: set[str] = set()
    if person.region_id:
        code = person.region_id
        regency = ".".join(code.split(".")[:2])
        # Every village of the person's regency: a statement naming any of them narrows the person down.
        villages.update(
            Region.objects.filter(level=RegionLevel.VILLAGE, code__startswith=regency + ".").values_list(
                "name", flat=True
            )
        )
        if person.region is not None and person.region.level == RegionLevel.VILLAGE:
            villages.add(person.region.name)
    identifiers = [
        person.nik,
        *person.identifiers.values_list("value", flat=True),
        *person.phones.values_list("number", flat=True),
    ]
    return PrivacyContext(
        person_names=tuple(name for name in names if name),
        family_names=tuple(sorted({name for name in family if name})),
        villages=tuple(sorted(villages)),
        identifiers=tuple(value for value in identifiers if value),
        address=person.address_text,
    )


def _run_privacy_check(version: StatementVersion, previous: dict[tuple[str, str], PrivacyFlag]) -> None:
    version.flags.all().delete()
    context = privacy_context(version.statement.case)
    findings = find_privacy_issues(f"{version.title}\n{version.body}", context)
    PrivacyFlag.objects.bulk_create(
        PrivacyFlag(
            version=version,
            kind=finding.kind,
            match=finding.match[:200],
            reason=finding.reason[:300],
            justification=kept.justification if kept else "",
            justified_by=kept.justified_by if kept else None,
            justified_at=kept.justified_at if kept else None,
        )
        for finding in findings
        for kept in [previous.get((finding.kind, finding.match.casefold()))]
    )


@transaction.atomic
def draft_statement(*, actor: User, case_id: int, title: str, body: str) -> StatementVersion:
    """A new statement about a case the actor's agency is involved in, as version 1 (a draft)."""
    case = get_involved_case(actor, case_id)
    if not actor.has_capability(Capability.MANAGE_CASES):
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))
    title, body = _clean_text(title, body)
    assert actor.agency_id is not None  # involved_cases_for gives nothing to a user without an agency
    now = timezone.now()
    statement = Statement.objects.create(
        case=case, drafting_agency_id=actor.agency_id, public_id=_new_public_id(), created_by=actor, created_at=now
    )
    version = StatementVersion.objects.create(
        statement=statement,
        number=1,
        title=title,
        body=body,
        code=_new_code(),
        created_by=actor,
        created_at=now,
        edited_by=actor,
        edited_at=now,
    )
    _run_privacy_check(version, {})
    record_event(actor=actor, action="statement.drafted", obj=version, summary=title, detail={"case": case.pk})
    return version


@transaction.atomic
def edit_version(
    *, actor: User, version_id: int, title: str, body: str, change_note: str | None = None
) -> StatementVersion:
    """Change a draft's text: the privacy check runs again and every approval of the version is withdrawn."""
    version = get_version_for_user(actor, version_id, write=True)
    _check(actor, version, Action.EDIT)
    title, body = _clean_text(title, body)
    previous = {(flag.kind, flag.match.casefold()): flag for flag in version.flags.exclude(justification="")}
    withdrawn = version.approvals.count()
    version.approvals.all().delete()
    version.title, version.body = title, body
    if change_note is not None:
        version.change_note = change_note.strip()
    version.edited_by, version.edited_at = actor, timezone.now()
    version.save(update_fields=["title", "body", "change_note", "edited_by", "edited_at"])
    _run_privacy_check(version, previous)
    record_event(
        actor=actor, action="statement.edited", obj=version, summary=title, detail={"approvals_withdrawn": withdrawn}
    )
    return version


@transaction.atomic
def justify_flag(*, actor: User, version_id: int, flag_id: int, justification: str) -> PrivacyFlag:
    version = get_version_for_user(actor, version_id, write=True)
    _check(actor, version, Action.JUSTIFY)
    flag = version.flags.filter(pk=flag_id).first()
    if flag is None:
        raise StatementError(_("This flag is no longer there: the text changed. Look at the check again."))
    text = justification.strip()
    if len(text) < 10:
        raise InvalidData({"justification": [_("Say in a sentence why this may be published.")]})
    flag.justification, flag.justified_by, flag.justified_at = text[:2000], actor, timezone.now()
    flag.save(update_fields=["justification", "justified_by", "justified_at"])
    # A justification changes what officials approve: they approve again.
    version.approvals.all().delete()
    record_event(
        actor=actor,
        action="statement.flag_justified",
        obj=version,
        summary=f"{flag.kind}: {flag.match}",
        detail={"flag": flag.pk, "justification": flag.justification},
    )
    return flag


@transaction.atomic
def approve_version(*, actor: User, version_id: int) -> StatementVersion:
    """The designated official approves for their agency; the last involved agency's approval publishes."""
    version = get_version_for_user(actor, version_id, write=True)
    _check(actor, version, Action.APPROVE)
    assert actor.agency_id is not None
    Approval.objects.create(version=version, agency_id=actor.agency_id, by=actor)
    record_event(actor=actor, action="statement.approved", obj=version, summary=version.title)
    needed = {agency.pk for agency in involved_agencies(version.statement.case)}
    given = set(version.approvals.values_list("agency_id", flat=True))
    if needed <= given:
        _publish(version)
    return version


def _publish(version: StatementVersion) -> None:
    now = timezone.now()
    for old in StatementVersion.objects.select_for_update().filter(
        statement=version.statement, status=VersionStatus.PUBLISHED
    ):
        old.status, old.superseded_at = VersionStatus.SUPERSEDED, now
        old.save(update_fields=["status", "superseded_at"])
    version.status, version.published_at = VersionStatus.PUBLISHED, now
    version.save(update_fields=["status", "published_at"])
    record_event(
        actor=None,
        action="statement.published",
        obj=version,
        summary=version.title,
        detail={"public_id": version.statement.public_id, "code": version.code, "number": version.number},
    )


@transaction.atomic
def start_correction(*, actor: User, version_id: int, change_note: str) -> StatementVersion:
    """A new draft version from the published one; published, it supersedes it and says what changed."""
    version = get_version_for_user(actor, version_id, write=True)
    _check(actor, version, Action.CORRECT)
    note = change_note.strip()
    if len(note) < 5:
        raise InvalidData({"change_note": [_("Say what the correction changes.")]})
    now = timezone.now()
    draft = StatementVersion.objects.create(
        statement=version.statement,
        number=version.number + 1,
        title=version.title,
        body=version.body,
        change_note=note[:2000],
        code=_new_code(),
        created_by=actor,
        created_at=now,
        edited_by=actor,
        edited_at=now,
    )
    previous = {(flag.kind, flag.match.casefold()): flag for flag in version.flags.exclude(justification="")}
    _run_privacy_check(draft, previous)
    record_event(actor=actor, action="statement.correction_started", obj=draft, summary=note[:300])
    return draft


@transaction.atomic
def state_fact(*, actor: User, case_id: int, key: str, value: str, source: str) -> FactClaim:
    """Record what the actor's agency says a fact is, and from which source."""
    case = get_involved_case(actor, case_id)
    if not actor.has_capability(Capability.MANAGE_CASES):
        raise PermissionDenied(_("Your role does not allow this. Ask your supervisor if you need it."))
    errors: dict[str, list[str]] = {}
    if key not in FactKey.values:
        errors["key"] = [_("Choose one of the facts offered.")]
    if not value.strip():
        errors["value"] = [_("Give the value.")]
    if not source.strip():
        errors["source"] = [_("Say where the value comes from (a letter, a call, a document).")]
    if errors:
        raise InvalidData(errors)
    assert actor.agency_id is not None
    claim = FactClaim.objects.create(
        case=case, key=key, value=value.strip()[:200], source=source.strip()[:200], agency_id=actor.agency_id, by=actor
    )
    record_event(
        actor=actor, action="fact.stated", obj=case, summary=f"{key}={claim.value}", detail={"claim": claim.pk}
    )
    return claim


@transaction.atomic
def verify_fact(*, actor: User, case_id: int, claim_id: int) -> FactClaim:
    """A supervisor of an involved agency settles a fact: this value is the one all agencies use."""
    case = get_involved_case(actor, case_id)
    if not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied(_("Only a supervisor verifies a fact."))
    claim = FactClaim.objects.select_for_update().filter(case=case, pk=claim_id).first()
    if claim is None:
        raise StatementError(_("This value is not among the case's stated facts."))
    claim.verified_by, claim.verified_at = actor, timezone.now()
    claim.save(update_fields=["verified_by", "verified_at"])
    record_event(actor=actor, action="fact.verified", obj=case, summary=f"{claim.key}={claim.value}")
    return claim


@transaction.atomic
def designate_official(*, actor: User, user_id: int) -> DesignatedOfficial:
    """An administrator names a user of their own agency as the one who approves statements for it."""
    if not actor.has_capability(Capability.MANAGE_AGENCY) and not actor.is_superuser:
        raise PermissionDenied(_("Only an administrator designates the official who approves statements."))
    official = User.objects.filter(pk=user_id, is_active=True).first()
    if (
        official is None
        or official.agency_id is None
        or (official.agency_id != actor.agency_id and not actor.is_superuser)
    ):
        raise InvalidData({"user_id": [_("Choose an active user of your agency.")]})
    designation, created = DesignatedOfficial.objects.get_or_create(agency_id=official.agency_id, user=official)
    if created:
        record_event(actor=actor, action="statement.official_designated", obj=official, summary=official.username)
    return designation
