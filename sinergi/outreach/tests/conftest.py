from __future__ import annotations

from typing import Any

import pytest

from sinergi.accounts.models import Agency, User
from sinergi.accounts.roles import Role
from sinergi.testing.factories import UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fiona(bp3mi: Agency) -> User:
    """A second BP3MI petugas who facilitates cohorts with alice."""
    return UserFactory(username="fiona", agency=bp3mi, roles=[Role.PETUGAS])
