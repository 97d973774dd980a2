"""Demo data: the first users' agencies and accounts, and realistic synthetic persons from Sulawesi Tengah.

Idempotent: agencies and users are matched by code/username; persons are generated deterministically from
the seed and only the ones not yet seeded are added (a second run with the same arguments adds nothing).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from sinergi.accounts.models import Agency, AgencyKind, AgencyUnit, User
from sinergi.accounts.roles import Role
from sinergi.audit.events import record_event
from sinergi.audit.models import AuditEvent
from sinergi.registry import services
from sinergi.registry.models import IdentifierKind
from sinergi.synthetic import SyntheticPerson, generate_persons

DEFAULT_PASSWORD = "sinergi-demo"
DEMO_TODAY = date(2026, 11, 1)  # fixed, so the same seed gives the same people whatever the day


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    agency: str
    roles: tuple[Role, ...]
    unit: str | None = None
    is_superuser: bool = False


AGENCIES = [
    (
        "bp3mi-sulteng",
        "BP3MI Sulawesi Tengah",
        AgencyKind.BP3MI,
        "72.71",
        "Jl. Tanjung Manimbaya, Palu",
        "pengaduan.bp3mi.sulteng@example.id",
    ),
    (
        "sentra-nipotowe",
        "Sentra Nipotowe Palu",
        AgencyKind.SENTRA_KEMENSOS,
        "72.71",
        "Jl. Dr. Suharso, Palu",
        "sentra.nipotowe@example.id",
    ),
    ("dinsos-palu", "Dinas Sosial Kota Palu", AgencyKind.DINSOS_KABKOTA, "72.71", "Jl. Balai Kota, Palu", ""),
]
UNITS = [("sentra-nipotowe", "pokja-tskpo", "Pokja TSKPO (Tuna Sosial dan Korban Perdagangan Orang)")]
USERS = [
    DemoUser("bp3mi.petugas", "Petugas BP3MI", "bp3mi-sulteng", (Role.PETUGAS,)),
    DemoUser("bp3mi.kepala", "Kepala BP3MI", "bp3mi-sulteng", (Role.SUPERVISOR,)),
    DemoUser("bp3mi.operator", "Operator Data BP3MI", "bp3mi-sulteng", (Role.OPERATOR_DATA,)),
    DemoUser("bp3mi.auditor", "Auditor BP3MI", "bp3mi-sulteng", (Role.AUDITOR,)),
    DemoUser("sentra.peksos", "Pekerja Sosial Sentra", "sentra-nipotowe", (Role.PEKERJA_SOSIAL,), "pokja-tskpo"),
    DemoUser("sentra.kepala", "Kepala Sentra", "sentra-nipotowe", (Role.SUPERVISOR,)),
    DemoUser("dinsos.petugas", "Petugas Dinsos Palu", "dinsos-palu", (Role.PETUGAS,)),
    DemoUser("admin", "Administrator", "bp3mi-sulteng", (Role.ADMIN,), is_superuser=True),
]
# The README walkthrough's persons: other demo seeders leave them without cases.
WALKTHROUGH_NAMES = ("Soeharto", "Siti Aminah", "I Wayan Sudarta")
# Persons every demo has, so the walkthrough in the README works: two spellings of one name, a common name.
FIXED_PERSONS = [
    services.PersonData(
        full_name="Soeharto",
        sex="L",
        birth_date=date(1984, 3, 17),
        birth_place="Poso",
        region_code="72.02.01",
        kind="PMI_PURNA",
        nik="7202011703840003",
    ),
    services.PersonData(
        full_name="Siti Aminah",
        sex="P",
        birth_date=date(1990, 10, 12),
        birth_place="Palu",
        region_code="72.71.05",
        kind="PMI",
        nik="7271055210900001",
        phones=["0812-4455-6677"],
    ),
    services.PersonData(
        full_name="I Wayan Sudarta",
        sex="L",
        birth_date=date(1979, 6, 2),
        birth_place="Parigi",
        region_code="72.08",
        kind="PMI_PURNA",
    ),
]


def seed_agencies_and_users(password: str) -> list[DemoUser]:
    agencies = {}
    for code, name, kind, region, address, email in AGENCIES:
        agency, _ = Agency.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "region_id": region, "address": address, "email": email}
        )
        agencies[code] = agency
    units = {}
    for agency_code, code, name in UNITS:
        units[code], _ = AgencyUnit.objects.get_or_create(
            agency=agencies[agency_code], code=code, defaults={"name": name}
        )
    for demo in USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "agency": agencies[demo.agency],
                "unit": units.get(demo.unit) if demo.unit else None,
                "is_staff": demo.is_superuser,
                "is_superuser": demo.is_superuser,
            },
        )
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
            user.set_roles(demo.roles)
    return USERS


def _person_data(person: SyntheticPerson) -> services.PersonData:
    return services.PersonData(
        full_name=person.full_name,
        kind=person.kind,
        sex=person.sex,
        birth_date=person.birth_date,
        birth_place=person.birth_place,
        nik=person.nik or "",
        region_code=person.region_code,
        address_text=person.address_text,
        phones=[person.phone] if person.phone else [],
    )


def seed_persons(count: int, seed: int) -> int:
    """Register `count` persons (fixed ones first); returns how many were added by this run."""
    done = set(
        AuditEvent.objects.filter(action="demo.person_seeded", detail__seed=seed).values_list("detail__ref", flat=True)
    )
    actors = {
        "bp3mi-sulteng": User.objects.get(username="bp3mi.petugas"),
        "sentra-nipotowe": User.objects.get(username="sentra.peksos"),
        "dinsos-palu": User.objects.get(username="dinsos.petugas"),
    }
    added = 0
    planned: list[tuple[str, services.PersonData, SyntheticPerson | None]] = [
        (f"FIXED-{i}", data, None) for i, data in enumerate(FIXED_PERSONS[:count])
    ]
    owner_of: dict[str, str] = {}
    for generated in generate_persons(max(0, count - len(planned)), seed=seed, today=DEMO_TODAY):
        planned.append((generated.ref, _person_data(generated), generated))
    for index, (ref, data, synthetic) in enumerate(planned):
        # Most persons are BP3MI's; another registration of the same human goes to another agency,
        # as happens when Sentra receives someone BP3MI registered under another spelling.
        agency = ("bp3mi-sulteng", "bp3mi-sulteng", "bp3mi-sulteng", "sentra-nipotowe", "dinsos-palu")[index % 5]
        if synthetic is not None and synthetic.variant_of and owner_of.get(synthetic.variant_of) == agency:
            agency = "sentra-nipotowe" if agency != "sentra-nipotowe" else "bp3mi-sulteng"
        owner_of[ref] = agency
        if ref in done:
            continue
        with transaction.atomic():
            actor = actors[agency]
            try:
                person = services.register_person(actor=actor, data=data, confirm_new=True)
            except (services.NikAlreadyRegistered, services.InvalidData):
                # A second registration may carry a NIK whose embedded birth date disagrees with the one written
                # (day and month swapped), as real records do; the registry refuses such a pair, so the clerk
                # registers without the NIK, which is what the linkage review later has to reconcile.
                person = services.register_person(actor=actor, data=services.merged(data, nik=""), confirm_new=True)
            if synthetic is not None:
                _add_details(actor, person.pk, synthetic)
            record_event(
                actor=None, action="demo.person_seeded", obj=person, summary=ref, detail={"seed": seed, "ref": ref}
            )
        added += 1
    return added


def _add_details(actor: User, person_id: int, person: SyntheticPerson) -> None:
    if person.kk:
        services.add_identifier(actor=actor, person_id=person_id, kind=IdentifierKind.KK, value=person.kk)
    if person.passport:
        services.add_identifier(actor=actor, person_id=person_id, kind=IdentifierKind.PASSPORT, value=person.passport)
    for episode in person.episodes:
        services.add_migration_episode(
            actor=actor,
            person_id=person_id,
            data=services.EpisodeData(
                destination_country=episode.destination_country,
                employer=episode.employer,
                placement_company=episode.placement_company,
                job=episode.job,
                departure_date=episode.departure_date,
                return_date=episode.return_date,
                procedural=episode.procedural,
            ),
        )
