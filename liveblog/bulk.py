"""Insert many rows of the log and its projections with one executemany.

``bulk_create`` builds a model instance and runs Django's generic field preparation for
every value, most of the cost of a large import (BENCHMARKS.md, "Speed tricks"). The hot
tables' columns are few and their types known, so the values are adapted once per type here
and handed to the driver in one batch.

A rebuild copies some columns from the log into the projections without looking at them;
``stored`` selects such a column as the database keeps it, ``insert(..., stored=...)``
writes it back as it is, and ``from_stored`` converts it when it is needed after all.
On PostgreSQL, ``copy`` loads rows with COPY, which the rebuild uses (``liveblog.rebuild``).
"""

from __future__ import annotations

import json
import operator
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from django.db import connection, models
from django.db.models import F
from django.db.models.expressions import Combinable
from django.db.models.fields.related import RelatedField
from django.db.models.functions import Cast

Adapter = Callable[[Any], Any]

#: SQLite's page cache during a large write (``roomy_page_cache``), in KiB.
LOAD_PAGE_CACHE_KIB = 256 * 1024


def _adapter(field: models.Field) -> Adapter | None:
    """How to turn a Python value into what this database's driver takes (None: as is)."""
    vendor = connection.vendor
    if isinstance(field, RelatedField):
        return _adapter(field.target_field)
    if isinstance(field, models.DateTimeField):
        if vendor == "sqlite":
            return _sqlite_datetime
        return None
    if isinstance(field, models.UUIDField):
        if vendor == "sqlite":
            return lambda value: (
                value.hex
                if isinstance(value, uuid.UUID)
                else None
                if value is None
                else uuid.UUID(str(value)).hex
            )
        return None
    if isinstance(field, models.JSONField):
        if vendor == "postgresql":
            from psycopg.types.json import Jsonb

            return Jsonb
        return _json_text
    return None


def _sqlite_datetime(value: datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime (USE_TZ is on).

    That is ``str()`` of the naive UTC time. Slicing "+00:00" off the aware ISO format gives
    the same text faster than ``replace(tzinfo=None)``, and every event and entry row of an
    import carries two or three datetimes.
    """
    return None if value is None else value.astimezone(UTC).isoformat(" ")[:-6]


def insert(
    model: type[models.Model],
    rows: Sequence[models.Model | Mapping[str, Any]],
    *,
    stored: Collection[str] = (),
) -> None:
    """Insert rows of ``model``: unsaved instances, or mappings from attname to value.

    Mappings skip building a model instance per row, which is itself a large part of the
    cost; auto primary keys stay unset either way. The columns named in ``stored`` hold
    their values as the database stores them (read with ``stored``), written as they are.
    """
    if not rows:
        return
    fields = _written_fields(model)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(field)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    names = [field.attname for field in fields]
    pick: Callable[[Any], Sequence[Any]] = (
        operator.itemgetter if isinstance(rows[0], Mapping) else operator.attrgetter
    )(*names)
    adapters = [None if field.attname in stored else _adapter(field) for field in fields]
    adapted = [(index, adapt) for index, adapt in enumerate(adapters) if adapt]
    if adapted:
        params: list[Sequence[Any]] = []
        for row in rows:
            values = list(pick(row))
            for index, adapt in adapted:
                values[index] = adapt(values[index])
            params.append(values)
    else:
        params = [pick(row) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _written_fields(model: type[models.Model]) -> list[models.Field]:
    """The columns a bulk write fills: all but an auto primary key (the database numbers it)."""
    return [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField))
    ]


def _concrete_field(model: type[models.Model], name: str) -> models.Field:
    """The model's field of that name that has a column (not a reverse relation)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise LookupError(f"{model.__name__}.{name} is not a column")
    _column(field)
    return field


def _column(field: models.Field) -> str:
    if field.column is None:
        raise LookupError(f"{field} has no column")
    return field.column


def copy(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert rows of ``model`` (mappings from attname to value) with PostgreSQL's COPY.

    COPY streams the rows as text that each column's type reads, where ``insert``'s
    executemany sends a statement per row. JSON values are encoded here, as text.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError(f"COPY is PostgreSQL's; {connection.vendor} inserts with insert().")
    if not rows:
        return
    fields = _written_fields(model)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(field)) for field in fields)
    pick = operator.itemgetter(*[field.attname for field in fields])
    json_columns = [
        index for index, field in enumerate(fields) if isinstance(field, models.JSONField)
    ]
    sql = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as stream:
        for row in rows:
            values = list(pick(row))
            for index in json_columns:
                values[index] = _json_text(values[index])
            stream.write_row(values)


def _json_text(value: object) -> str:
    # Most entries have no labels, media or embeds: their empty lists need no encoder.
    if value == [] and isinstance(value, list):
        return "[]"
    return json.dumps(value, ensure_ascii=False)


def _kept_as_text(field: models.Field) -> bool:
    """Whether this database keeps the field's values as text that the ORM parses."""
    if isinstance(field, RelatedField):
        return _kept_as_text(field.target_field)
    return connection.vendor == "sqlite" and isinstance(
        field, models.DateTimeField | models.UUIDField
    )


def stored(model: type[models.Model], name: str) -> Combinable:
    """Select a column as the database stores it, for ``values_list``.

    SQLite keeps datetimes and UUIDs as text, which the ORM parses into objects on reading
    and ``insert`` formats back on writing; for a column that is only copied, both cost
    more than the copy. The CAST also keeps sqlite3 from parsing the column by its declared
    type. PostgreSQL's driver hands these columns over as Python objects already.
    """
    if _kept_as_text(_concrete_field(model, name)):
        return Cast(name, output_field=models.TextField())
    return F(name)


def from_stored(model: type[models.Model], name: str) -> Adapter:
    """The function that turns a ``stored`` value into what the ORM would have read."""
    field = _concrete_field(model, name)
    if not _kept_as_text(field):
        return lambda value: value
    column = field.get_col(model._meta.db_table)
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)

    def convert(value: Any) -> Any:
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return convert


@contextmanager
def roomy_page_cache(kibibytes: int = LOAD_PAGE_CACHE_KIB) -> Iterator[None]:
    """Let SQLite keep up to ``kibibytes`` of pages for this connection inside the block.

    With the default 2 MB, a transaction that rewrites tens of thousands of entries spills
    dirty pages to the WAL and reads evicted index pages (of random UUIDs) back, over and
    over (BENCHMARKS.md, "Speed tricks"). Memory is taken only as pages are used, and given
    back when the previous size is restored. PostgreSQL's cache is the server's.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(kibibytes)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


@contextmanager
def indexes_built_after(*tables: type[models.Model]) -> Iterator[None]:
    """On SQLite, drop the tables' plain indexes for the block and create them again after it.

    When a transaction rewrites most of a table, building each index once from the final
    rows costs less than updating it for every row deleted and inserted (BENCHMARKS.md,
    "Speed tricks"). Only for use inside that transaction: readers see the tables as they
    were, indexes included, until it commits, and a failure rolls the drop back. Unique
    indexes stay, to check every row as it comes. On PostgreSQL a DROP INDEX would lock
    readers out of the table: nothing is done.
    """
    if connection.vendor != "sqlite":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("Indexes can only be set aside inside the transaction that loads.")
    names = [model._meta.db_table for model in tables]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({', '.join(['%s'] * len(names))}) ORDER BY name",
            names,
        )
        indexes = [
            (name, sql)
            for name, sql in cursor.fetchall()
            if not sql.upper().startswith("CREATE UNIQUE")
        ]
        for name, _ in indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql)
