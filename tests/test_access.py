"""Who may write to a blog: one rule, and the desk and the API both follow it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from liveblog import access
from liveblog.models import Blog, Entry
from tests.conftest import editors_group

pytestmark = pytest.mark.django_db


def _user(django_user_model: Any, blog: Blog, **kind: bool) -> Any:
    """A user of one kind: ``member``, ``editor`` (in the Editors group), staff, active."""
    member, editor = kind.pop("member", False), kind.pop("editor", False)
    user = django_user_model.objects.create_user(username="someone", password="x" * 12, **kind)
    if editor:
        user.groups.add(editors_group())
    if member:
        blog.members.add(user)
    return user


#: Kinds of users: (how they are made, whether they are a member, whether they may write).
KINDS: dict[str, tuple[dict[str, bool], bool, bool]] = {
    "a staff member in the Editors group": (
        {"member": True, "editor": True, "is_staff": True},
        True,
        True,
    ),
    "a staff editor of other blogs": ({"editor": True, "is_staff": True}, False, False),
    "a staff member without the Editors permissions": (
        {"member": True, "is_staff": True},
        True,
        False,
    ),
    "a member who is no longer staff": ({"member": True, "editor": True}, False, False),
    "a deactivated member": (
        {"member": True, "editor": True, "is_staff": True, "is_active": False},
        False,
        False,
    ),
    "a superuser": ({"is_superuser": True, "is_staff": True}, True, True),
    "a deactivated superuser": ({"is_superuser": True, "is_active": False}, False, False),
}


@pytest.mark.parametrize("kind", KINDS)
def test_members_with_the_permission_may_write(
    kind: str, blog: Blog, django_user_model: Any
) -> None:
    attributes, member, writes = KINDS[kind]
    user = _user(django_user_model, blog, **attributes)
    assert access.is_member(user, blog) is member
    assert access.member_blogs(user).filter(pk=blog.pk).exists() is member
    for action in access.Action:
        if action is not access.Action.REVISE:  # asked about one unpublished update
            assert access.may(user, blog, action) is writes, action


def test_nobody_signed_in_may_do_anything(blog: Blog) -> None:
    for user in (None, AnonymousUser()):
        assert not access.is_member(user, blog)
        assert not any(access.may(user, blog, action) for action in access.Action)
        assert not access.member_blogs(user).exists()


def _desk_publishes(user: Any, blog: Blog) -> bool:
    client = Client()
    client.force_login(user)
    desk = reverse("admin:liveblog_blog_desk", args=[blog.pk])
    client.post(desk, {"entry_id": "1f0c3c5e-8d7e-4f63-9a53-0f5cf1a9e001", "body": "From the desk"})
    return Entry.objects.filter(body="From the desk").exists()


def _api_publishes(user: Any, blog: Blog) -> bool:
    client = APIClient()
    client.force_authenticate(user)
    client.post(f"/api/blogs/{blog.slug}/entries/", {"body": "From the API"}, format="json")
    return Entry.objects.filter(body="From the API").exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("publishes", [_desk_publishes, _api_publishes])
def test_the_desk_and_the_api_follow_the_rule(
    kind: str, publishes: Callable[[Any, Blog], bool], blog: Blog, django_user_model: Any
) -> None:
    attributes, _, writes = KINDS[kind]
    user = _user(django_user_model, blog, **attributes)
    assert publishes(user, blog) is writes


# --- Roles: editors publish, contributors submit ---------------------------------------


@pytest.fixture
def contributor(django_user_model: Any, blog: Blog) -> Any:
    user = django_user_model.objects.create_user(username="ana", is_staff=True)
    user.groups.add(editors_group())
    blog.members.add(user, through_defaults={"role": "contributor"})
    return user


def test_a_contributor_submits_and_changes_only_their_own_waiting_updates(
    contributor: Any, editor: Any, blog: Blog
) -> None:
    from liveblog import commands
    from liveblog.models import DeskEntry

    assert access.role_of(contributor, blog) is access.Role.CONTRIBUTOR
    assert access.role_of(editor, blog) is access.Role.EDITOR
    allowed = {action for action in access.Action if access.may(contributor, blog, action)}
    assert allowed == {access.Action.SUBMIT}
    writing = commands.Writing(body="From the field")
    mine = commands.desk_write(blog=blog, actor="ana", writing=writing, status="submitted").entry
    theirs = commands.desk_write(blog=blog, actor="editor", writing=writing, status="draft").entry
    assert access.may(contributor, blog, access.Action.REVISE, item=mine)
    assert not access.may(contributor, blog, access.Action.REVISE, item=theirs)
    assert access.may(editor, blog, access.Action.REVISE, item=mine)
    commands.desk_publish(entry=mine, actor="editor")
    mine = DeskEntry.objects.get(pk=mine.pk)
    assert not access.may(contributor, blog, access.Action.REVISE, item=mine)  # it is out
    assert not access.may(editor, blog, access.Action.REVISE, item=mine)


def test_a_contributor_never_publishes_from_the_desk_it_submits(
    contributor: Any, blog: Blog
) -> None:
    from liveblog.models import DeskEntry

    assert not _desk_publishes(contributor, blog)
    assert not _api_publishes(contributor, blog)
    assert set(DeskEntry.objects.values_list("body", "status")) == {
        ("From the desk", "submitted"),
        ("From the API", "submitted"),
    }
    assert not Entry.objects.exists()


def test_who_may_start_a_blog(blog: Blog, django_user_model: Any) -> None:
    def staff(name: str, **kind: Any) -> Any:
        user = django_user_model.objects.create_user(username=name, is_staff=True, **kind)
        user.groups.add(editors_group())
        return user

    newcomer, field, both = staff("newcomer"), staff("field"), staff("both")
    blog.members.add(field, through_defaults={"role": "contributor"})
    blog.members.add(both, through_defaults={"role": "contributor"})
    other = Blog.objects.create(slug="storm", title="Storm", last_seq=0)
    other.members.add(both, through_defaults={"role": "editor"})
    without_permission = django_user_model.objects.create_user(username="plain", is_staff=True)
    root = django_user_model.objects.create_user(username="root", is_staff=True, is_superuser=True)
    blog.members.add(root, through_defaults={"role": "contributor"})

    assert access.may_start_blog(newcomer) and access.may_start_blog(both)
    assert access.may_start_blog(root)
    assert not access.may_start_blog(field) and access.is_contributor(field)
    assert not access.may_start_blog(without_permission)
    assert not access.may_start_blog(None) and not access.may_start_blog(AnonymousUser())
    assert list(access.editor_blogs(both)) == [other]
    assert not access.editor_blogs(field).exists()
    assert set(access.editor_blogs(root)) == {blog, other}
