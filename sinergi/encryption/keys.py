"""The keys that encrypt sensitive fields at rest, from the environment (`SINERGI_FIELD_KEYS`).

Fernet (AES-128-CBC with HMAC-SHA256, from the `cryptography` package) under MultiFernet: the first key
encrypts, every key listed decrypts, so a key is rotated by putting the new one first, running
`sinergi rotate_field_keys`, then removing the old one (docs/operations.md). Without the setting, a key is
generated once into `var/field_keys` (0600), like the secret key: fine for the demo, not for production (the
deploy check says so), because a key kept beside the database protects nothing when both are copied.

A stored value is ``enc1:`` + the Fernet token. A value without the prefix is plaintext written before the field
was encrypted (the migrations encrypt those; reading one returns it as it is).
"""

from __future__ import annotations

import functools
import secrets
from base64 import urlsafe_b64encode
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

PREFIX = "enc1:"


class UndecryptableValue(ImproperlyConfigured):
    """A stored value no configured key opens: the key it was written with is missing from SINERGI_FIELD_KEYS."""


def new_key() -> str:
    return urlsafe_b64encode(secrets.token_bytes(32)).decode()


def _generated_keys(var_dir: Path) -> list[str]:
    key_file = var_dir / "field_keys"
    if key_file.exists():
        return [line.strip() for line in key_file.read_text().splitlines() if line.strip()]
    var_dir.mkdir(parents=True, exist_ok=True)
    key = new_key()
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    return [key]


def configured_keys() -> list[str]:
    return list(settings.SINERGI_FIELD_KEYS) or _generated_keys(Path(settings.VAR_DIR))


@functools.cache
def _fernet() -> MultiFernet:
    keys = configured_keys()
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "SINERGI_FIELD_KEYS must list Fernet keys (32 bytes, url-safe base64), the current one first; "
            "make one with: sinergi rotate_field_keys --new-key"
        ) from error


@receiver(setting_changed)
def _forget_keys(*, setting: str, **_kwargs: object) -> None:
    if setting in ("SINERGI_FIELD_KEYS", "VAR_DIR"):
        _fernet.cache_clear()


def is_encrypted(stored: str) -> bool:
    return stored.startswith(PREFIX)


def encrypt(text: str) -> str:
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    if not is_encrypted(stored):
        return stored  # written before the field was encrypted
    try:
        return _fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise UndecryptableValue(
            "A sensitive field cannot be decrypted with the keys in SINERGI_FIELD_KEYS: the key it was written "
            "with is missing (see docs/operations.md, 'Field encryption keys')."
        ) from None


def written_with_current_key(stored: str) -> bool:
    """Whether the first (current) key opens `stored`; plaintext is not."""
    if not is_encrypted(stored):
        return False
    current = Fernet(configured_keys()[0].encode())
    try:
        current.decrypt(stored[len(PREFIX) :].encode())
    except InvalidToken:
        return False
    return True
