"""PostgreSQL at national scale: millions of persons, cases and referral events, and what a page costs then.

Generates in a PostgreSQL database of its own (COPY, not the ORM row by row) persons with their name tokens,
cases with a complaint category, referrals with their events and a running deadline for the open ones, spread
over the demo agencies and `SINERGI_BENCH_PG_AGENCIES` more; then measures server-side latency (the view through
Django's test client, in process: middleware, sharing rule, queries, template; no network) of the pages a case
worker of the demo BP3MI uses: name search with spelling variants, NIK search, the case list with filters and
its keyset pages, a case, a person, the referral inbox. Each page many times; p50/p95 printed with the load
average. EXPLAIN of the main queries is printed so the plans can be read beside the figures.

Sizes (environment): SINERGI_BENCH_PG_PERSONS (default 2,000,000; quick 20,000), SINERGI_BENCH_PG_CASES (half the
persons), SINERGI_BENCH_PG_EVENTS (1.5 × persons; three events per referral), SINERGI_BENCH_PG_AGENCIES (extra
agencies, default 20), SINERGI_BENCH_PG_SAMPLES (requests per page, default 200; quick 20).
SINERGI_BENCH_PG_ONLY (comma-separated words): measure only the rows whose label holds one of them, e.g.
`name search` or `inbox,case list`; a full run measures every row.
Database: SINERGI_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/sinergi_bench_pg_scale, and
sinergi_bench_pg_scale_quick for --quick, so `make bench-quick` never replaces the 2-million-person data); the
database is created when missing and reused when it already holds the asked sizes (generation at 2 million takes
a while).
Without a reachable PostgreSQL the benchmark says so and stops.
"""

from __future__ import annotations

import os
import random
import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/sinergi_bench_pg_scale"
POOL = 100_000  # distinct synthetic persons; larger sizes reuse their names with other birth dates and NIKs
TODAY = date(2026, 11, 1)
OPEN_SHARE = 0.1


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value.replace("_", "")) if value else default


