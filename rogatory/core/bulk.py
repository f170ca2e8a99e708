"""Inserting many rows at once, for imports: COPY on PostgreSQL, one prepared statement elsewhere.

`bulk_create` compiles SQL for every value it inserts, which costs more than a register import's
own work. These helpers convert each value with its field's own `get_db_prep_save`, so what is
stored is what the ORM would store, and hand the rows to the driver in one go.
"""

import functools
from collections.abc import Callable, Iterable, Sequence
from itertools import islice
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

_BATCH_SIZE = 5000
# Fields whose Python values every driver takes as they are: converting them would only cost.
_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)


def insert_rows(model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert `rows` (Python values for `columns`, by attname) and return how many were written.

    Fields not named get their default; a field with neither a value nor a default is an error,
    because `auto_now` and `auto_now_add` do not run here.
    """
    # The connection itself, not Django's per-thread proxy, whose every attribute lookup costs
    # more than converting the value it is asked for.
    connection = connections[DEFAULT_DB_ALIAS]
    fields = {field.attname: field for field in model._meta.concrete_fields}
    named = [fields[name] for name in columns]
    others = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and field.attname not in columns
    ]
    missing = [field.attname for field in others if field.get_default() is None and not field.null]
    if missing:
        raise ValueError(f"insert_rows into {model.__name__} needs values for {missing}")
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in others)
    names = [field.column for field in (*named, *others)]

    converters = [
        (index, convert)
        for index, field in enumerate(named)
        if (convert := _converter(field, connection)) is not None
    ]
    width = len(named)

    # Called once a row: only the values that need it are converted.
    def prepared(row: Sequence[Any]) -> tuple[Any, ...]:
        if len(row) != width:
            raise ValueError(f"insert_rows into {model.__name__}: {len(row)} values for {width}")
        if converters:
            row = list(row)
            for index, convert in converters:
                row[index] = convert(row[index])
        return (*row, *defaults)

    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(prepared(row))
                    written += 1
            return written
        sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(names))})"
        iterator = iter(rows)
        while batch := [prepared(row) for row in islice(iterator, _BATCH_SIZE)]:
            cursor.executemany(sql, batch)
            written += len(batch)
    return written


def _converter(field: Field, connection: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
    """Return how to prepare a value of `field` for the driver, or None when it needs nothing."""
    target = field.target_field if field.is_relation else field
    if target.get_internal_type() in _PLAIN_TYPES:
        return None

    def convert(value: Any) -> Any:
        return field.get_db_prep_save(value, connection)

    if target.get_internal_type() in ("DateField", "DateTimeField"):
        # An import repeats the same few thousand dates and one moment of recording, batch
        # after batch: the cache lives as long as the field and the connection.
        return _dates_cache(field, connection.alias)
    return convert


@functools.cache
def _dates_cache(field: Field, alias: str) -> Callable[[Any], Any]:
    @functools.lru_cache(maxsize=16384)
    def convert(value: Any) -> Any:
        return field.get_db_prep_save(value, connections[alias])

    return convert


def reserve_ids(model: type[Model], count: int) -> list[int]:
    """Return `count` new primary keys of `model`, for rows `insert_rows` is about to write.

    Knowing the keys before writing saves reading them back, a query per batch whose cost
    grows with the table. Call it inside the transaction that writes the rows: on SQLite, that
    transaction's write lock keeps anyone else from taking the same keys.
    """
    if count <= 0:
        return []
    connection = connections[DEFAULT_DB_ALIAS]
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(
                f"reserve_ids has no way to reserve keys on {connection.vendor}"
            )
        if not connection.in_atomic_block:
            raise RuntimeError("reserve_ids must run inside the transaction that writes the rows")
        # AUTOINCREMENT keys continue from the largest ever given, which sqlite_sequence holds;
        # a key written explicitly moves it on.
        quoted = connection.ops.quote_name(table)
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0),"
            f" COALESCE((SELECT MAX({connection.ops.quote_name(column)}) FROM {quoted}), 0))",
            [table],
        )
        last = cursor.fetchone()[0]
    return list(range(last + 1, last + 1 + count))
