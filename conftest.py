"""Suite-wide settings: plugins, and a hypothesis profile without deadlines.

Deadlines fail a property test when the machine is busy (two cores running the suite and a browser), not when
the code is wrong; speed is measured in bench/, never asserted in tests.
"""

import pytest
from hypothesis import settings

settings.register_profile("sinergi", deadline=None)
settings.load_profile("sinergi")

pytest_plugins = ["sinergi.testing.fixtures", "sinergi.testing.referral_fixtures", "sinergi.testing.clock_shift"]


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test (browser, live server) after every other database test, as Django orders them.

    pytest-django sorts them last, but pytest then groups the tests that share a parametrised session fixture
    (pytest-playwright's `browser_name`) and pulled the browser tests into the middle of the suite. A transactional
    test ends with a flush, which empties what migrations and the session set up (regions, complaint categories),
    so every database test after it saw empty tables: five tests failed in CI for that reason alone.
    """
    items.sort(key=_runs_in_transactions)


def _runs_in_transactions(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    transaction = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    fixtures = getattr(item, "fixturenames", ())
    return transaction or "transactional_db" in fixtures or "live_server" in fixtures
