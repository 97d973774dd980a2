"""Shared pytest fixtures: region data, and the personas every permission test uses.

Personas (agency, role):
  alice  BP3MI Sulteng, petugas         — registers persons; "same agency" for BP3MI's records
  bob    BP3MI Sulteng, auditor         — read-only in the same agency
  carol  Sentra Nipotowe, pekerja sosial — another agency (later: referral recipient)
  dave   Dinas Sosial Kota Palu, petugas — another agency, never involved
  olive  BP3MI Sulteng, operator data   — imports, reviews and merges
  oscar  Sentra Nipotowe, operator data — the other agency's data officer
"""

from __future__ import annotations

from typing import Any

import pytest

from sinergi.accounts.models import Agency, AgencyKind, User
from sinergi.accounts.roles import Role
from sinergi.regions.loading import load_regions
from sinergi.regions.models import Region
from sinergi.testing.factories import AgencyFactory, UserFactory

# All provinces, regencies and districts; villages of Sulawesi Tengah only (fast, and enough for tests).
TEST_PROVINCES = {"72"}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any, request: pytest.FixtureRequest) -> None:
    # pytest-django sets up a test database only when a collected test uses one. Without one, the connection
    # still names the configured database (var/sinergi.sqlite3, or DATABASE_URL's): never write there.
    if not any(_uses_database(item) for item in request.session.items):
        return
    with django_db_blocker.unblock():
        load_regions(provinces=TEST_PROVINCES)


def _uses_database(item: pytest.Item) -> bool:
    """What pytest-django asks to decide that a test needs the test database (its marker or fixtures)."""
    from django.test import TransactionTestCase

    test_class = getattr(item, "cls", None)
    if test_class is not None and issubclass(test_class, TransactionTestCase):
        return True
    fixtures = getattr(item, "fixturenames", ())
    return bool(item.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(fixtures))


@pytest.fixture
def regions_loaded(transactional_db: Any) -> None:
    """For transactional tests (browser): the flush after each such test empties the region table too."""
    load_regions(provinces=TEST_PROVINCES)


@pytest.fixture
def regions(db: Any) -> None:
    """Regions are loaded once per session, but a transactional test's flush empties the table: reload then."""
    if not Region.objects.filter(code="72.71").exists():
        load_regions(provinces=TEST_PROVINCES)


@pytest.fixture
def bp3mi(regions: None) -> Agency:
    return AgencyFactory(code="bp3mi-sulteng", name="BP3MI Sulawesi Tengah", kind=AgencyKind.BP3MI)


@pytest.fixture
def sentra(regions: None) -> Agency:
    return AgencyFactory(code="sentra-nipotowe", name="Sentra Nipotowe Palu", kind=AgencyKind.SENTRA_KEMENSOS)


@pytest.fixture
def dinsos(regions: None) -> Agency:
    return AgencyFactory(code="dinsos-palu", name="Dinas Sosial Kota Palu", kind=AgencyKind.DINSOS_KABKOTA)


@pytest.fixture
def alice(bp3mi: Agency) -> User:
    return UserFactory(username="alice", agency=bp3mi, roles=[Role.PETUGAS])


@pytest.fixture
def bob(bp3mi: Agency) -> User:
    return UserFactory(username="bob", agency=bp3mi, roles=[Role.AUDITOR])


@pytest.fixture
def carol(sentra: Agency) -> User:
    return UserFactory(username="carol", agency=sentra, roles=[Role.PEKERJA_SOSIAL])


@pytest.fixture
def dave(dinsos: Agency) -> User:
    return UserFactory(username="dave", agency=dinsos, roles=[Role.PETUGAS])


@pytest.fixture
def olive(bp3mi: Agency) -> User:
    """BP3MI's data officer (operator data): imports files, reviews candidate pairs, merges."""
    return UserFactory(username="olive", agency=bp3mi, roles=[Role.OPERATOR_DATA])


@pytest.fixture
def oscar(sentra: Agency) -> User:
    """Sentra Nipotowe's data officer: the other agency's operator."""
    return UserFactory(username="oscar", agency=sentra, roles=[Role.OPERATOR_DATA])


@pytest.fixture(autouse=True)
def mfa_not_required(settings: Any) -> None:
    """Tests log personas in without a second factor; the MFA requirement has its own tests, which switch
    it on (``settings.SINERGI_MFA_REQUIRED_ROLES``)."""
    settings.SINERGI_MFA_REQUIRED_ROLES = []


@pytest.fixture(autouse=True)
def fresh_prepared_registries() -> None:
    """Each test starts without the matching engine's prepared registries: a rolled-back test can leave the next
    one an agency and persons with the same ids (SQLite reuses them)."""
    from sinergi.matching.engine import forget_prepared_registries

    forget_prepared_registries()


@pytest.fixture(scope="session", autouse=True)
def end_stray_database_sessions(django_db_setup: Any, django_db_blocker: Any, request: pytest.FixtureRequest) -> Any:
    """PostgreSQL refuses to drop the test database while another session is connected to it.

    Tests that run the task worker or race threads open connections of their own; should one of them outlive
    its test, the suite would end with a teardown error instead of its result. Before the test database is
    dropped, end any other session on it (PostgreSQL only; SQLite has no sessions).
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql" or not any(_uses_database(item) for item in request.session.items):
        return  # no test database was set up: the connection names a real one, whose sessions are not ours
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
