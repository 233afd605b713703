"""Admin fixtures: an editor signed in to the desk, an outsider, and an entry."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from liveblog import commands
from liveblog.models import Blog, Entry


@pytest.fixture
def editors_group() -> Group:
    return Group.objects.get(name="Editors")


@pytest.fixture
def desk_client(client: Client, editor, editors_group: Group) -> Client:
    editor.groups.add(editors_group)
    client.force_login(editor)
    return client


@pytest.fixture
def outsider(django_user_model, editors_group: Group):
    """A staff editor in the Editors group who is not a member of the fixture blog."""
    user = django_user_model.objects.create_user(username="outsider", is_staff=True)
    user.groups.add(editors_group)
    return user


@pytest.fixture
def entry(blog: Blog) -> Entry:
    return commands.entry_publish(blog=blog, body="Turnout is 60%.", actor="alice")


@pytest.fixture
def contributor(django_user_model, editors_group: Group, blog: Blog):
    """A field reporter: a contributor of the fixture blog, in the Editors group as many are."""
    user = django_user_model.objects.create_user(
        username="ana", first_name="Ana", last_name="Petrosyan", is_staff=True
    )
    user.groups.add(editors_group)
    blog.members.add(user, through_defaults={"role": "contributor"})
    return user


@pytest.fixture
def contributor_client(contributor) -> Client:
    client = Client()
    client.force_login(contributor)
    return client
