"""The section table: every field of a person, a case and their sub-records belongs to exactly one section.

A section is the unit that travels (or does not) between agencies. The eight shareable sections are the SOP's
`SharedSection`; `OWNER_ONLY` holds what never leaves the agency that recorded it (other identifiers such as
passport numbers, flags, bookkeeping), and `RECORD_KEYS` holds keys and links that carry no personal data
(ids, the record's own foreign keys). `tests/test_sections.py` walks the models' fields and fails when a new
field is not placed here, so nobody adds a column without deciding who may read it.
"""

from __future__ import annotations

from sinergi.sop.models import SharedSection

IDENTITY = SharedSection.IDENTITY.value
CONTACT = SharedSection.CONTACT.value
FAMILY = SharedSection.FAMILY.value
MIGRATION = SharedSection.MIGRATION.value
COMPLAINT = SharedSection.COMPLAINT.value
ASSESSMENTS = SharedSection.ASSESSMENTS.value
NOTES = SharedSection.NOTES.value
ATTACHMENTS = SharedSection.ATTACHMENTS.value
# Never shared with another agency.
OWNER_ONLY = "PEMILIK"
# Keys and bookkeeping links without personal data: readable by whoever may read the row at all.
RECORD_KEYS = "KUNCI"

PERSON_SECTIONS = frozenset({IDENTITY, CONTACT, FAMILY, MIGRATION})
CASE_SECTIONS = frozenset({COMPLAINT, ASSESSMENTS, NOTES, ATTACHMENTS})
SHAREABLE_SECTIONS = PERSON_SECTIONS | CASE_SECTIONS
ALL_PERSON_SECTIONS = PERSON_SECTIONS | {OWNER_ONLY}
ALL_CASE_SECTIONS = CASE_SECTIONS | {OWNER_ONLY}

