"""The data migration chains the events written before the trail was chained."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sinergi.audit.chain import verify_chain
from sinergi.audit.models import AuditEvent


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def migrate(target: list[tuple[str, str]]) -> Any:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    return executor.loader.project_state(target).apps


@pytest.mark.django_db(transaction=True)
def test_it_chains_events_written_before_the_chain_existed(alice):
    latest = [key for key in MigrationExecutor(connection).loader.graph.leaf_nodes() if key[0] == "audit"]
    old = migrate([("audit", "0001_initial")])
    try:
        event = old.get_model("audit", "AuditEvent")
        for n in range(3):
            event.objects.create(
                at=timezone.now(),
                actor_id=alice.pk,
                agency_id=alice.agency_id,
                action="old.event",
                summary=str(n),
                detail={"n": n},
                ip_address="::ffff:10.0.0.1",
                via="web",
            )
    finally:
        migrate(latest)
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3]
    report = verify_chain()
    assert report.intact and report.head_seq == 3
