"""Insert many rows of the log and its projections with one executemany.

``bulk_create`` builds a model instance and runs Django's generic field preparation for
every value, most of the cost of a large import (BENCHMARKS.md, "Speed tricks"). The hot
tables' columns are few and their types known, so the values are adapted once per type here
and handed to the driver in one batch.

A rebuild copies some columns from the log into the projections without looking at them;
``stored`` selects such a column as text, ``insert(..., stored=...)`` and COPY write it
back as it is, and ``from_stored`` converts it when it is needed after all. On PostgreSQL,
``copy`` loads rows with COPY and ``merge`` writes only the rows a table does not hold
already, which the rebuild uses (``liveblog.rebuild``).
"""

from __future__ import annotations

import gc
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
#: Allocations between young garbage collections during a large load (``rare_collections``).
LOAD_YOUNG_COLLECTION_EVERY = 50_000


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
    _copy(connection.ops.quote_name(model._meta.db_table), _written_fields(model), rows)


def _copy(table: str, fields: Sequence[models.Field], rows: Sequence[Mapping[str, Any]]) -> None:
    """COPY the rows into ``table`` (a quoted name), a column per field."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(field)) for field in fields)
    pick = operator.itemgetter(*[field.attname for field in fields])
    json_columns = [
        index for index, field in enumerate(fields) if isinstance(field, models.JSONField)
    ]
    sql = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as stream:
        for row in rows:
            values = list(pick(row))
            for index in json_columns:
                values[index] = _json_text(values[index])
            stream.write_row(values)


def merge(
    model: type[models.Model], rows: Sequence[Mapping[str, Any]], *, match: Sequence[str]
) -> None:
    """Make ``model``'s table hold these rows, found by the ``match`` columns (PostgreSQL).

    A row the table lacks is inserted, one that differs is updated in place, and one the
    table holds as it is is not written at all: no new row version, no WAL, no index entry
    and no foreign-key check (BENCHMARKS.md, "Speed tricks"). The rows are copied into a
    temporary table that only this transaction sees, and merged from it in one statement.
    """
    if connection.vendor != "postgresql":
        raise RuntimeError(f"MERGE is PostgreSQL's; {connection.vendor} has insert().")
    if not connection.in_atomic_block:
        raise RuntimeError("Rows can only be merged inside a transaction (the staging is its own).")
    if not rows:
        return
    fields = _written_fields(model)
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    staged = f"pg_temp.{quote(model._meta.db_table + '_staged')}"
    columns = [quote(_column(field)) for field in fields]
    keys = [quote(_column(_concrete_field(model, name))) for name in match]
    others = [column for column in columns if column not in keys]
    with connection.cursor() as cursor:
        # One round trip: the staging table of an earlier batch is emptied, not made again.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staged} ON COMMIT DROP AS "
            f"SELECT {', '.join(columns)} FROM {table} WITH NO DATA; TRUNCATE {staged}"
        )
    _copy(staged, fields, rows)
    on = " AND ".join(f"t.{key} = s.{key}" for key in keys)
    old = ", ".join(f"t.{column}" for column in others)
    new = ", ".join(f"s.{column}" for column in others)
    with connection.cursor() as cursor:
        cursor.execute(
            f"MERGE INTO {table} AS t USING {staged} AS s ON {on} "
            f"WHEN MATCHED AND ROW({old}) IS DISTINCT FROM ROW({new}) THEN UPDATE SET "
            + ", ".join(f"{column} = s.{column}" for column in others)
            + f" WHEN NOT MATCHED THEN INSERT ({', '.join(columns)}) VALUES ("
            + ", ".join(f"s.{column}" for column in columns)
            + ")"
        )


def _json_text(value: object) -> str:
    # Most entries have no labels, media or embeds: their empty lists need no encoder.
    if value == [] and isinstance(value, list):
        return "[]"
    return json.dumps(value, ensure_ascii=False)


def _read_as_text(field: models.Field) -> bool:
    """Whether ``stored`` reads the field's values as text (datetimes and UUIDs)."""
    if isinstance(field, RelatedField):
        return _read_as_text(field.target_field)
    return isinstance(field, models.DateTimeField | models.UUIDField)


def stored(model: type[models.Model], name: str) -> Combinable:
    """Select a datetime or UUID column as text, for ``values_list``.

    SQLite keeps them as text, which the ORM parses into objects on reading and ``insert``
    formats back on writing; for a column that is only copied, both cost more than the
    copy. The CAST also keeps sqlite3 from parsing the column by its declared type. On
    PostgreSQL, psycopg's parsing and COPY's formatting cost as much, and COPY reads the
    text as the column's type again.
    """
    if _read_as_text(_concrete_field(model, name)):
        return Cast(name, output_field=models.TextField())
    return F(name)


def from_stored(model: type[models.Model], name: str) -> Adapter:
    """The function that turns a ``stored`` value into what the ORM would have read."""
    field = _concrete_field(model, name)
    if not _read_as_text(field):
        return lambda value: value
    if connection.vendor == "postgresql":
        return _postgres_loader(field)
    column = field.get_col(model._meta.db_table)
    converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)

    def convert(value: Any) -> Any:
        for converter in converters:
            value = converter(value, column, connection)
        return value

    return convert


def _postgres_loader(field: models.Field) -> Adapter:
    """Parse the field's text as psycopg reads the column, with this connection's loader."""
    from psycopg import postgres
    from psycopg.pq import Format

    if isinstance(field, RelatedField):
        return _postgres_loader(field.target_field)
    connection.ensure_connection()
    driver = connection.connection
    oid = postgres.types["timestamptz" if isinstance(field, models.DateTimeField) else "uuid"].oid
    loader = driver.adapters.get_loader(oid, Format.TEXT)(oid, driver)
    return lambda value: None if value is None else loader.load(value.encode())


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
def rare_collections(every: int = LOAD_YOUNG_COLLECTION_EVERY) -> Iterator[None]:
    """Collect the young generation once per ``every`` allocations inside the block.

    A load holds a batch of rows, events and dicts at a time; collecting every 700
    allocations, Python's default, walks them again and again and moves them to the older
    generations, whose collections walk them once more (BENCHMARKS.md, "Speed tricks").
    Cycles are still collected, less often; the previous threshold is restored after.
    """
    previous = gc.get_threshold()
    gc.set_threshold(every, *previous[1:])
    try:
        yield
    finally:
        gc.set_threshold(*previous)


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
