"""Insert many rows of the log and its projections with one executemany.

``bulk_create`` builds a model instance and runs Django's generic field preparation for
every value, which made it most of the cost of imports and rebuilds (100,000 entries are
three times that many rows). The hot tables' columns are few and their types known, so the
values are adapted once per type here and handed to the driver in one batch.
"""

from __future__ import annotations

import json
import operator
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC
from typing import Any

from django.db import connection, models

Adapter = Callable[[Any], Any]


def _adapter(field: models.Field) -> Adapter | None:
    """How to turn a Python value into what this database's driver takes (None: as is)."""
    vendor = connection.vendor
    if field.is_relation:
        return _adapter(field.target_field)
    if isinstance(field, models.DateTimeField):
        if vendor == "sqlite":
            # What Django's SQLite backend stores for an aware datetime (USE_TZ is on).
            return lambda value: (
                None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))
            )
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
        return lambda value: json.dumps(value, ensure_ascii=False)
    return None


def insert(model: type[models.Model], rows: Sequence[models.Model | Mapping[str, Any]]) -> None:
    """Insert rows of ``model``: unsaved instances, or mappings from attname to value.

    Mappings skip building a model instance per row, which is itself a large part of the
    cost; auto primary keys stay unset either way.
    """
    if not rows:
        return
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and isinstance(field, models.AutoField))
    ]
    adapters = [(field.attname, _adapter(field)) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({placeholders})"
    names = [name for name, _ in adapters]
    pick = (operator.itemgetter if isinstance(rows[0], Mapping) else operator.attrgetter)(*names)
    adapted = [(index, adapt) for index, (_, adapt) in enumerate(adapters) if adapt]
    params = []
    for row in rows:
        values = list(pick(row))
        for index, adapt in adapted:
            values[index] = adapt(values[index])
        params.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
