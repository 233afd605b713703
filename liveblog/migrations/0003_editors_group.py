"""Create the "Editors" group with exactly the permissions the editors' desk needs.

Editors read blogs, entries, revisions and the log in the admin and act on entries through
commands; they never change an event. Which blogs they may act on is decided by membership.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

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


def create_group(apps, schema_editor) -> None:
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


def remove_group(apps, schema_editor) -> None:
    apps.get_model("auth", "Group").objects.filter(name="Editors").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("liveblog", "0002_event_log_append_only"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
