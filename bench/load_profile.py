"""Where a request's time goes (issue 14, part 7): each request kind of bench_load, profiled in-process.

    DATABASE_URL=postgres://… SINERGI_FIELD_KEYS=… python -m bench.load_profile [--requests 30] [--top 25]

Against a database bench_load built (SINERGI_LOAD_REUSE=1 keeps it), with DEBUG off as served. Each kind is
requested a few times to warm caches, then `--requests` times under cProfile: printed are the CPU time per
request, the SQL queries per request and the functions with the most cumulative time. Not part of `make bench`
(it measures nothing against a peer); the findings are in docs/benchmarks-history.md, "Under load".
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class _Recorder:
    """An execute wrapper that keeps the SQL of every query."""

    def __init__(self, queries: list[str]) -> None:
        self.queries = queries

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.queries.append(sql)
        return execute(sql, params, many, context)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load_profile")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--only", default="", help="one kind, e.g. 'person detail'")
    parser.add_argument("--save", default="", help="a folder to keep each kind's profile in (pstats, for callers)")
    args = parser.parse_args()
    os.environ.setdefault("SINERGI_DEBUG", "0")
    os.environ.setdefault("SINERGI_MFA_REQUIRED_ROLES", "")
    os.environ.setdefault("SINERGI_LOG_LEVEL", "WARNING")
    # As served (scripts/gunicorn.conf.py): connections kept, reads sealed in batches by the sealer thread.
    os.environ.setdefault("SINERGI_DB_CONN_MAX_AGE", "60")
    os.environ.setdefault("SINERGI_AUDIT_SEAL_DELAY_MS", "500")
    os.environ["SINERGI_ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sinergi.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from sinergi.accounts.models import User
    from sinergi.accounts.tokens import create_token
    from sinergi.registry.models import Person

    user = User.objects.get(username="bp3mi.petugas")
    client = Client()
    client.force_login(user)
    _token, secret = create_token(actor=None, user=user, name="load-profile", scopes=["persons:read"])
    person_ids = list(
        Person.objects.filter(registered_by_agency=user.agency, merged_into__isnull=True).values_list("pk", flat=True)[
            :200
        ]
    )
    person = Person.objects.get(pk=person_ids[len(person_ids) // 2])
    name = person.full_name.split()[0]
    kinds: dict[str, tuple[str, dict[str, str]]] = {
        "person search": (f"/orang/?q={name}", {}),
        "person detail": (f"/orang/{person.pk}/", {}),
        "case list": ("/kasus/", {}),
        "referral inbox": ("/rujukan/", {}),
        "notifications": ("/notifikasi/", {}),
        "API search": (f"/api/v1/persons?q={name}", {"Authorization": f"Bearer {secret}"}),
        "API person": (f"/api/v1/persons/{person.pk}", {"Authorization": f"Bearer {secret}"}),
    }
    for kind, (path, headers) in kinds.items():
        if args.only and kind != args.only:
            continue
        api = "Authorization" in headers
        caller = Client() if api else client
        for _ in range(3):
            response = caller.get(path, headers=headers)
            assert response.status_code == 200, (kind, response.status_code)
        queries: list[str] = []
        with connection.execute_wrapper(_Recorder(queries)):
            caller.get(path, headers=headers)
        plain = time.process_time()
        for _ in range(args.requests):
            caller.get(path, headers=headers)
        plain = time.process_time() - plain
        profile = cProfile.Profile()
        cpu, wall = time.process_time(), time.perf_counter()
        profile.enable()
        for _ in range(args.requests):
            caller.get(path, headers=headers)
        profile.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        calls = pstats.Stats(profile).total_calls  # type: ignore[attr-defined]
        # Python function calls per request: unlike CPU time, it does not move with the neighbours' load.
        print(
            f"== {kind}: {path} — {plain / args.requests * 1000:.1f} ms CPU per request; under cProfile "
            f"{cpu / args.requests * 1000:.1f} ms CPU, {wall / args.requests * 1000:.1f} ms wall; "
            f"{len(queries)} queries; {calls / args.requests:,.0f} function calls"
        )
        for sql in queries:
            print(f"   sql: {sql[:200]}")
        if args.save:
            profile.dump_stats(Path(args.save) / f"{kind.replace(' ', '_')}.prof")
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
