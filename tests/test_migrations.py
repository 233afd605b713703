from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

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


@pytest.mark.django_db(transaction=True)
def test_members_from_before_roles_become_editors_of_their_blogs() -> None:
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before, after = (
        [("liveblog", "0007_webhook_subscribers_and_delivery_log")],
        [("liveblog", "0008_newsroom_desk")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    user = old.get_model("auth", "User").objects.create(username="veteran", is_staff=True)
    blog = old.get_model("liveblog", "Blog").objects.create(slug="old", title="Old")
    blog.members.add(user)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(after)
    new = executor.loader.project_state(after).apps
    memberships = new.get_model("liveblog", "Membership").objects.values_list(
        "blog__slug", "user__username", "role"
    )
    assert list(memberships) == [("old", "veteran", "editor")]
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
