"""Two first pushes (or uploads) naming a new source at the same moment: one source, no 500 (issue 13)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from sinergi.accounts.models import User
from sinergi.sources import services
from sinergi.sources.models import DataSource


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_it_returns_the_source_another_request_created_after_the_lookup(olive, monkeypatch):
    """The race made deterministic: the other request's source commits between our lookup and our insert."""
    other = DataSource.objects.create(agency=olive.agency, name="Ekspor Sisko P2MI", created_by=olive)
    real_find = services._find_source
    calls: list[str] = []

    def find_after_the_other(agency_id: int, name: str) -> DataSource | None:
        calls.append(name)
        return None if len(calls) == 1 else real_find(agency_id, name)

    monkeypatch.setattr(services, "_find_source", find_after_the_other)

    source = services.get_or_create_source(actor=olive, name="Ekspor Sisko P2MI")

    assert source == other
    assert DataSource.objects.filter(agency=olive.agency).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_uploads_create_one_source(regions_loaded, bp3mi):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time; the deterministic test above covers the code path")
    from sinergi.accounts.roles import Role
    from sinergi.testing.factories import UserFactory

    officers = [UserFactory(username=f"data{n}", agency=bp3mi, roles=[Role.OPERATOR_DATA]) for n in range(10)]
    for trial in range(10):
        results, failures = race(officers, f"Sumber baru {trial}")
        assert not failures
        assert len(set(results)) == 1 and len(results) == len(officers)
    assert DataSource.objects.filter(agency=bp3mi).count() == 10


def race(officers: list[User], name: str) -> tuple[list[int], list[BaseException]]:
    """Every officer asks for the source at the same instant, each on its own connection."""
    barrier = threading.Barrier(len(officers))
    results: list[int] = []
    failures: list[BaseException] = []

    def create(user: User) -> None:
        try:
            barrier.wait(timeout=30)
            results.append(services.get_or_create_source(actor=user, name=name).pk)
        except BaseException as error:  # reported by the caller
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(user,)) for user in officers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, failures
