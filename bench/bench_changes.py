"""Change feed: how fast does a partner system replay `GET /api/v1/changes`, and sync what changed since its cursor?

Dataset: 1,000,000 change events (quick: 20,000) written in bulk, as the registry services write them
(`sinergi.changes.feed`: the person's whole state in each event): 90 % for the consumer's agency (a quarter
of them "created", the rest "updated"), 10 % for another agency, which the consumer must never receive. Then
they are sealed (given cursors) as the first feed read does.

Replay: a system token of the agency (scope `persons:read`) pages the feed from `since=0` with the largest
page (`limit=1000`, `next_cursor` each time), through the whole Django stack (middleware, token
authentication, the feed's visibility rule, the access-log line per page, JSON), in process with Django's
test client: no network. The consumer keeps a replica (upsert on created/updated/restored, drop on
merged/deleted) and the replica is checked against the persons the generator made. Incremental sync: 1 % more
events (updates, new persons, deletions) are written, and the consumer asks again from its saved cursor (the
first request seals them). Floor, same run: the same pages read with the same keyset query by the ORM, without
HTTP, authentication, audit or JSON. And what OFFSET paging (the usual `LimitOffsetPagination`) would cost:
one page read at 90 % of the feed by OFFSET against the same page by cursor.

Sizes: `SINERGI_BENCH_CHANGES=1000000`; database: `SINERGI_BENCH_DATABASE_URL=postgres://.../db` (an empty
database the benchmark may fill), else SQLite in a temporary directory.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import statistics
import tempfile
import time
from datetime import date
from typing import Any

TODAY = date(2026, 11, 1)
PAGE = 1000
OTHER_AGENCY_SHARE = 10  # every 10th event belongs to another agency


def run(*, quick: bool = False) -> None:
    events = int(os.environ.get("SINERGI_BENCH_CHANGES", 20_000 if quick else 1_000_000))
    context = multiprocessing.get_context("spawn")
    queue: Any = context.Queue()
    process = context.Process(target=_child, args=(events, queue))
    process.start()
    result: dict[str, Any] = queue.get()
    process.join()
    if "error" in result:
        raise RuntimeError(f"change feed benchmark failed: {result['error']}")
    print(
        f"events: {events:,} ({result['own']:,} for the consumer's agency, {result['persons']:,} persons); "
        f"database: {result['database']}; page size {PAGE}; peak RSS {result['rss_mb']:,.0f} MB"
    )
    print(f"load average before: {result['load_before']}, after: {result['load_after']}")
    print("| step | records | wall time (s) | records/s | CPU (s) | page p50 / p95 (ms) | outcome |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for step in result["steps"]:
        latency = f"{step['p50']:.0f} / {step['p95']:.0f}" if step.get("p50") is not None else ""
        rate = step["records"] / step["seconds"] if step["seconds"] else 0.0
        print(
            f"| {step['name']} | {step['records']:,} | {step['seconds']:.1f} | {rate:,.0f} | "
            f"{step['cpu']:.1f} | {latency} | {step['outcome']} |"
        )


def _child(events: int, queue: Any) -> None:
    try:
        with tempfile.TemporaryDirectory() as directory:
            queue.put(_measure(directory, events))
    except Exception as error:  # reported by the parent
        queue.put({"error": repr(error)})
        raise


def _measure(directory: str, events: int) -> dict[str, Any]:
    os.environ["DATABASE_URL"] = os.environ.get("SINERGI_BENCH_DATABASE_URL") or f"sqlite:///{directory}/bench.sqlite3"
    os.environ["SINERGI_VAR_DIR"] = directory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sinergi.accounts.models import Agency, AgencyKind
    from sinergi.accounts.tokens import create_system_token
    from sinergi.changes.feed import seal_events
    from sinergi.changes.models import ChangeEvent

    call_command("migrate", verbosity=0)
    if ChangeEvent.objects.exists():
        raise RuntimeError("the benchmark database already has change events: give it an empty database")
    agency = Agency.objects.create(code="bp3mi-bench", name="BP3MI Bench", kind=AgencyKind.BP3MI)
    other = Agency.objects.create(code="dinsos-bench", name="Dinsos Bench", kind=AgencyKind.DINSOS_PROVINSI)
    _, secret = create_system_token(actor=None, agency=agency, name="SIKS-NG", scopes=["persons:read"])
    load_before = _load()
    steps: list[dict[str, Any]] = []

    generator = _Events(agency.pk, other.pk)
    step = _Step("write events (bulk_create, 5,000 per statement)")
    written = generator.write(events)
    own_events = generator.own_events
    steps.append(step.done(written, "written"))

    step = _Step("seal (give cursors, one UPDATE)")
    sealed = seal_events()
    steps.append(step.done(sealed, "sealed"))

    consumer = _Consumer(secret)
    step = _Step("replay from since=0 through the API")
    served = consumer.sync()
    expected = generator.expected()
    steps.append(step.done(served, _verdict(consumer.replica, expected), consumer.latencies))

    floor = _Step("floor: the same keyset pages by the ORM (no HTTP, auth, audit, JSON)")
    read = _read_pages(ChangeEvent, agency.pk)
    steps.append(floor.done(read, "read"))

    changes = max(1, events // 100)
    step = _Step("write 1 % more events")
    generator.write_changes(changes)
    steps.append(step.done(changes, "written"))

    step = _Step("incremental sync from the saved cursor (seals them first)")
    consumer.latencies = []
    served = consumer.sync()
    steps.append(step.done(served, _verdict(consumer.replica, generator.expected()), consumer.latencies))

    steps.extend(_offset_against_cursor(ChangeEvent, agency.pk))
    return {
        "database": _database(connection),
        "own": own_events,
        "persons": len(expected),
        "steps": steps,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load_before": load_before,
        "load_after": _load(),
    }


class _Events:
    """Change events as the services write them (one person's whole state each), written in bulk."""

    def __init__(self, agency_id: int, other_id: int) -> None:
        from sinergi.synthetic import generate_persons

        self.agency_id, self.other_id = agency_id, other_id
        # A few thousand real-looking persons give the snapshots their shape and size; ids and versions vary.
        self.templates = [_snapshot(person) for person in generate_persons(2_000, seed=21, today=TODAY)]
        self.versions: dict[int, int] = {}  # the consumer's agency: person id -> version (absent: deleted)
        self.own_events = 0
        self.next_person = 1

    def write(self, count: int) -> int:
        # A quarter of the events create a person, the others update one created before.
        ops = []
        for index in range(count):
            if index % 4 == 0 or self.next_person == 1:
                ops.append(("created", self._new_person()))
            else:
                ops.append(("updated", (index * 7919) % (self.next_person - 1) + 1))
        return self._write(ops)

    def write_changes(self, count: int) -> int:
        """1 %: mostly updates of existing persons, some new persons, a few deletions."""
        ops: list[tuple[str, int]] = []
        existing = list(self.versions)
        for index in range(count):
            if index % 10 == 0:
                ops.append(("created", self._new_person()))
            elif index % 50 == 1:
                ops.append(("deleted", existing[(index * 104729) % len(existing)]))
            else:
                ops.append(("updated", existing[(index * 7919) % len(existing)]))
        return self._write(ops)

    def expected(self) -> dict[int, int]:
        return dict(self.versions)

    def _new_person(self) -> int:
        person = self.next_person
        self.next_person += 1
        return person

    def _write(self, ops: list[tuple[str, int]]) -> int:
        from django.db import transaction

        from sinergi.changes.models import ChangeEvent

        batch: list[ChangeEvent] = []
        with transaction.atomic():
            for op, person in ops:
                own = person % OTHER_AGENCY_SHARE != 0
                agency = self.agency_id if own else self.other_id
                if op == "deleted":
                    snapshot: dict[str, Any] = {}
                    if own:
                        self.versions.pop(person, None)
                else:
                    version = self.versions.get(person, 0) + 1 if own else 1
                    snapshot = {**self.templates[person % len(self.templates)], "id": person, "version": version}
                    if own:
                        self.versions[person] = version
                self.own_events += own
                batch.append(ChangeEvent(person_id=person, agency_id=agency, op=op, snapshot=snapshot))
                if len(batch) == 5000:
                    ChangeEvent.objects.bulk_create(batch)
                    batch = []
            ChangeEvent.objects.bulk_create(batch)
        return len(ops)


def _snapshot(person: Any) -> dict[str, Any]:
    """The shape of ``feed.person_snapshot`` for a synthetic person."""
    return {
        "id": 0,
        "kind": "pmi",
        "full_name": person.full_name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "birth_date_accuracy": "day",
        "birth_place": person.birth_place,
        "nik": person.nik or "",
        "region_code": person.region_code or "",
        "address_text": person.address_text,
        "flag_child": False,
        "flag_disability": False,
        "flag_trafficking": False,
        "aliases": [],
        "identifiers": [{"kind": "kk", "value": person.kk}] if person.kk else [],
        "phones": [person.phone] if person.phone else [],
        "source_ids": [{"source": "SIKS-NG", "id": f"S{person.nik or ''}"}],
        "registered_by": "bp3mi-bench",
        "merged_into": None,
        "version": 1,
    }


class _Consumer:
    """A partner system: pages the feed with its token and applies each change to its replica."""

    def __init__(self, secret: str) -> None:
        from django.test import Client

        self.client = Client(SERVER_NAME="localhost")
        self.headers = {"Authorization": f"Bearer {secret}"}
        self.cursor = 0
        self.replica: dict[int, int] = {}  # person id -> version
        self.latencies: list[float] = []

    def sync(self) -> int:
        served = 0
        while True:
            started = time.perf_counter()
            response = self.client.get(
                "/api/v1/changes", {"since": self.cursor, "limit": PAGE}, headers=self.headers, secure=True
            )
            if response.status_code != 200:
                raise RuntimeError(f"the feed answered {response.status_code}: {response.content[:300]!r}")
            page = response.json()
            self.latencies.append((time.perf_counter() - started) * 1000)
            for change in page["changes"]:
                if change["op"] in ("created", "updated", "restored"):
                    self.replica[change["person_id"]] = change["person"]["version"]
                else:
                    self.replica.pop(change["person_id"], None)
            served += len(page["changes"])
            self.cursor = page["next_cursor"]
            if not page["has_more"]:
                return served


def _verdict(replica: dict[int, int], expected: dict[int, int]) -> str:
    if replica == expected:
        return f"replica = generator's persons ({len(replica):,}), no other agency's"
    return f"REPLICA DIFFERS: {len(replica):,} persons, expected {len(expected):,}"


def _read_pages(model: Any, agency_id: int) -> int:
    cursor, read = 0, 0
    while True:
        rows = list(
            model.objects.filter(agency_id=agency_id, cursor__gt=cursor)
            .order_by("cursor")
            .values_list("cursor", "op", "person_id", "at", "snapshot")[:PAGE]
        )
        if not rows:
            return read
        read += len(rows)
        cursor = rows[-1][0]


def _offset_against_cursor(model: Any, agency_id: int) -> list[dict[str, Any]]:
    """One page at 90 % of the feed: by OFFSET (the database walks every row before it) and by cursor."""
    events = model.objects.filter(agency_id=agency_id, cursor__isnull=False).order_by("cursor")
    total = events.count()
    offset = total * 9 // 10
    step = _Step(f"one page at offset {offset:,} by OFFSET (LimitOffsetPagination)")
    rows = list(events.values_list("cursor", "snapshot")[offset : offset + PAGE])
    result = [step.done(len(rows), "read")]
    step = _Step("the same page by cursor (this feed)")
    same = list(events.filter(cursor__gt=rows[0][0] - 1).values_list("cursor", "snapshot")[:PAGE])
    result.append(step.done(len(same), "same rows" if same == rows else "DIFFERENT ROWS"))
    return result


class _Step:
    def __init__(self, name: str) -> None:
        self.name = name
        self.started = time.perf_counter()
        self.cpu = time.process_time()

    def done(self, records: int, outcome: str, latencies: list[float] | None = None) -> dict[str, Any]:
        step: dict[str, Any] = {
            "name": self.name,
            "records": records,
            "seconds": time.perf_counter() - self.started,
            "cpu": time.process_time() - self.cpu,
            "outcome": outcome,
        }
        if latencies:
            ordered = sorted(latencies)
            step["p50"] = statistics.median(ordered)
            step["p95"] = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        return step


def _database(connection: Any) -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {connection.Database.sqlite_version}"
    return f"PostgreSQL {connection.pg_version // 10000}"


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())