def run(*, quick: bool = False) -> None:
    persons = _env_int("SINERGI_BENCH_PG_PERSONS", 20_000 if quick else 2_000_000)
    cases = _env_int("SINERGI_BENCH_PG_CASES", persons // 2)
    events = _env_int("SINERGI_BENCH_PG_EVENTS", persons * 3 // 2)
    extra_agencies = _env_int("SINERGI_BENCH_PG_AGENCIES", 20)
    samples = _env_int("SINERGI_BENCH_PG_SAMPLES", 20 if quick else 200)
    url = os.environ.get("SINERGI_BENCH_PG_URL", f"{DEFAULT_URL}_quick" if quick else DEFAULT_URL)
    if not _ensure_database(url):
        return
    _setup_django(url)
    sizes = {"persons": persons, "cases": cases, "referral_events": events, "agencies": extra_agencies}
    print(f"load average before: {_load()}")
    started = time.perf_counter()
    loaded = _load_data(sizes)
    print(f"data: {sizes} ({'generated in %.0f s' % (time.perf_counter() - started) if loaded else 'reused'})")
    _measure(samples)
    print(f"load average after: {_load()}")


def _load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


# --- database ------------------------------------------------------------------------------------------------


def _ensure_database(url: str) -> bool:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as connection:
            exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not exists:
                connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError as error:
        print(f"PostgreSQL not reachable at {parts.hostname}:{parts.port}: skipped ({str(error).strip()[:120]})")
        return False
    return True


def _setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.settings")
    os.environ.setdefault("SINERGI_ALLOWED_HOSTS", "testserver")
    # Every NIK search below reaches other agencies; the per-user hourly limit would turn them into own-only.
    os.environ.setdefault("SINERGI_CROSS_AGENCY_SEARCHES_PER_HOUR", "1000000")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- generation ---------------------------------------------------------------------------------------------


TABLES = (
    "registry_person",
    "registry_nametoken",
    "registry_historicalperson",
    "cases_case",
    "cases_case_categories",
    "referrals_referral",
    "referrals_referralevent",
    "referrals_deadline",
)


def _load_data(sizes: dict[str, int]) -> bool:
    """Fill the database to `sizes`; False when it already held exactly them (a marker row says so)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_pg_scale_sizes (sizes text NOT NULL)")
        cursor.execute("SELECT sizes FROM bench_pg_scale_sizes")
        row = cursor.fetchone()
    if row is not None and row[0] == repr(sorted(sizes.items())):
        # Reused: a migration since the last run may have rewritten rows (a new column filled in) and left the
        # planner without statistics for it; a deployment's autovacuum would have caught up by now.
        step = time.perf_counter()
        with connection.cursor() as cursor:
            for table in TABLES:
                cursor.execute(f"VACUUM ANALYZE {table}")
        print(f"  reused data: vacuum analyze in {time.perf_counter() - step:.1f} s")
        return False
    if row is not None:
        _truncate()
    agencies = _agencies_and_users(sizes["agencies"])
    step = time.perf_counter()
    pool = _pool(min(POOL, sizes["persons"]))
    print(f"  synthetic pool of {len(pool):,} persons in {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    person_ids = _copy_persons(sizes["persons"], pool, agencies)
    print(f"  persons and name tokens copied in {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    case_ids = _copy_cases(sizes["cases"], person_ids, agencies)
    print(f"  cases copied in {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    _copy_referrals(sizes["referral_events"] // 3, case_ids, agencies)
    print(f"  referrals, events and deadlines copied in {time.perf_counter() - step:.1f} s")
    step = time.perf_counter()
    with connection.cursor() as cursor:
        for table in TABLES:
            if not table.startswith("registry_historical"):  # its key is history_id, numbered by the database
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("DELETE FROM bench_pg_scale_sizes")
        cursor.execute("INSERT INTO bench_pg_scale_sizes VALUES (%s)", [repr(sorted(sizes.items()))])
    print(f"  vacuum analyze in {time.perf_counter() - step:.1f} s")
    return True


def _truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE referrals_deadline, referrals_referralevent, referrals_referral, cases_case_categories, "
            "cases_case, registry_nametoken, registry_historicalperson, registry_person CASCADE"
        )


class Agencies:
    """The agencies data is spread over (the demo ones first), a user of each, and the services to refer to."""

    def __init__(self, ids: list[int], users: dict[int, int], services: list[tuple[int, int]]) -> None:
        self.ids = ids
        self.users = users
        self.services = services  # (service id, its agency id)


def _agencies_and_users(extra: int) -> Agencies:
    from sinergi.accounts.models import Agency, AgencyKind, User
    from sinergi.accounts.roles import Role
    from sinergi.demo.seeding import DEFAULT_PASSWORD, seed_agencies_and_users
    from sinergi.demo.sop_seeding import seed_sop
    from sinergi.directory.models import Service, ServiceCategory
    from sinergi.regions.loading import load_regions
    from sinergi.regions.models import Region

    if not Region.objects.filter(code="72.71").exists():
        load_regions(provinces={"72"})
    seed_agencies_and_users(DEFAULT_PASSWORD)
    seed_sop()
    for number in range(extra):
        agency, _ = Agency.objects.get_or_create(
            code=f"bench-{number:03d}",
            defaults={"name": f"Dinas Bench {number}", "kind": AgencyKind.DINSOS_KABKOTA, "region_id": "72.71"},
        )
        Service.objects.get_or_create(
            agency=agency,
            code="rehabilitasi",
            defaults={"name": "Rehabilitasi sosial", "category": ServiceCategory.values[0], "region_id": "72.71"},
        )
        user, created = User.objects.get_or_create(username=f"bench.{number:03d}", defaults={"agency": agency})
        if created:
            user.set_roles([Role.PETUGAS])
    ids = list(Agency.objects.order_by("pk").values_list("pk", flat=True))
    users: dict[int, int] = {}
    for user_id, agency_id in User.objects.order_by("-pk").values_list("pk", "agency_id"):
        users[agency_id] = user_id
    users[Agency.objects.get(code="bp3mi-sulteng").pk] = User.objects.get(username="bp3mi.petugas").pk
    services = list(Service.objects.order_by("pk").values_list("pk", "agency_id"))
    return Agencies(ids, users, services)


@dataclass(frozen=True, slots=True)
class PoolPerson:
    full_name: str
    name_key: str
    tokens: tuple[tuple[str, str], ...]  # (token, phonetic key), as the registry's name index holds them
    sex: str
    birth_date: date
    birth_place: str
    region: str
    address: str
    kind: str


def _pool(size: int) -> list[PoolPerson]:
    from sinergi.identity.names import normalize_name, phonetic_key
    from sinergi.synthetic import generate_persons

    pool = []
    for person in generate_persons(size, seed=14, today=TODAY, variant_share=0.0):
        key = normalize_name(person.full_name).key
        tokens = tuple((token[:60], phonetic_key(token)[:60]) for token in sorted(set(key.split())))
        pool.append(
            PoolPerson(
                full_name=person.full_name,
                name_key=key,
                tokens=tokens,
                sex=person.sex,
                birth_date=person.birth_date,
                birth_place=person.birth_place,
                region=person.region_code,
                address=person.address_text,
                kind=person.kind,
            )
        )
    return pool


def _copy(table: str, model: Any, given: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """COPY `rows` (values of the `given` fields, in that order) into `model`'s table; every other column gets
    the field's default, prepared once (Django sets defaults in Python, not in the schema)."""
    from django.db import connection

    fields = [field for field in model._meta.concrete_fields]
    by_name = {field.name: field for field in fields} | {field.attname: field for field in fields}
    given_columns = [by_name[name].column for name in given]
    rest = [field for field in fields if field.column not in given_columns and not field.primary_key]
    rest_values = tuple(
        field.get_db_prep_save(field.get_default(), connection) if field.has_default() or not field.null else None
        for field in rest
    )
    columns = ", ".join(f'"{column}"' for column in [*given_columns, *(field.column for field in rest)])
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *rest_values))
            count += 1
    return count


