"""Make the event table append-only in the database itself.

The ORM already refuses to update or delete an Event; these triggers make a raw SQL UPDATE
or DELETE fail too, on SQLite and on PostgreSQL. (PostgreSQL's TRUNCATE is a table-level
operation that row triggers do not see; the test runner relies on it to reset tables.)
"""

from django.db import migrations

MESSAGE = "liveblog_event is append-only: events cannot be updated or deleted"

SQLITE_INSTALL = [
    f"""
    CREATE TRIGGER liveblog_event_no_update BEFORE UPDATE ON liveblog_event
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER liveblog_event_no_delete BEFORE DELETE ON liveblog_event
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS liveblog_event_no_update;",
    "DROP TRIGGER IF EXISTS liveblog_event_no_delete;",
]

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION liveblog_event_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER liveblog_event_no_update_or_delete
    BEFORE UPDATE OR DELETE ON liveblog_event
    FOR EACH ROW EXECUTE FUNCTION liveblog_event_refuse_change();
    """,
]
POSTGRES_REMOVE = [
    "DROP TRIGGER IF EXISTS liveblog_event_no_update_or_delete ON liveblog_event;",
    "DROP FUNCTION IF EXISTS liveblog_event_refuse_change();",
]

STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
    "postgresql": (POSTGRES_INSTALL, POSTGRES_REMOVE),
}


def _run(schema_editor, which: int) -> None:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise RuntimeError(f"No append-only triggers for the {vendor} database backend.")
    for statement in STATEMENTS[vendor][which]:
        schema_editor.execute(statement)


def install(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def remove(apps, schema_editor) -> None:
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("liveblog", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
