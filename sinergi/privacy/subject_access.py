"""What an agency holds about one person, for the person's right of access (UU 27/2022 PDP, art. 7 and 32).

The agency is the controller of its own registry: the export covers the person's record in the requesting
agency's registry and every record that agency keeps that points at it. Another agency's records about the same
human are that agency's to export (a referral shares them, it does not make them ours).

`SECTIONS` lists what is exported, `NOT_EXPORTED` what is left out and why; a test walks every model with a
foreign key to a person (or to a record of one) and fails when a new one is in neither list, so a new kind of
record cannot silently stay out of the export.

Nothing about anyone else: references to other persons (a relative, the other record of a match pair), the
names of staff and everything about users are left out; the access log says which agency read the record, when
and how, not which official.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from sinergi.registry.models import Person

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Section:
    key: str  # the JSON key
    title: StrOrPromise  # translatable: the page and the PDF show it in the user's language
    model: str  # app_label.ModelName
    rows: Callable[[Person], QuerySet[Any]]


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _by(label: str, lookup: str = "person") -> Callable[[Person], QuerySet[Any]]:
    """Rows of `label` whose lookup (e.g. ``case__person``) is the person."""

    def rows(person: Person) -> QuerySet[Any]:
        return _model(label)._default_manager.filter(**{lookup: person}).order_by("pk")

    return rows


def _person(person: Person) -> QuerySet[Any]:
    return Person._default_manager.filter(pk=person.pk)


SECTIONS: tuple[Section, ...] = (
    Section("person", _("Personal data"), "registry.Person", _person),
    Section("aliases", _("Other names"), "registry.PersonAlias", _by("registry.PersonAlias")),
    Section("identifiers", _("Identity numbers"), "registry.PersonIdentifier", _by("registry.PersonIdentifier")),
    Section("phones", _("Phone numbers"), "registry.PersonPhone", _by("registry.PersonPhone")),
    Section("family", _("Family"), "registry.FamilyLink", _by("registry.FamilyLink")),
    Section("migration", _("Work abroad"), "registry.MigrationEpisode", _by("registry.MigrationEpisode")),
    Section("source_records", _("Data from sources"), "sources.SourceRecord", _by("sources.SourceRecord")),
    Section("import_rows", _("Imported file rows"), "imports.ImportRow", _by("imports.ImportRow")),
    Section("verified_values", _("Verified values"), "matching.FieldVerification", _by("matching.FieldVerification")),
    Section("cases", _("Cases"), "cases.Case", _by("cases.Case")),
    Section(
        "case_status", _("Case status changes"), "cases.CaseStatusChange", _by("cases.CaseStatusChange", "case__person")
    ),
    Section("case_notes", _("Case notes"), "cases.CaseNote", _by("cases.CaseNote", "case__person")),
    Section("case_tasks", _("Case tasks"), "cases.CaseTask", _by("cases.CaseTask", "case__person")),
    Section("case_assessments", _("Case assessments"), "cases.Assessment", _by("cases.Assessment", "case__person")),
    Section(
        "intervention_plans",
        _("Intervention plans"),
        "cases.InterventionPlan",
        _by("cases.InterventionPlan", "case__person"),
    ),
    Section("attachments", _("Attachments (file names)"), "cases.Attachment", _by("cases.Attachment", "case__person")),
    Section("consents", _("Consents"), "cases.Consent", _by("cases.Consent", "case__person")),
    Section("referrals", _("Referrals"), "referrals.Referral", _by("referrals.Referral", "case__person")),
    Section(
        "referral_events",
        _("Referral steps"),
        "referrals.ReferralEvent",
        _by("referrals.ReferralEvent", "referral__case__person"),
    ),
    Section(
        "referral_deadlines",
        _("Referral deadlines"),
        "referrals.Deadline",
        _by("referrals.Deadline", "referral__case__person"),
    ),
    Section(
        "services",
        _("Services given"),
        "referrals.ServiceRecord",
        _by("referrals.ServiceRecord", "referral__case__person"),
    ),
    Section("take_ins", _("Records taken in from referrals"), "sharing.PersonTakeIn", _by("sharing.PersonTakeIn")),
    Section(
        "special_assistance",
        _("Special-assistance list"),
        "assistance.AssistanceEntry",
        _by("assistance.AssistanceEntry"),
    ),
    Section(
        "assessments", _("Needs and potential assessments"), "assessments.Assessment", _by("assessments.Assessment")
    ),
    Section(
        "assessment_drafts", _("Assessment drafts"), "assessments.AssessmentDraft", _by("assessments.AssessmentDraft")
    ),
    Section("benefits", _("Assistance given"), "benefits.Benefit", _by("benefits.Benefit")),
    Section(
        "benefit_steps", _("Assistance steps"), "benefits.BenefitStep", _by("benefits.BenefitStep", "benefit__person")
    ),
    Section("enrolments", _("Training and mentoring programmes"), "programmes.Enrolment", _by("programmes.Enrolment")),
    Section("attendance", _("Attendance"), "programmes.Attendance", _by("programmes.Attendance", "enrolment__person")),
    Section(
        "certificates", _("Certificates"), "programmes.Certificate", _by("programmes.Certificate", "enrolment__person")
    ),
    Section(
        "businesses", _("Businesses mentored"), "programmes.Business", _by("programmes.Business", "enrolment__person")
    ),
    Section(
        "business_checks",
        _("Business follow-ups"),
        "programmes.BusinessCheck",
        _by("programmes.BusinessCheck", "business__enrolment__person"),
    ),
    Section(
        "mentoring_visits",
        _("Mentoring visits"),
        "programmes.MentoringVisit",
        _by("programmes.MentoringVisit", "business__enrolment__person"),
    ),
    Section("outreach_follow_ups", _("Outreach follow-ups"), "outreach.FollowUp", _by("outreach.FollowUp")),
    Section("fact_claims", _("Case facts"), "statements.FactClaim", _by("statements.FactClaim", "case__person")),
    Section(
        "statements",
        _("Public statements about the case"),
        "statements.Statement",
        _by("statements.Statement", "case__person"),
    ),
    Section(
        "subject_requests",
        _("Requests about the person's data"),
        "privacy.SubjectRequest",
        _by("privacy.SubjectRequest"),
    ),
)

# Models that point at a person or a person's record but are not exported, and why.
NOT_EXPORTED: dict[str, str] = {
    "privacy.Restriction": "the restriction is the answer to a request, exported under data-subject requests",
    "registry.NameToken": "a search index derived from the name, which is exported",
    "matching.MatchCandidate": "a pair of two records for the data officer; the other record is someone else's",
    "matching.Merge": "joins two records; the result is the exported record, the absorbed one names another",
    "referrals.Referral.parent": "the same referrals, already exported",
    "outreach.FollowUp.enrolment": "exported under follow-ups",
    "benefits.Budget": "an agency's budget, nothing about the person",
}

# Fields never exported from any row: about staff, or internal bookkeeping.
_USER_MODEL = "accounts.User"


def _value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.fields.files.FieldFile):
        return (value.name or "").rsplit("/", 1)[-1]
    if isinstance(value, bytes):
        return None
    return value


def row_of(instance: models.Model, person: Person) -> dict[str, Any]:
    """The instance's own fields; references to staff and to other persons left out (see the module doc)."""
    row: dict[str, Any] = {"id": instance.pk}
    for field in instance._meta.concrete_fields:
        if field.primary_key:
            continue
        if field.is_relation:
            target = field.related_model._meta.label if field.related_model is not None else ""
            if target == _USER_MODEL:
                continue
            value = getattr(instance, field.attname)
            if target == "registry.Person" and value != person.pk:
                continue  # another person's record (a relative, a match pair)
            if target == "accounts.Agency" and value is not None:
                row[field.name] = str(getattr(instance, field.name))
                continue
            row[field.attname] = value
            continue
        row[field.name] = _value(getattr(instance, field.attname))
    if instance._meta.label == "registry.FamilyLink":
        # The relative's name and details are the relative's data: only the relationship stays.
        row = {key: value for key, value in row.items() if key in ("id", "person", "person_id", "relationship")}
    return row


def access_log(person: Person) -> list[dict[str, Any]]:
    from sinergi.audit.models import AuditEvent

    events = AuditEvent.objects.filter(object_type=Person._meta.label_lower, object_id=str(person.pk)).select_related(
        "agency"
    )
    return [
        {
            "at": event.at.isoformat(),
            "agency": str(event.agency) if event.agency is not None else "",
            "action": event.action,
            "via": event.via,
            "sections": (event.detail or {}).get("sections", []),
            "context": (event.detail or {}).get("context", ""),
        }
        for event in events.order_by("at", "pk")
    ]


def collect(person: Person) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for section in SECTIONS:
        data[section.key] = [row_of(row, person) for row in section.rows(person)]
    data["access_log"] = access_log(person)
    return data
