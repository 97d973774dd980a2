"""Fixtures of the sources tests: fast password hashing, and a stand-in for the linkage model."""

from __future__ import annotations

from typing import Any

import pytest

from sinergi.matching import engine
from sinergi.matching.engine import Candidate


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Each persona is created with a password; Argon2 costs ~0.3 s a hash (accounts/tests checks it is used)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class FakeModel:
    """`engine.find_candidates` answering what a test says: {full_name: [Candidate, ...]}; records every call."""

    def __init__(self) -> None:
        self.answers: dict[str, list[Candidate]] = {}
        self.calls: list[list[dict[str, str]]] = []

    def __call__(self, *, agency_id: int, records: Any) -> dict[str, list[Candidate]]:
        self.calls.append([dict(record) for record in records])
        return {
            record["id"]: self.answers[record.get("full_name", "")]
            for record in records
            if record.get("full_name", "") in self.answers
        }


@pytest.fixture
def model(monkeypatch: pytest.MonkeyPatch) -> FakeModel:
    fake = FakeModel()
    monkeypatch.setattr(engine, "find_candidates", fake)
    return fake
