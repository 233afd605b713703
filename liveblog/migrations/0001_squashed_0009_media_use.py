"""The schema as of 2026-11-28, squashed from migrations 0001 to 0009.

A database migrated to 0009 takes this migration as applied (``replaces``); a fresh one builds
it in one step. A database last migrated by an older version (before 0009) must first be
upgraded by a version that still has those migrations, ``git checkout squash-base`` (see the
README's "Upgrading"): Django cannot resume half-way into a squash. What the replaced
migrations did beyond the model state stays here:

* the event table is append-only in the database itself (was 0002): the ORM already refuses to
  update or delete an Event, these triggers make a raw SQL UPDATE or DELETE fail too, on SQLite
  and on PostgreSQL (PostgreSQL's TRUNCATE is a table-level operation that row triggers do not
  see; the test runner relies on it to reset tables);
* the "Editors" group with exactly the permissions the editors' desk needs (was 0003): editors
  read blogs, entries, revisions and the log in the admin and act on entries through commands;
  they never change an event. Which blogs they may act on is decided by membership.

(0008 also turned every member of a blog into an editor; a fresh database has no members to
turn, and a database at 0009 has done it.)
"""

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

import liveblog.models

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


def install_append_only_triggers(apps, schema_editor) -> None:
    _run(schema_editor, 0)


def remove_append_only_triggers(apps, schema_editor) -> None:
    _run(schema_editor, 1)


EDITOR_PERMISSIONS = [
    "view_blog",
    # Editors start blogs during breaking news; they become the new blog's first member.
    "add_blog",
    "change_blog",
    "view_entry",
    "add_entry",
    "change_entry",
    "view_entryrevision",
    "view_event",
]


def create_editors_group(apps, schema_editor) -> None:
    # Permissions are normally created after all migrations; make sure they exist now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    editors, _ = group_model.objects.get_or_create(name="Editors")
    editors.permissions.set(
        permission_model.objects.filter(
            content_type__app_label="liveblog", codename__in=EDITOR_PERMISSIONS
        )
    )


