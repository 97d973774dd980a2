"""Re-encrypt every encrypted field with the current (first) key, chunk by chunk, each chunk in one transaction;
safe to stop and run again (a value already under the current key is left alone)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.apps import apps
from django.db import models, transaction

from sinergi.encryption.fields import EncryptedJSONField, EncryptedTextField
from sinergi.encryption.keys import written_with_current_key

CHUNK = 500


def encrypted_fields() -> dict[type[models.Model], list[str]]:
    """Every installed model with encrypted fields, and their attribute names."""
    found: dict[type[models.Model], list[str]] = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField | EncryptedJSONField)
        ]
        if names:
            found[model] = names
    return found


def rotate_all(*, dry_run: bool = False) -> Counter[str]:
    """Rewrite each value not yet under the current key; returns how many per `app.model.field`."""
    rewritten: Counter[str] = Counter()
    for model, attnames in encrypted_fields().items():
        label = model._meta.label_lower
        pks = list(model._base_manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), CHUNK):
            chunk = pks[start : start + CHUNK]
            with transaction.atomic():
                rows = model._base_manager.select_for_update().filter(pk__in=chunk)
                for row in rows:
                    changed = {}
                    for attname in attnames:
                        stored = raw_value(model, row.pk, attname)
                        if stored in (None, "", '""') or written_with_current_key(_unquote(stored)):
                            continue
                        changed[attname] = getattr(row, attname)
                        rewritten[f"{label}.{attname}"] += 1
                    if changed and not dry_run:
                        model._base_manager.filter(pk=row.pk).update(**changed)
    return rewritten


def _unquote(stored: str) -> str:
    """A JSON field holds the ciphertext as a JSON string: drop the quotes."""
    return stored[1:-1] if stored.startswith('"') and stored.endswith('"') else stored


def raw_value(model: type[models.Model], pk: Any, attname: str) -> str | None:
    """What the database really holds for one field of one row, read with SQL (no decryption)."""
    from django.db import connection

    field = model._meta.get_field(attname)
    primary = model._meta.pk
    assert isinstance(field, models.Field) and field.column and primary is not None and primary.column
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(field.column)
    pk_column = connection.ops.quote_name(primary.column)
    with connection.cursor() as cursor:
        key = primary.get_db_prep_value(pk, connection)
        cursor.execute(f"SELECT {column} FROM {table} WHERE {pk_column} = %s", [key])  # noqa: S608 (quoted names)
        row = cursor.fetchone()
    if row is None or row[0] is None:
        return None
    value = row[0]
    return value if isinstance(value, str) else str(value)
