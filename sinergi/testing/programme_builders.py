"""Builders for programme and outreach tests: returnees with a migration episode, a 4-day workshop and its
cohort, made through the services as users would."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from sinergi.accounts.models import User
from sinergi.programmes import services
from sinergi.programmes.models import Cohort, Programme, ProgrammeType
from sinergi.registry import services as registry_services
from sinergi.registry.models import Person
from sinergi.testing.factories import make_person

WORKSHOP_DAYS = ("Motivasi dan rencana usaha", "Pemasaran", "Keuangan usaha", "Perizinan (NIB, halal, PIRT)")


def years_ago(years: int, *, today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today - timedelta(days=round(365.25 * years))


def returnee(actor: User, full_name: str, *, returned: date | None, **values: object) -> Person:
    """A PMI purna registered by the actor's agency, back home on `returned` (no episode when None)."""
    person = make_person(actor, full_name=full_name, kind="PMI_PURNA", nik="", **values)
    if returned is not None:
        registry_services.add_migration_episode(
            actor=actor,
            person_id=person.pk,
            data=registry_services.EpisodeData(
                destination_country="MY", departure_date=returned - timedelta(days=800), return_date=returned
            ),
        )
    return person


def workshop(
    actor: User, *, capacity: int = 20, recurrence: str = "FREQ=MONTHLY;INTERVAL=3", **values: object
) -> Programme:
    data = services.ProgrammeData(
        name=str(values.pop("name", "Pelatihan Kewirausahaan PMI Purna")),
        programme_type=str(values.pop("programme_type", ProgrammeType.ENTREPRENEURSHIP_WORKSHOP)),
        capacity=capacity,
        recurrence=recurrence,
        first_start=values.pop("first_start", timezone.localdate()),  # type: ignore[arg-type]
        curriculum=[
            services.CurriculumLine(topic=t, hours=Decimal(6), day_offset=i) for i, t in enumerate(WORKSHOP_DAYS)
        ],
        **values,  # type: ignore[arg-type]
    )
    return services.create_programme(actor=actor, data=data)


def cohort_of(actor: User, programme: Programme, *, starts_on: date | None = None, **plan: object) -> Cohort:
    """One cohort; by default it started three days ago, so its four sessions run up to today."""
    start = starts_on or timezone.localdate() - timedelta(days=3)
    return services.schedule_cohorts(
        actor=actor,
        programme_id=programme.pk,
        plan=services.CohortPlan(starts_on=start, **plan),  # type: ignore[arg-type]
    )[0]
