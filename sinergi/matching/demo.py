"""Demo data for the review queue: a few persons registered twice by one agency, then a registry scan."""

from __future__ import annotations

import random

from django.db import transaction

from sinergi.accounts.models import User
from sinergi.audit.events import record_event
from sinergi.audit.models import AuditEvent
from sinergi.matching import services
from sinergi.registry import services as registry
from sinergi.registry.models import Person
from sinergi.synthetic import spelling_variant


def seed_review_pairs(*, clerk: User, operator: User, count: int = 4, seed: int = 2026) -> int:
    """Register a spelling variant (no NIK, no phone) of ``count`` of the clerk's agency's persons, as a second
    clerk would, and scan the registry as ``operator``; returns how many pairs wait for review.

    Idempotent: a person already given a variant (an audit event says so) gets none again.
    """
    done = set(AuditEvent.objects.filter(action="demo.duplicate_seeded").values_list("detail__of", flat=True))
    originals = Person.objects.filter(
        registered_by_agency_id=clerk.agency_pk, merged_into__isnull=True, birth_date__isnull=False
    ).order_by("pk")[:count]
    rng = random.Random(seed)  # noqa: S311 (seeded demo data, never a secret)
    for person in originals:
        if person.pk in done:
            continue
        data = registry.PersonData(
            full_name=spelling_variant(person.full_name, rng),
            kind=person.kind,
            sex=person.sex,
            birth_date=person.birth_date,
            region_code=person.region_id or "",
            address_text=person.address_text,
        )
        with transaction.atomic():
            variant = registry.register_person(actor=clerk, data=data, confirm_new=True)
            record_event(
                actor=None,
                action="demo.duplicate_seeded",
                obj=variant,
                summary=person.full_name,
                detail={"of": person.pk},
            )
    return sum(1 for candidate in services.scan_agency(actor=operator) if candidate.decision == "PENDING")
