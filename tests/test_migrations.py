from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

pytestmark = pytest.mark.django_db


def test_the_editors_group_exists_after_migrate_with_exactly_its_permissions() -> None:
    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert codenames == {
        "view_blog",
        "add_blog",
        "change_blog",
        "view_entry",
        "add_entry",
        "change_entry",
        "view_entryrevision",
        "view_event",
    }
    assert not any(code.endswith("_event") and not code.startswith("view") for code in codenames)
