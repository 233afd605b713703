from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db.migrations.recorder import MigrationRecorder

from liveblog.checks import check_migration_history

pytestmark = pytest.mark.django_db

# What editors may do, model by model: start and change blogs and entries; only read the
# revisions and the log (never change an event).
EDITORS_MAY = {
    "blog": ("view", "add", "change"),
    "entry": ("view", "add", "change"),
    "entryrevision": ("view",),
    "event": ("view",),
}


def test_the_editors_group_exists_after_migrate_with_exactly_its_permissions() -> None:
    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert codenames == {
        f"{action}_{model}" for model, actions in EDITORS_MAY.items() for action in actions
    }
    assert not any(code.endswith("_event") and not code.startswith("view") for code in codenames)


def _forget_applied(*names: str) -> None:
    """Make the history look as an older version left it: these migrations never ran."""
    MigrationRecorder.Migration.objects.filter(app="liveblog", name__in=names).delete()


def test_a_database_migrated_to_the_end_of_the_squashed_migrations_passes_the_check() -> None:
    # The test database was built by the squash, which records what it replaces as applied,
    # as a database migrated one step at a time to 0009 has them.
    assert check_migration_history(databases=["default"]) == []
    assert check_migration_history(databases=None) == []  # only when asked to look at data


def test_a_database_stopped_part_way_into_the_squash_is_refused_naming_the_way_out() -> None:
    _forget_applied("0001_squashed_0009_media_use", "0008_newsroom_desk", "0009_media_use")

    (error,) = check_migration_history(databases=["default"])

    assert error.id == "liveblog.E001" and error.is_serious()
    assert "migrated to 0007_webhook_subscribers_and_delivery_log" in error.msg
    assert "git checkout 1a6c3ce" in (error.hint or "")
    with pytest.raises(SystemCheckError, match=r"liveblog\.E001"):
        call_command("migrate", "--check", skip_checks=False, verbosity=0)


def test_a_database_without_liveblog_migrations_passes_the_check() -> None:
    MigrationRecorder.Migration.objects.filter(app="liveblog").delete()

    assert check_migration_history(databases=["default"]) == []
