"""Fixtures of the change feed and batch push tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Each persona is created with a password; Argon2 costs ~0.3 s a hash (accounts/tests checks it is used)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """These tests read messages in English (Indonesian is the default; its catalogue is checked separately)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield
