"""`sinergi demo`: the first users' agencies and accounts, and the same synthetic persons for the same seed."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.audit.models import AuditEvent
from sinergi.demo.seeding import DEFAULT_PASSWORD, DEMO_TODAY, FIXED_PERSONS
from sinergi.identity.nik import parse_nik
from sinergi.regions.lookup import database_regions
from sinergi.registry.models import BirthDateAccuracy, Person
from sinergi.synthetic import generate_persons

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """The demo sets a password on each of its accounts; Argon2 costs ~0.3 s a hash."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def run_demo(persons: int = 20, seed: int = 7) -> str:
    out = StringIO()
    # Persons and accounts only: the demo's cases and referrals (tests in test_work.py) would hold the persons.
    call_command("demo", persons=persons, seed=seed, work=False, stdout=out)
    return out.getvalue()


def sorted_names() -> list[str]:
    return sorted(Person.objects.values_list("full_name", flat=True))


def test_it_creates_the_agencies_and_accounts_of_the_first_users():
    run_demo()
    assert set(Agency.objects.values_list("code", flat=True)) >= {"bp3mi-sulteng", "sentra-nipotowe", "dinsos-palu"}
    expected = {
        "bp3mi.petugas": ("bp3mi-sulteng", {Role.PETUGAS}),
        "bp3mi.kepala": ("bp3mi-sulteng", {Role.SUPERVISOR}),
        "sentra.peksos": ("sentra-nipotowe", {Role.PEKERJA_SOSIAL}),
        "sentra.kepala": ("sentra-nipotowe", {Role.SUPERVISOR}),
        "dinsos.petugas": ("dinsos-palu", {Role.PETUGAS}),
        "admin": ("bp3mi-sulteng", {Role.ADMIN}),
    }
    for username, (agency, roles) in expected.items():
        user = User.objects.select_related("agency").get(username=username)
        assert (user.agency.code, set(user.role_set())) == (agency, roles), username
        assert user.check_password(DEFAULT_PASSWORD), username
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="bp3mi.petugas").is_superuser
    assert User.objects.get(username="sentra.peksos").unit.code == "pokja-tskpo"


def test_it_registers_the_requested_number_of_persons_through_the_service():
    out = run_demo(persons=20, seed=7)
    assert Person.objects.count() == 20
    assert "20" in out
    assert AuditEvent.objects.filter(action="person.registered").count() == 20
    assert AuditEvent.objects.filter(action="demo.person_seeded", detail__seed=7).count() == 20
    # Most persons are BP3MI's, some belong to the other agencies (so the limited view can be tried).
    owners = set(Person.objects.values_list("registered_by_agency__code", flat=True))
    assert owners == {"bp3mi-sulteng", "sentra-nipotowe", "dinsos-palu"}
    # The walkthrough's fixed persons are there.
    assert {"Soeharto", "Siti Aminah", "I Wayan Sudarta"} <= set(sorted_names())


def test_it_adds_nothing_when_run_again():
    run_demo()
    persons, users, events = Person.objects.count(), User.objects.count(), AuditEvent.objects.count()
    run_demo()
    assert (Person.objects.count(), User.objects.count()) == (persons, users)
    assert AuditEvent.objects.count() == events


def test_it_keeps_a_changed_password_when_run_again():
    run_demo(persons=0)
    petugas = User.objects.get(username="bp3mi.petugas")
    petugas.set_password("a-new-password-123")
    petugas.save()
    run_demo(persons=0)
    assert User.objects.get(username="bp3mi.petugas").check_password("a-new-password-123")


def test_it_gives_the_same_persons_for_the_same_seed_on_a_fresh_database():
    run_demo(persons=20, seed=7)
    first = sorted_names()
    # A fresh database as far as persons go: the seeding remembers what it added by its audit events.
    Person.objects.all().delete()
    with connection.cursor() as cursor:  # the trail is append-only: only a fresh database has none of these
        cursor.execute("DELETE FROM audit_auditevent WHERE action = %s", ["demo.person_seeded"])
    run_demo(persons=20, seed=7)
    assert sorted_names() == first
    generated = [person.full_name for person in generate_persons(20 - len(FIXED_PERSONS), seed=7, today=DEMO_TODAY)]
    assert first == sorted([person.full_name for person in FIXED_PERSONS] + generated)


def test_it_gives_other_persons_for_another_seed():
    run_demo(persons=20, seed=7)
    first = sorted_names()
    Person.objects.all().delete()
    run_demo(persons=20, seed=8)
    assert sorted_names() != first


def test_it_gives_demo_persons_niks_that_agree_with_their_birth_date_and_sex():
    run_demo(persons=20, seed=7)
    with_nik = list(Person.objects.exclude(nik=""))
    assert len(with_nik) >= 10
    for person in with_nik:
        result = parse_nik(person.nik, regions=database_regions(), today=DEMO_TODAY)
        assert result.ok, (person.full_name, person.nik, result.errors)
        assert result.value is not None
        assert result.value.sex == person.sex, person.nik
        if person.birth_date_accuracy == BirthDateAccuracy.EXACT:
            assert result.value.birth_date == person.birth_date, person.nik


@pytest.mark.parametrize("seed", [2, 28])
def test_it_seeds_a_second_registration_whose_birth_date_disagrees_with_its_nik(seed):
    # With these seeds an early synthetic record is a later registration of an earlier person whose
    # birth date has day and month swapped while the NIK is the original one, as happens in real records.
    generated = generate_persons(20 - len(FIXED_PERSONS), seed=seed, today=DEMO_TODAY)
    disagreeing = [
        p for p in generated if p.nik and parse_nik(p.nik, today=DEMO_TODAY).value.birth_date != p.birth_date
    ]
    assert disagreeing, "the seed no longer produces the case this test is about"
    run_demo(persons=20, seed=seed)
    assert Person.objects.count() == 20
