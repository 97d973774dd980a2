"""Writing many new rows of one model in one prepared statement, for the paths that write thousands (imports).

``Model.objects.bulk_create`` compiles one SQL text with a placeholder per value, passing every value through
its field's preparation in the compiler; for an import chunk's events, source records and name tokens that
compile cost more than the database's work (issue 14's profile: 30 % of an apply). ``insert_many`` runs one
``INSERT ... VALUES (%s, ...)`` for every object with the driver's ``executemany``, and prepares a value
through its field only where the field needs it (dates, JSON, a field class of ours); strings, numbers,
booleans and foreign keys go as they are, which is what their fields would give.

What it does not do, unlike ``bulk_create``: set the objects' primary keys (nothing after the write may need
them), send signals, or handle multi-table inheritance. Use it for plain rows only.

``create_with_history`` is ``simple_history``'s ``bulk_create_with_history`` for rows whose keys are needed
afterwards (an import's new persons, their aliases, phones and identifiers): multi-row INSERTs with
``RETURNING`` set the keys, and the history rows ("+", the acting user, one time) go in one prepared INSERT
read straight from the objects instead of through a historical model instance per row.

``new`` builds an unsaved instance as ``Model(**values)`` does, without ``Model.__init__``'s walk over every
field of the model: an import chunk builds an instance per audit event, change-feed event, source record and new
person, and that walk was a sixth of an apply's CPU.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils import timezone

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


def new[M: models.Model](model: type[M], /, **values: Any) -> M:
    """An unsaved ``model(**values)``: every concrete field its default unless given. A value may be given by
    attribute name (``person_id=3``) or, for a foreign key, as the object (``person=person``, which is also
    cached as ``Model(person=person)`` caches it). Refuses other names, as ``Model`` does."""
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model(**values)  # something watches instances being made: make them the ordinary way
    attnames, defaults, relations = _shape(model)
    obj = model.__new__(model)
    obj._state = ModelState()
    fields = obj.__dict__
    for attname, default in defaults:
        fields[attname] = default()
    for name, value in values.items():
        if name in attnames:
            fields[name] = value
        elif name in relations:
            setattr(obj, name, value)  # the descriptor sets the key and caches the object
        else:
            raise TypeError(f"{model.__name__}() got an unexpected keyword argument '{name}'")
    return obj


@functools.cache
def _shape(
    model: type[models.Model],
) -> tuple[frozenset[str], tuple[tuple[str, Callable[[], Any]], ...], frozenset[str]]:
    fields = model._meta.concrete_fields
    defaults = tuple((field.attname, field.get_default) for field in fields)
    relations = frozenset(field.name for field in fields if field.is_relation)
    return frozenset(field.attname for field in fields), defaults, relations


def insert_many(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """INSERT `objects` (new instances of `model`, without a primary key) with one prepared statement."""
    if not objects:
        return
    fields = [field for field in model._meta.concrete_fields if not _generated_key(field)]
    readers = [_reader(field) for field in fields]
    _execute_many(model, fields, [[read(obj) for read in readers] for obj in objects])


def create_with_history(model: type[models.Model], objects: Sequence[models.Model], *, user: Any) -> None:
    """INSERT new `objects` of `model`, set their primary keys, and write each one's "+" history row by `user`.

    The same rows as ``bulk_create_with_history(objects, model, default_user=user)`` writes, except that every
    history row of the call has one ``history_date`` (simple_history reads the clock once per row).
    """
    if not objects:
        return
    _insert_returning_keys(model, objects)
    history = model.history.model  # type: ignore[attr-defined]
    tracked = {field.attname for field in history.tracked_fields}
    at = timezone.now()
    values: dict[str, Callable[[models.Model], Any]] = {
        field.attname: _reader(field) for field in model._meta.concrete_fields if field.attname in tracked
    }
    own: dict[str, Any] = {
        "history_date": history._meta.get_field("history_date").get_db_prep_save(at, connection),
        "history_change_reason": None,
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
    }
    fields = [field for field in history._meta.concrete_fields if not _generated_key(field)]
    unknown = [field.attname for field in fields if field.attname not in values and field.attname not in own]
    if unknown:
        raise ValueError(f"{history.__name__} has fields create_with_history does not fill: {unknown}")
    readers = [values.get(field.attname) for field in fields]
    constants = [own.get(field.attname) for field in fields]
    rows = [
        [read(obj) if read is not None else constant for read, constant in zip(readers, constants, strict=True)]
        for obj in objects
    ]
    _execute_many(history, fields, rows)


def _insert_returning_keys(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Multi-row INSERTs ... RETURNING the keys, in the objects' order (as ``bulk_create`` relies on too)."""
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not _generated_key(field)]
    readers = [_reader(field) for field in fields]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    key = connection.ops.quote_name(str(meta.pk.column))
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(_MAX_ROWS_PER_STATEMENT, connection.ops.bulk_batch_size(fields, objects)))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), size):
            batch = objects[start : start + size]
            params = [value for obj in batch for value in (read(obj) for read in readers)]
            values = ", ".join([row_sql] * len(batch))
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {key}", params)  # noqa: S608
            keys = cursor.fetchall()
            if len(keys) != len(batch):
                raise RuntimeError(f"INSERT into {meta.db_table} returned {len(keys)} keys for {len(batch)} rows")
            for obj, (pk,) in zip(batch, keys, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = connection.alias


_UNSET = object()

# Rows per multi-row INSERT: the statement's text and parameters stay small (SQLite allows 32,766 parameters).
_MAX_ROWS_PER_STATEMENT = 500


def _execute_many(model: type[models.Model], fields: Sequence[models.Field[Any, Any]], rows: list[list[Any]]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(str(field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
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

    if isinstance(field, models.DateField) and not (field.auto_now or field.auto_now_add):
        # A chunk's rows share their times (a record's import time, an event's time): prepared once, not per row.
        last: list[Any] = [_UNSET, None]

        def dated(obj: models.Model) -> Any:
            value = getattr(obj, attname)
            if value is not last[0]:
                last[0], last[1] = value, field.get_db_prep_save(value, connection)
            return last[1]

        return dated

    def prepared(obj: models.Model) -> Any:
        return field.get_db_prep_save(field.pre_save(obj, True), connection)

    return prepared