def _next_id(table: str) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
        return int(cursor.fetchone()[0])


def _copy_persons(count: int, pool: list[PoolPerson], agencies: Agencies) -> list[tuple[int, int]]:
    """Persons and their name tokens; returns (person id, agency id) of each."""
    from django.db import connection, transaction
    from django.utils import timezone

    from sinergi.identity.nik import build_nik
    from sinergi.registry.models import NameToken, Person

    first = _next_id("registry_person")
    now = timezone.now()
    made: list[tuple[int, int]] = []
    tokens: list[tuple[int, str, str]] = []

    def persons() -> Iterator[tuple[object, ...]]:
        for number in range(count):
            base = pool[number % len(pool)]
            round_ = number // len(pool)
            # Later rounds: the same name born another day (and so another NIK), another agency.
            born = base.birth_date - timedelta(days=37 * round_)
            pk = first + number
            agency = agencies.ids[number % len(agencies.ids)]
            district = base.region[:8] if len(base.region) >= 8 else "72.71.01"
            nik = build_nik(district, born, "P" if base.sex == "P" else "L", (number % 9000) + 1)
            made.append((pk, agency))
            tokens.extend((pk, token, phonetic) for token, phonetic in base.tokens)
            yield (
                pk,
                base.kind,
                base.full_name,
                base.name_key,
                base.sex,
                born,
                base.birth_place,
                nik,
                base.region,
                base.address,
                agency,
                agencies.users[agency],
                now,
                now,
            )

    given = (
        "id",
        "kind",
        "full_name",
        "name_key",
        "sex",
        "birth_date",
        "birth_place",
        "nik",
        "region_id",
        "address_text",
        "registered_by_agency_id",
        "created_by_id",
        "created_at",
        "updated_at",
    )
    with transaction.atomic():
        _copy("registry_person", Person, given, persons())
        # The "+" history row simple-history writes on registration (the person page lists the history).
        columns = (
            "id, kind, full_name, sex, birth_date, birth_date_accuracy, birth_place, nik, address_text, flag_child, "
            "flag_disability, flag_trafficking, created_at, created_by_id, region_id, registered_by_agency_id"
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO registry_historicalperson ({columns}, history_date, history_type, history_user_id) "
                f"SELECT {columns}, created_at, '+', created_by_id FROM registry_person WHERE id >= %s",
                [first],
            )
        token_id = _next_id("registry_nametoken")
        _copy(
            "registry_nametoken",
            NameToken,
            ("id", "person_id", "token", "phonetic"),
            ((token_id + n, *row) for n, row in enumerate(tokens)),
        )
    return made


