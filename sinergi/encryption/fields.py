"""Model fields whose values are encrypted at rest (sinergi/encryption/keys.py): the database, its backups and
its dumps hold ciphertext; the application reads plaintext. Nothing may filter or sort on them (the ciphertext
differs every time), and nothing does: they are narratives and answers, read only on a record's own page through
the sharing rule, and every such read is in the access log.

`sinergi.encryption.rotation.encrypted_fields` finds them all, for `sinergi rotate_field_keys` and the tests.
"""

from __future__ import annotations

import json
from typing import Any

from django.db import models

from sinergi.encryption.keys import decrypt, encrypt, is_encrypted


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text encrypted at rest; the empty string stays empty (it says nothing)."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value and not is_encrypted(value):
            return encrypt(value)
        return value

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        return decrypt(value) if value else value


class EncryptedJSONField(models.JSONField):
    """A JSON value encrypted at rest, stored as one JSON string (no change of column type)."""

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return super().get_prep_value(value)
        if isinstance(value, str) and is_encrypted(value):
            return super().get_prep_value(value)
        return super().get_prep_value(encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True)))

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        loaded = super().from_db_value(value, expression, connection)
        if isinstance(loaded, str) and is_encrypted(loaded):
            return json.loads(decrypt(loaded))
        return loaded
