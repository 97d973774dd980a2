"""Run the whole suite with the clock moved forward: a date bomb goes off in CI before it goes off in production.

`pytest --clock-ahead 365` (or `SINERGI_TEST_CLOCK_AHEAD_DAYS=365 make test`) starts the session a year from
today, with the clock ticking. Code under test, the live server thread and the tests all read the moved clock;
the browser and the database server keep their own, as they would for a real user a year from now.
A test that needs one exact instant freezes it with time-machine's `time_machine` fixture, which nests inside.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

ENVIRONMENT_VARIABLE = "SINERGI_TEST_CLOCK_AHEAD_DAYS"
_traveller_key = pytest.StashKey[time_machine.travel]()


def _days_from_environment() -> int:
    raw = os.environ.get(ENVIRONMENT_VARIABLE, "").strip() or "0"
    try:
        return int(raw)
    except ValueError:
        raise pytest.UsageError(f"{ENVIRONMENT_VARIABLE} must be a whole number of days, not {raw!r}") from None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock-ahead",
        type=int,
        default=None,
        metavar="DAYS",
        help=f"run the suite with the clock moved DAYS days ahead (also ${ENVIRONMENT_VARIABLE})",
    )


def pytest_configure(config: pytest.Config) -> None:
    days = config.getoption("clock_ahead")
    if days is None:
        days = _days_from_environment()
    if not days:
        return
    traveller = time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True)
    traveller.start()
    config.stash[_traveller_key] = traveller


def pytest_report_header(config: pytest.Config) -> str | None:
    if _traveller_key in config.stash:
        return f"clock moved ahead: today is {datetime.now(UTC).date().isoformat()} for this run"
    return None


def pytest_unconfigure(config: pytest.Config) -> None:
    traveller = config.stash.get(_traveller_key, None)
    if traveller is not None:
        traveller.stop()
