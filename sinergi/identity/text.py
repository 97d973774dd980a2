"""Text no database can store: a NUL character (PostgreSQL refuses it) or a lone surrogate (not text at all)."""

from __future__ import annotations


def has_unstorable_characters(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= char <= "\udfff" for char in text)
