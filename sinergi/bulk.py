"""Writing many new rows of one model in one prepared statement, for the paths that write thousands (imports).

``Model.objects.bulk_create`` compiles one SQL text with a placeholder per value, passing every value through
its field's preparation in the compiler; for an import chunk's events, source records and name tokens that
compile cost more than the database's work (issue 14's profile: 30 % of an apply). ``insert_many`` runs one
``INSERT ... VALUES (%s, ...)`` for every object with the driver's ``executemany``, and prepares a value
through its field only where the field needs it (dates, JSON, a field class of ours); strings, numbers,
booleans and foreign keys go as they are, which is what their fields would give.

What it does not do, unlike ``bulk_create``: set the objects' primary keys (nothing after the write may need
them), send signals, or handle multi-table inheritance. Use it for plain rows only.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

# Field classes whose prepared value is the Python value itself (exactly these classes: a subclass may prepare).
_AS_IS: frozenset[type[models.Field[Any, Any]]] = frozenset(
    {
        models.CharField,
        models.TextField,
        models.IntegerField,
        models.BigIntegerField,
        models.SmallIntegerField,
        models.PositiveIntegerField,
        models.PositiveBigIntegerField,
        models.PositiveSmallIntegerField,
        models.BooleanField,
        models.FloatField,
        models.ForeignKey,
    }
)


def insert_many(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """INSERT `objects` (new instances of `model`, without a primary key) with one prepared statement."""
    if not objects:
        return
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not _generated_key(field)]
    readers = [_reader(field) for field in fields]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = [[read(obj) for read in readers] for obj in objects]
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608


def _generated_key(field: models.Field[Any, Any]) -> bool:
    return bool(field.primary_key) and field.get_internal_type().endswith("AutoField")


def _reader(field: models.Field[Any, Any]) -> Callable[[models.Model], Any]:
    """How to read `field`'s database value from an object: as it is where that is what the field would give."""
    attname = field.attname
    if type(field) in (models.CharField, models.TextField):
        # A TextChoices member is a str subclass; the driver wants the plain string.
        def text(obj: models.Model) -> Any:
            value = getattr(obj, attname)
            return value if value is None or type(value) is str else str(value)

        return text
    if type(field) in _AS_IS and (
        not isinstance(field, models.ForeignKey)
        or type(field.target_field) in _AS_IS
        or _generated_key(field.target_field)
    ):
        return operator.attrgetter(attname)

    def prepared(obj: models.Model) -> Any:
        return field.get_db_prep_save(field.pre_save(obj, True), connection)

    return prepared