def _copy_cases(count: int, persons: list[tuple[int, int]], agencies: Agencies) -> list[tuple[int, int, int]]:
    """Cases on persons of the case's own agency; returns (case id, agency id, person id)."""
    from django.db import transaction
    from django.utils import timezone

    from sinergi.cases.models import Case, CaseStatus, Channel, Complainant, ComplaintCategory, Phase, Urgency

    rng = random.Random(14)
    first = _next_id("cases_case")
    categories = list(ComplaintCategory.objects.values_list("pk", flat=True))
    statuses = list(CaseStatus.values)
    countries = ["MY", "SA", "HK", "TW", "SG", "AE", "KR", "JP"]
    now = timezone.now()
    made: list[tuple[int, int, int]] = []
    links: list[tuple[int, int]] = []
    stride = max(1, len(persons) // max(1, count))

    def cases() -> Iterator[tuple[object, ...]]:
        for number in range(count):
            person, agency = persons[(number * stride) % len(persons)]
            pk = first + number
            received = now - timedelta(minutes=int(rng.random() * 5 * 365 * 24 * 60))
            made.append((pk, agency, person))
            links.append((pk, rng.choice(categories)))
            yield (
                pk,
                agency,
                f"BENCH/{agency}/{pk}",
                rng.choice(Channel.values),
                received,
                rng.choice(Complainant.values),
                person,
                rng.choice(Phase.values),
                rng.choice(countries),
                rng.choice(Urgency.values),
                rng.choice(statuses),
                agencies.users[agency],
                received,
                received,
            )

    given = (
        "id",
        "agency_id",
        "number",
        "channel",
        "received_at",
        "complainant_type",
        "person_id",
        "phase",
        "destination_country",
        "urgency",
        "status",
        "created_by_id",
        "created_at",
        "updated_at",
    )
    with transaction.atomic():
        _copy("cases_case", Case, given, cases())
        link_id = _next_id("cases_case_categories")
        _copy(
            "cases_case_categories",
            Case.categories.through,
            ("id", "case_id", "complaintcategory_id"),
            ((link_id + n, *row) for n, row in enumerate(links)),
        )
    return made


def _copy_referrals(count: int, cases: list[tuple[int, int, int]], agencies: Agencies) -> None:
    """Referrals of cases to another agency's service, three events each, a running deadline when open."""
    from django.db import transaction
    from psycopg.types.json import Jsonb

    from sinergi.referrals.models import Deadline, Referral, ReferralEvent, ReferralStatus, SlaStep

    R = ReferralStatus
    rng = random.Random(15)
    first = _next_id("referrals_referral")
    now = datetime.now().astimezone()
    open_states = [R.SENT, R.ACKNOWLEDGED, R.ACCEPTED, R.IN_SERVICE]
    closed_states = [R.COMPLETED, R.FAILED, R.REJECTED, R.REVOKED]
    sections = Jsonb(["IDENTITAS", "KONTAK", "PENGADUAN"])
    events: list[tuple[object, ...]] = []
    deadlines: list[tuple[object, ...]] = []

    def referrals() -> Iterator[tuple[object, ...]]:
        for number in range(count):
            case, agency, person = cases[number % len(cases)]
            service, to_agency = agencies.services[number % len(agencies.services)]
            if to_agency == agency:
                service, to_agency = agencies.services[(number + 1) % len(agencies.services)]
            pk = first + number
            # Most of three years' referrals are closed; about one in ten is still open.
            status = rng.choice(open_states) if rng.random() < OPEN_SHARE else rng.choice(closed_states)
            sent = now - timedelta(minutes=int(rng.random() * 3 * 365 * 24 * 60))
            user = agencies.users[agency]
            events.append((pk, R.DRAFT, R.SENT, user, sent))
            events.append((pk, R.SENT, R.ACKNOWLEDGED, agencies.users[to_agency], sent + timedelta(hours=2)))
            events.append((pk, R.ACKNOWLEDGED, status, agencies.users[to_agency], sent + timedelta(days=2)))
            if status in open_states:
                due = now + timedelta(hours=rng.randint(-240, 240))
                deadlines.append((pk, SlaStep.values[0], sent, due))
            # The case's person is its agency's own (_copy_cases): the sender owns the person it refers.
            yield (pk, case, person, True, agency, to_agency, service, "bench", status, sections, user, sent, sent)

    given = (
        "id",
        "case_id",
        "person_id",
        "sender_owns_person",
        "from_agency_id",
        "to_agency_id",
        "service_id",
        "reason",
        "status",
        "shared_sections",
        "created_by_id",
        "created_at",
        "sent_at",
    )
    with transaction.atomic():
        _copy("referrals_referral", Referral, given, referrals())
        event_id = _next_id("referrals_referralevent")
        _copy(
            "referrals_referralevent",
            ReferralEvent,
            ("id", "referral_id", "from_status", "to_status", "by_id", "at"),
            ((event_id + n, *row) for n, row in enumerate(events)),
        )
        deadline_id = _next_id("referrals_deadline")
        _copy(
            "referrals_deadline",
            Deadline,
            ("id", "referral_id", "step", "started_at", "due_at"),
            ((deadline_id + n, *row) for n, row in enumerate(deadlines)),
        )


# --- measurement --------------------------------------------------------------------------------------------


def _quantile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) > 1 else values[0]