def remove_editors_group(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    replaces = [
        ("liveblog", "0001_initial"),
        ("liveblog", "0002_event_log_append_only"),
        ("liveblog", "0003_editors_group"),
        ("liveblog", "0004_apitoken"),
        ("liveblog", "0005_fk_indexes_covered_by_composites"),
        ("liveblog", "0006_media_and_rich_entries"),
        ("liveblog", "0007_webhook_subscribers_and_delivery_log"),
        ("liveblog", "0008_newsroom_desk"),
        ("liveblog", "0009_media_use"),
    ]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="Blog",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("slug", models.SlugField(max_length=100, unique=True)),
                ("title", models.CharField(max_length=200)),
                ("description", models.TextField(blank=True)),
                (
                    "time_zone",
                    models.CharField(
                        default="UTC",
                        max_length=64,
                        validators=[liveblog.models.validate_time_zone],
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("live", "Live"), ("closed", "Closed")],
                        default="draft",
                        max_length=10,
                    ),
                ),
                ("coverage_start", models.DateTimeField(blank=True, null=True)),
                ("coverage_end", models.DateTimeField(blank=True, null=True)),
                ("last_seq", models.PositiveBigIntegerField(default=0, editable=False)),
                ("created_at", models.DateTimeField(editable=False, null=True)),
                ("updated_at", models.DateTimeField(editable=False, null=True)),
                ("labels", models.JSONField(blank=True, default=list)),
            ],
            options={
                "ordering": ["-updated_at", "slug"],
            },
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="What uses it, e.g. “agency alerts bot”.", max_length=100
                    ),
                ),
                ("key_digest", models.CharField(editable=False, max_length=64, unique=True)),
                ("prefix", models.CharField(editable=False, max_length=12)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("last_used_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "API token",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="Entry",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("headline", models.CharField(blank=True, max_length=300)),
                ("body", models.TextField()),
                ("body_html", models.TextField()),
                ("occurred_at", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[("published", "Published"), ("retracted", "Retracted")],
                        default="published",
                        max_length=10,
                    ),
                ),
                ("pinned", models.BooleanField(default=False)),
                ("key_event", models.BooleanField(default=False)),
                ("revision", models.PositiveIntegerField(default=1)),
                ("author", models.CharField(max_length=150)),
                ("author_name", models.CharField(blank=True, default="", max_length=200)),
                ("author_role", models.CharField(blank=True, default="", max_length=200)),
                ("author_location", models.CharField(blank=True, default="", max_length=200)),
                ("labels", models.JSONField(blank=True, default=list)),
                ("published_seq", models.PositiveBigIntegerField()),
                ("published_at", models.DateTimeField()),
                ("last_seq", models.PositiveBigIntegerField()),
                ("updated_at", models.DateTimeField()),
                ("last_corrected_at", models.DateTimeField(blank=True, null=True)),
                ("correction_reason", models.TextField(blank=True)),
                ("retracted_at", models.DateTimeField(blank=True, null=True)),
                ("retraction_reason", models.TextField(blank=True)),
                ("media", models.JSONField(blank=True, default=list)),
                ("embeds", models.JSONField(blank=True, default=list)),
                (
                    "blog",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="entries",
                        to="liveblog.blog",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "entries",
                "ordering": ["-occurred_at", "-published_seq"],
            },
        ),
        migrations.CreateModel(
            name="EntryLabel",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=40)),
                (
                    "blog",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="liveblog.blog",
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="label_rows",
                        to="liveblog.entry",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="EntryRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                ("headline", models.CharField(blank=True, max_length=300)),
                ("body", models.TextField()),
                ("body_html", models.TextField()),
                ("reason", models.TextField(blank=True)),
                ("seq", models.PositiveBigIntegerField()),
                ("recorded_at", models.DateTimeField()),
                ("actor", models.CharField(max_length=150)),
                ("media", models.JSONField(blank=True, default=list)),
                ("embeds", models.JSONField(blank=True, default=list)),
                (
                    "entry",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revisions",
                        to="liveblog.entry",
                    ),
                ),
            ],
            options={
                "ordering": ["entry", "number"],
            },
        ),
        migrations.CreateModel(
            name="Event",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveBigIntegerField()),
                ("type", models.CharField(max_length=64)),
                ("entry_id", models.UUIDField(blank=True, null=True)),
                ("payload", models.JSONField()),
                ("schema_version", models.PositiveSmallIntegerField(default=1)),
                ("occurred_at", models.DateTimeField(help_text="Newsroom time: when it happened.")),
                ("recorded_at", models.DateTimeField(help_text="When it entered the log.")),
                ("actor", models.CharField(max_length=150)),
                (
                    "blog",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="liveblog.blog",
                    ),
                ),
            ],
            options={
                "ordering": ["blog", "seq"],
            },
        ),
        migrations.CreateModel(
            name="Media",
            fields=[
                ("id", models.UUIDField(editable=False, primary_key=True, serialize=False)),
                ("name", models.CharField(max_length=80)),
                ("alt", models.TextField()),
                ("caption", models.TextField(blank=True)),
                ("credit", models.CharField(blank=True, max_length=300)),
                ("content_type", models.CharField(max_length=20)),
                ("width", models.PositiveIntegerField()),
                ("height", models.PositiveIntegerField()),
                ("files", models.JSONField()),
                ("seq", models.PositiveBigIntegerField()),
                ("uploaded_at", models.DateTimeField()),
                ("actor", models.CharField(max_length=150)),
                (
                    "blog",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="media",
                        to="liveblog.blog",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "media",
                "ordering": ["-seq"],
            },
        ),
        migrations.CreateModel(
            name="MediaUse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=80)),
                (
                    "blog",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="liveblog.blog",
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="liveblog.entry",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("editor", "Editor"), ("contributor", "Contributor")],
                        default="editor",
                        help_text="Editors publish and approve; contributors' updates wait for an editor.",
                        max_length=20,
                    ),
                ),
                (
                    "blog",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="liveblog.blog",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["blog", "user__username"],
            },
        ),
        migrations.AddField(
            model_name="blog",
            name="members",
            field=models.ManyToManyField(
                blank=True,
                help_text="Editors and contributors of this blog (see Membership).",
                related_name="liveblogs",
                through="liveblog.Membership",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.CreateModel(
            name="Profile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "display_name",
                    models.CharField(
                        blank=True,
                        help_text="As readers see it, e.g. Ana Petrosyan. Empty: your first and last name.",
                        max_length=200,
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        blank=True, help_text="Optional, e.g. Correspondent.", max_length=200
                    ),
                ),
                (
                    "location",
                    models.CharField(
                        blank=True,
                        help_text="Optional: where you report from, e.g. Yerevan (shown as “in Yerevan”).",
                        max_length=200,
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="byline_profile",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "byline",
            },
        ),
        migrations.CreateModel(
            name="Webhook",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("url", models.URLField(max_length=2000, verbose_name="URL")),
                (
                    "event_types",
                    models.JSONField(default=list, help_text="The event types it receives."),
                ),
                ("secret", models.CharField(editable=False, max_length=100)),
                (
                    "status",
                    models.CharField(
                        choices=[("active", "Active"), ("paused", "Paused")],
                        default="active",
                        max_length=10,
                    ),
                ),
                ("paused_reason", models.TextField(blank=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("delivered_seq", models.PositiveBigIntegerField(default=0, editable=False)),
                ("last_delivered_at", models.DateTimeField(blank=True, editable=False, null=True)),
                ("attempts", models.PositiveIntegerField(default=0, editable=False)),
                ("failing_since", models.DateTimeField(blank=True, editable=False, null=True)),
                (
                    "next_attempt_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
                ("last_error", models.TextField(blank=True, editable=False)),
                (
                    "blog",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="webhooks",
                        to="liveblog.blog",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["blog", "created_at"],
            },
        ),
        migrations.CreateModel(
            name="WebhookDelivery",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.PositiveBigIntegerField()),
                ("event_type", models.CharField(max_length=64)),
                ("message_id", models.CharField(max_length=64)),
                (
                    "attempt",
                    models.PositiveIntegerField(help_text="1 for the first try of this event."),
                ),
                ("attempted_at", models.DateTimeField()),
                ("duration_ms", models.PositiveIntegerField(verbose_name="duration (ms)")),
                ("status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
                (
                    "error",
                    models.TextField(blank=True, help_text="Empty when the event was delivered."),
                ),
                (
                    "webhook",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deliveries",
                        to="liveblog.webhook",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "webhook deliveries",
                "ordering": ["webhook", "-id"],
            },
        ),
        migrations.CreateModel(
            name="DeskEntry",
            fields=[
                ("id", models.UUIDField(editable=False, primary_key=True, serialize=False)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("scheduled", "Scheduled"),
                            ("submitted", "Submitted"),
                            ("returned", "Returned"),
                            ("published", "Published"),
                            ("cancelled", "Cancelled"),
                        ],
                        max_length=10,
                    ),
                ),
                ("headline", models.CharField(blank=True, max_length=300)),
                ("body", models.TextField()),
                ("body_html", models.TextField()),
                ("key_event", models.BooleanField(default=False)),
                ("pinned", models.BooleanField(default=False)),
                ("author_name", models.CharField(blank=True, max_length=200)),
                ("author_role", models.CharField(blank=True, max_length=200)),
                ("author_location", models.CharField(blank=True, max_length=200)),
                ("labels", models.JSONField(blank=True, default=list)),
                ("media", models.JSONField(blank=True, default=list)),
                ("embeds", models.JSONField(blank=True, default=list)),
                ("occurred_at", models.DateTimeField(blank=True, null=True)),
                ("publish_at", models.DateTimeField(blank=True, null=True)),
                ("note", models.TextField(blank=True)),
                ("written_by", models.CharField(max_length=150)),
                ("scheduled_by", models.CharField(blank=True, max_length=150)),
                ("decided_by", models.CharField(blank=True, max_length=150)),
                ("revision", models.PositiveIntegerField(default=1)),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
                ("last_seq", models.PositiveBigIntegerField()),
                (
                    "blog",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="desk_entries",
                        to="liveblog.blog",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "desk entries",
                "ordering": ["-updated_at"],
                "indexes": [
                    models.Index(fields=["blog", "status"], name="liveblog_deskentry_status"),
                    models.Index(fields=["status", "publish_at"], name="liveblog_deskentry_due"),
                ],
            },
        ),
        migrations.AddIndex(
            model_name="entry",
            index=models.Index(
                fields=["blog", "-occurred_at", "-published_seq"], name="liveblog_entry_feed"
            ),
        ),
        migrations.AddIndex(
            model_name="entrylabel",
            index=models.Index(fields=["blog", "name"], name="liveblog_entrylabel_name"),
        ),
        migrations.AddConstraint(
            model_name="entryrevision",
            constraint=models.UniqueConstraint(
                fields=("entry", "number"), name="liveblog_revision_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["blog", "entry_id"], name="liveblog_event_entry"),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.UniqueConstraint(
                fields=("blog", "seq"), name="liveblog_event_unique_seq"
            ),
        ),
        migrations.AddConstraint(
            model_name="event",
            constraint=models.CheckConstraint(
                condition=models.Q(("seq__gte", 1)), name="liveblog_event_seq_gte_1"
            ),
        ),
        migrations.AddIndex(
            model_name="media",
            index=models.Index(fields=["blog", "name"], name="liveblog_media_name"),
        ),
        migrations.AddIndex(
            model_name="mediause",
            index=models.Index(fields=["name"], name="liveblog_mediause_name"),
        ),
        migrations.AddIndex(
            model_name="mediause",
            index=models.Index(fields=["blog"], name="liveblog_mediause_blog"),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                fields=("blog", "user"), name="liveblog_membership_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="webhookdelivery",
            index=models.Index(fields=["webhook", "-id"], name="liveblog_webhook_log"),
        ),
        migrations.RunPython(install_append_only_triggers, remove_append_only_triggers),
        migrations.RunPython(create_editors_group, remove_editors_group),
    ]
