from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def fast_password_hashing(settings: Any) -> None:
    """Argon2 costs ~0.3 s a hash; tests about roles, tokens and login flow do not need it (test_passwords does)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