def _timed(label: str, calls: Sequence[Callable[[], object]], explain: bool = True) -> bool:
    """Time each call; then run the first once more with its queries captured, and EXPLAIN the slowest read."""
    from django.db import connection

    only = [word.strip() for word in os.environ.get("SINERGI_BENCH_PG_ONLY", "").split(",") if word.strip()]
    if only and not any(word in label for word in only):
        return False
    from django.test.utils import CaptureQueriesContext

    times, cpu, database = [], [], []
    spent = [0.0]

    def timing(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - started

    for call in calls:
        spent[0] = 0.0
        # Wall time waits for a core on a loaded machine; this process's CPU time and the time spent waiting on
        # the database say where a request's time goes (the database's own figure is in the EXPLAINs).
        with connection.execute_wrapper(timing):
            started, started_cpu = time.perf_counter(), time.process_time()
            call()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        database.append(spent[0] * 1000)
    p50, p95 = statistics.median(times), _quantile(times, 95)
    verdict = "met" if p95 <= 100 else "NOT met"
    print(
        f"| {label} | {len(times)} | {p50:.1f} | {p95:.1f} | {verdict} | {statistics.median(cpu):.1f} / "
        f"{_quantile(cpu, 95):.1f} | {statistics.median(database):.1f} / {_quantile(database, 95):.1f} |",
        flush=True,
    )
    if not explain:
        return True
    with CaptureQueriesContext(connection) as captured:
        calls[0]()
    reads = [query for query in captured.captured_queries if query["sql"].lstrip().upper().startswith("SELECT")]
    total = sum(float(query["time"]) for query in captured.captured_queries) * 1000
    slowest = max(reads, key=lambda query: float(query["time"]), default=None)
    EXPLAINS.append(f"{label}: {len(captured.captured_queries)} queries, {total:.1f} ms in the database")
    if slowest is not None:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {slowest['sql']}")
            plan = [line for (line,) in cursor.fetchall()]
        EXPLAINS.append(f"  slowest read ({float(slowest['time']) * 1000:.1f} ms): {slowest['sql'][:400]}")
        EXPLAINS.extend(f"    {line}" for line in plan[:40])
    return True


EXPLAINS: list[str] = []
COMMON_NAME_QUERIES = ("Siti", "Muhammad", "siti rahma", "ahmad sudirman")


def _ok(client: Any, path: str, params: dict[str, object] | None = None) -> None:
    response = client.get(path, params or {})
    if response.status_code != 200:
        raise RuntimeError(f"{path} {params}: HTTP {response.status_code}")


def _measure(samples: int) -> None:
    from django.test import Client
    from django.urls import reverse

    from sinergi.accounts.models import User
    from sinergi.cases.models import Case
    from sinergi.referrals.models import Referral
    from sinergi.registry.models import Person
    from sinergi.registry.selectors import SearchQuery, search_persons
    from sinergi.synthetic.spelling import spelling_variant

    user = User.objects.get(username="bp3mi.petugas")
    agency = user.agency_pk
    rng = random.Random(16)
    own = list(
        Person.objects.filter(registered_by_agency_id=agency, birth_date__isnull=False)
        .order_by("?")
        .values_list("pk", "full_name", "birth_date", "nik")[:samples]
    )
    others = list(
        Person.objects.exclude(registered_by_agency_id=agency).order_by("?").values_list("nik", flat=True)[:samples]
    )
    case_ids = list(Case.objects.filter(agency_id=agency).order_by("?").values_list("pk", flat=True)[:samples])
    print(
        f"measured as bp3mi.petugas: {Person.objects.filter(registered_by_agency_id=agency).count():,} own persons, "
        f"{Case.objects.filter(agency_id=agency).count():,} own cases, "
        f"{Referral.objects.filter(to_agency_id=agency).count():,} referrals received"
    )
    client = Client()
    client.force_login(user)
    _ok(client, reverse("cases:list"))  # warm up: templates, translations, the connection

    variants = [(spelling_variant(name, rng), born.year if born else 0, pk) for pk, name, born, _ in own]
    # A set: _timed runs the first call once more to EXPLAIN it, which must not count twice.
    found: set[int] = set()

    def name_search(text: str, year: int, target: int) -> None:
        hits = search_persons(user, SearchQuery(text=text, birth_year=year), limit=10)
        if any(hit.pk == target for hit in hits):
            found.add(target)

    def nik_search(nik: str) -> None:
        search_persons(user, SearchQuery(nik=nik))

    print(
        "| server-side latency | samples | p50 ms | p95 ms | target p95 ≤ 100 ms | Python CPU p50 / p95 ms "
        "| waiting on the database p50 / p95 ms |"
    )
    print("|---|---|---|---|---|---|---|")
    if _timed(
        "name search, spelling variant + birth year (selector)",
        [partial(name_search, text, year, pk) for text, year, pk in variants],
    ):
        print(f"(name search: the original found in the top 10 for {len(found)}/{len(variants)} variants)")
    search = reverse("registry:search")
    pages = [partial(_ok, client, search, {"q": text}) for text, _, _ in variants]
    _timed("name search page, spelling variant (view)", pages)
    # A first name that thousands share, alone and with a rarer second name (typed as a case worker would).
    common = [partial(_ok, client, search, {"q": text}) for text in COMMON_NAME_QUERIES]
    _timed("name search page, a common first name alone or first (view)", common * max(1, samples // 10))
    _timed("NIK search, own person (selector)", [partial(nik_search, nik) for *_, nik in own])
    _timed("NIK search, another agency's person (selector)", [partial(nik_search, nik) for nik in others])
    listing = reverse("cases:list")
    filters: list[dict[str, object]] = [
        {},
        {"status": "open"},
        {"status": "open", "destination": "MY"},
        {"regency": "72.71"},
        {"overdue": "on"},
    ]
    for params in filters:
        _timed(
            f"case list, first page {params or '(no filter)'} (view)",
            [partial(_ok, client, listing, params)] * max(5, samples // 5),
        )
    _timed("case list, a deeper keyset page (view)", [partial(_ok, client, listing, {"before": pk}) for pk in case_ids])
    _timed(
        "case list API, keyset pages (50 rows)",
        [partial(_ok, client, "/api/v1/cases", {"before": pk}) for pk in case_ids],
    )
    _timed("case detail (view)", [partial(_ok, client, reverse("cases:detail", args=[pk])) for pk in case_ids])
    _timed("person detail (view)", [partial(_ok, client, reverse("registry:detail", args=[pk])) for pk, *_ in own])
    inbox = reverse("referrals:inbox")
    for tab in ["menunggu", "terlambat", "milik-saya", "terkirim", "semua"]:
        _timed(f"referral inbox, tab {tab} (view)", [partial(_ok, client, inbox, {"tab": tab})] * max(5, samples // 5))
    print("EXPLAIN of the slowest read of one request of each kind:")
    print("\n".join(EXPLAINS))