# model label → field name → section. Reverse relations are not listed; each sub-record's model is.
FIELD_SECTIONS: dict[str, dict[str, str]] = {
    "registry.person": {
        "id": RECORD_KEYS,
        "full_name": IDENTITY,
        "name_key": IDENTITY,
        "sex": IDENTITY,
        "birth_date": IDENTITY,
        "birth_date_accuracy": IDENTITY,
        "nik": IDENTITY,
        "birth_place": IDENTITY,
        "kind": OWNER_ONLY,
        "region": CONTACT,
        "address_text": CONTACT,
        "flag_child": OWNER_ONLY,
        "flag_disability": OWNER_ONLY,
        "flag_trafficking": OWNER_ONLY,
        "registered_by_agency": OWNER_ONLY,
        "created_by": OWNER_ONLY,
        "created_at": OWNER_ONLY,
        "updated_at": OWNER_ONLY,
        "version": OWNER_ONLY,
        "merged_into": OWNER_ONLY,
    },
    "registry.personalias": {"id": RECORD_KEYS, "person": RECORD_KEYS, "name": IDENTITY, "name_key": IDENTITY},
    "registry.nametoken": {"id": RECORD_KEYS, "person": RECORD_KEYS, "token": IDENTITY, "phonetic": IDENTITY},
    # Passport, KK, PMI id: not in the identity section (name, sex, birth date, NIK).
    "registry.personidentifier": {"id": RECORD_KEYS, "person": RECORD_KEYS, "kind": OWNER_ONLY, "value": OWNER_ONLY},
    "registry.personphone": {"id": RECORD_KEYS, "person": RECORD_KEYS, "number": CONTACT, "label": CONTACT},
    "registry.familylink": {
        "id": RECORD_KEYS,
        "person": RECORD_KEYS,
        "relationship": FAMILY,
        "relative": OWNER_ONLY,
        "name": FAMILY,
        "phone": FAMILY,
        "is_next_of_kin": FAMILY,
    },
    "registry.migrationepisode": {
        "id": RECORD_KEYS,
        "person": RECORD_KEYS,
        "destination_country": MIGRATION,
        "employer": MIGRATION,
        "employer_phone": MIGRATION,
        "placement_company": MIGRATION,
        "job": MIGRATION,
        "departure_date": MIGRATION,
        "return_date": MIGRATION,
        "procedural": MIGRATION,
    },
    "cases.case": {
        "id": RECORD_KEYS,
        "number": RECORD_KEYS,
        "agency": RECORD_KEYS,
        "person": RECORD_KEYS,
        "channel": COMPLAINT,
        "received_at": COMPLAINT,
        "complainant_type": COMPLAINT,
        "complainant_name": OWNER_ONLY,
        "complainant_contact": OWNER_ONLY,
        "categories": COMPLAINT,
        "phase": COMPLAINT,
        "destination_country": COMPLAINT,
        "employer": MIGRATION,
        "placement_company": MIGRATION,
        "procedural": MIGRATION,
        "urgency": COMPLAINT,
        # The case's flags (set from the person's at intake) tell a receiver how to approach the person.
        "flag_trafficking": COMPLAINT,
        "flag_child": COMPLAINT,
        "flag_disability": COMPLAINT,
        "narrative": COMPLAINT,
        "status": OWNER_ONLY,
        "closure_reason": OWNER_ONLY,
        "outcome": OWNER_ONLY,
        "closing_summary": OWNER_ONLY,
        "assigned_to": OWNER_ONLY,
        "created_by": OWNER_ONLY,
        "created_at": OWNER_ONLY,
        "updated_at": OWNER_ONLY,
        "version": OWNER_ONLY,
    },
    "cases.casestatuschange": {
        "id": RECORD_KEYS,
        "case": RECORD_KEYS,
        "from_status": OWNER_ONLY,
        "to_status": OWNER_ONLY,
        "reason": OWNER_ONLY,
        "by": OWNER_ONLY,
        "at": OWNER_ONLY,
    },
    "cases.casenote": {
        "id": RECORD_KEYS,
        "case": RECORD_KEYS,
        "agency": NOTES,
        "text": NOTES,
        "by": NOTES,
        "at": NOTES,
    },
    "cases.casetask": {
        "id": RECORD_KEYS,
        "case": RECORD_KEYS,
        "title": OWNER_ONLY,
        "due_date": OWNER_ONLY,
        "assignee": OWNER_ONLY,
        "done_at": OWNER_ONLY,
        "done_by": OWNER_ONLY,
        "created_by": OWNER_ONLY,
        "created_at": OWNER_ONLY,
    },
    "cases.assessment": {
        "id": RECORD_KEYS,
        "case": RECORD_KEYS,
        "agency": ASSESSMENTS,
        "referral": ASSESSMENTS,
        "summary": ASSESSMENTS,
        "needs": ASSESSMENTS,
        "risk": ASSESSMENTS,
        "needs_special_assistance": ASSESSMENTS,
        "by": ASSESSMENTS,
        "at": ASSESSMENTS,
    },
    "cases.interventionplan": {
        "id": RECORD_KEYS,
        "case": RECORD_KEYS,
        "agency": OWNER_ONLY,
        "goals": OWNER_ONLY,
        "activities": OWNER_ONLY,
        "updated_by": OWNER_ONLY,
        "updated_at": OWNER_ONLY,
    },
    "cases.attachment": {
        "id": RECORD_KEYS,
        "case": RECORD_KEYS,
        "agency": ATTACHMENTS,
        "kind": ATTACHMENTS,
        "file": ATTACHMENTS,
        "original_name": ATTACHMENTS,
        "content_type": ATTACHMENTS,
        "size": ATTACHMENTS,
        "sha256": ATTACHMENTS,
        "by": ATTACHMENTS,
        "at": ATTACHMENTS,
    },
    "cases.consent": {
        "id": RECORD_KEYS,
        "case": RECORD_KEYS,
        "scope": OWNER_ONLY,
        "given_by": OWNER_ONLY,
        "giver_name": OWNER_ONLY,
        "method": OWNER_ONLY,
        "given_at": OWNER_ONLY,
        "decision": OWNER_ONLY,
        "expires_at": OWNER_ONLY,
        "withdrawn_at": OWNER_ONLY,
        "withdrawal_note": OWNER_ONLY,
        "withdrawn_by": OWNER_ONLY,
        "recorded_by": OWNER_ONLY,
    },
}

# The change feed's person snapshot keys, by section (changes.models builds the snapshot).
SNAPSHOT_SECTIONS: dict[str, str] = {
    "id": RECORD_KEYS,
    "version": RECORD_KEYS,
    "kind": OWNER_ONLY,
    "full_name": IDENTITY,
    "sex": IDENTITY,
    "birth_date": IDENTITY,
    "birth_date_accuracy": IDENTITY,
    "birth_place": IDENTITY,
    "nik": IDENTITY,
    "aliases": IDENTITY,
    "region_code": CONTACT,
    "address_text": CONTACT,
    "phones": CONTACT,
    "flag_child": OWNER_ONLY,
    "flag_disability": OWNER_ONLY,
    "flag_trafficking": OWNER_ONLY,
    "identifiers": OWNER_ONLY,
    "source_ids": OWNER_ONLY,
    "registered_by": OWNER_ONLY,
    "merged_into": OWNER_ONLY,
}


def section_of(model_label: str, field_name: str) -> str:
    """The section of one field; KeyError for a field nobody placed (a test keeps the table complete)."""
    return FIELD_SECTIONS[model_label][field_name]


def fields_in(model_label: str, sections: frozenset[str]) -> frozenset[str]:
    """The fields of `model_label` a reader granted `sections` may read (record keys always)."""
    return frozenset(
        name for name, section in FIELD_SECTIONS[model_label].items() if section in sections or section == RECORD_KEYS
    )
