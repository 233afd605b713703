"""The newsroom over the API: drafts, schedules, submissions and approval, bylines, labels
and members, with the URLs and shapes issue 15 gives as contracts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from liveblog import schedule
from liveblog.api import tokens
from liveblog.models import Blog, DeskEntry, Entry, Event, Membership, Profile
from tests.conftest import editors_group

pytestmark = pytest.mark.django_db


@pytest.fixture
def contributor(django_user_model: Any, blog: Blog) -> Any:
    user = django_user_model.objects.create_user(
        username="ana", first_name="Ana", last_name="Petrosyan", is_staff=True
    )
    user.groups.add(editors_group())
    Profile.objects.create(user=user, role="Correspondent", location="Yerevan")
    blog.members.add(user, through_defaults={"role": "contributor"})
    return user


def _client(user: Any) -> APIClient:
    client = APIClient()
    _, key = tokens.token_create(user=user, name="tool")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def contributor_client(contributor: Any) -> APIClient:
    return _client(contributor)


def _entries(blog: Blog) -> str:
    return f"/api/blogs/{blog.slug}/entries/"


def _later(minutes: int = 30) -> str:
    return (timezone.now() + timedelta(minutes=minutes)).isoformat()


def test_an_editor_saves_a_draft_and_publishes_it(token_client: APIClient, blog: Blog) -> None:
    saved = token_client.post(
        _entries(blog), {"body": "Counting starts", "draft": True}, format="json"
    )
    assert saved.status_code == 201, saved.json()
    draft = saved.json()
    assert (draft["status"], draft["body"]) == ("draft", "Counting starts")
    assert saved["Location"].endswith(f"/entries/{draft['id']}/")
    assert token_client.get(_entries(blog)).json()["results"] == []
    listed = token_client.get(_entries(blog), {"status": "draft"}).json()["results"]
    assert [item["id"] for item in listed] == [draft["id"]]

    published = token_client.post(f"{_entries(blog)}{draft['id']}/publish/")
    assert published.status_code == 201
    assert (published.json()["id"], published.json()["status"]) == (draft["id"], "published")
    again = token_client.post(f"{_entries(blog)}{draft['id']}/publish/")
    assert again.status_code == 200
    assert token_client.get(_entries(blog), {"status": "draft"}).json()["results"] == []


def test_an_update_with_publish_at_is_scheduled_and_can_be_moved(
    token_client: APIClient, blog: Blog
) -> None:
    answer = token_client.post(
        _entries(blog), {"body": "Embargo lifts", "publish_at": _later()}, format="json"
    )
    assert answer.status_code == 201
    scheduled = answer.json()
    assert scheduled["status"] == "scheduled" and scheduled["publish_at"]
    url = f"{_entries(blog)}{scheduled['id']}/"
    moved = token_client.patch(
        url, {"publish_at": _later(60), "body": "Embargo lifts at 3"}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    assert (moved.json()["status"], moved.json()["body"]) == ("scheduled", "Embargo lifts at 3")
    assert moved.json()["revision"] == 2
    refused = token_client.patch(url, {"publish_at": "2024-01-01T10:00:00"}, format="json")
    assert refused.status_code == 400 and "publish_at" in refused.json()["errors"]
    cancelled = token_client.delete(url)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert schedule.publish_due(timezone.now() + timedelta(hours=2)) == 0
    assert not Entry.objects.exists()
    assert Event.objects.filter(blog=blog, type="desk.cancelled").count() == 1


def test_a_contributor_s_post_is_submitted_whatever_it_asks_for(
    contributor_client: APIClient, token_client: APIClient, blog: Blog
) -> None:
    for extra in ({}, {"draft": True}, {"publish_at": _later()}):
        answer = contributor_client.post(
            _entries(blog), {"body": "From Goris", **extra}, format="json"
        )
        assert answer.status_code == 201
        assert answer.json()["status"] == "submitted"
        assert answer.json()["author"] == {
            "name": "Ana Petrosyan",
            "role": "Correspondent",
            "location": "Yerevan",
        }
    assert not Entry.objects.exists()
    queue = token_client.get(_entries(blog), {"status": "submitted"}).json()["results"]
    assert len(queue) == 3 and {item["written_by"] for item in queue} == {"ana"}


def test_a_contributor_never_publishes_through_the_api(
    contributor_client: APIClient, blog: Blog
) -> None:
    submitted = contributor_client.post(_entries(blog), {"body": "From Goris"}, format="json")
    item = submitted.json()
    url = f"{_entries(blog)}{item['id']}/"
    assert contributor_client.post(f"{url}publish/").status_code == 403
    assert contributor_client.post(f"{url}return/", {"note": "x"}, format="json").status_code == 403
    reschedule = contributor_client.patch(url, {"publish_at": _later()}, format="json")
    assert reschedule.status_code == 403
    assert (
        contributor_client.put(
            f"/api/blogs/{blog.slug}/labels/", {"labels": []}, format="json"
        ).status_code
        == 403
    )
    assert contributor_client.get(f"/api/blogs/{blog.slug}/members/").status_code == 403
    assert not Entry.objects.exists()
    assert not Event.objects.filter(type="entry.published").exists()


def test_approval_with_a_return_and_an_edit(
    contributor_client: APIClient, token_client: APIClient, blog: Blog
) -> None:
    item = contributor_client.post(
        _entries(blog), {"body": "Shelling near Goris"}, format="json"
    ).json()
    url = f"{_entries(blog)}{item['id']}/"
    returned = token_client.post(f"{url}return/", {"note": "Which village?"}, format="json")
    assert returned.status_code == 200
    assert (returned.json()["status"], returned.json()["note"]) == ("returned", "Which village?")
    seen = contributor_client.get(url).json()
    assert (seen["status"], seen["note"]) == ("returned", "Which village?")
    resent = contributor_client.patch(url, {"body": "Shelling near Goris, in Tegh"}, format="json")
    assert resent.json()["status"] == "submitted"
    edited = token_client.patch(url, {"headline": "Tegh", "based_on_revision": 2}, format="json")
    assert edited.status_code == 200 and edited.json()["headline"] == "Tegh"
    stale = token_client.patch(url, {"headline": "Old", "based_on_revision": 2}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["revision"] == 3
    approved = token_client.post(f"{url}publish/")
    assert approved.status_code == 201
    entry = approved.json()
    assert (entry["headline"], entry["body"]) == ("Tegh", "Shelling near Goris, in Tegh")
    assert entry["author"] == {
        "name": "Ana Petrosyan",
        "role": "Correspondent",
        "location": "Yerevan",
    }
    # The contributor sees the outcome; the public sees the entry.
    assert contributor_client.get(url).json()["status"] == "published"
    assert APIClient().get(url).json()["author"]["name"] == "Ana Petrosyan"
    log = Event.objects.filter(entry_id=item["id"]).values_list("type", "actor")
    assert list(log) == [
        ("desk.submitted", "ana"),
        ("desk.returned", "editor"),
        ("desk.submitted", "ana"),
        ("desk.revised", "editor"),
        ("desk.published", "editor"),
        ("entry.published", "editor"),
    ]


def test_unpublished_updates_are_for_members_only(
    anon: APIClient, outsider_client: APIClient, token_client: APIClient, blog: Blog
) -> None:
    draft = token_client.post(
        _entries(blog), {"body": "Secret", "draft": True}, format="json"
    ).json()
    assert anon.get(_entries(blog), {"status": "draft"}).status_code == 401
    assert outsider_client.get(_entries(blog), {"status": "draft"}).status_code == 403
    assert anon.get(f"{_entries(blog)}{draft['id']}/").status_code == 404
    assert outsider_client.get(f"{_entries(blog)}{draft['id']}/").status_code == 404
    assert outsider_client.delete(f"{_entries(blog)}{draft['id']}/").status_code == 403
    assert token_client.get(f"{_entries(blog)}{draft['id']}/").json()["status"] == "draft"


def test_a_contributor_sees_and_changes_only_their_own(
    contributor_client: APIClient, token_client: APIClient, blog: Blog
) -> None:
    draft = token_client.post(
        _entries(blog), {"body": "Editors only", "draft": True}, format="json"
    ).json()
    assert contributor_client.get(_entries(blog), {"status": "draft"}).json()["results"] == []
    assert contributor_client.get(f"{_entries(blog)}{draft['id']}/").status_code == 404
    mine = contributor_client.post(_entries(blog), {"body": "Mine"}, format="json").json()
    withdrawn = contributor_client.delete(f"{_entries(blog)}{mine['id']}/")
    assert withdrawn.json()["status"] == "cancelled"


def test_every_entry_has_an_author_and_an_override_names_the_agency(
    token_client: APIClient, editor: Any, blog: Blog
) -> None:
    editor.first_name, editor.last_name = "Lilit", "Hakobyan"
    editor.save()
    own = token_client.post(_entries(blog), {"body": "Mine"}, format="json").json()
    agency = token_client.post(
        _entries(blog), {"body": "Wire copy", "author": {"name": "Reuters"}}, format="json"
    ).json()
    assert own["author"] == {"name": "Lilit Hakobyan", "role": "", "location": ""}
    assert agency["author"] == {"name": "Reuters", "role": "", "location": ""}
    listed = APIClient().get(_entries(blog)).json()["results"]
    assert all(set(item["author"]) == {"name", "role", "location"} for item in listed)
    assert "editor" not in str([item["author"] for item in listed])  # never the login


def test_a_user_without_a_name_publishes_updates_that_name_nobody(
    token_client: APIClient, blog: Blog
) -> None:
    entry = token_client.post(_entries(blog), {"body": "Anonymous desk"}, format="json").json()
    assert entry["author"] == {"name": "", "role": "", "location": ""}


def test_labels_are_set_shown_and_filtered(
    token_client: APIClient, anon: APIClient, blog: Blog
) -> None:
    assert anon.get(f"/api/blogs/{blog.slug}/").json()["labels"] == [
        "Breaking",
        "Analysis",
        "Fact check",
        "Official",
    ]
    tagged = token_client.post(
        _entries(blog), {"body": "Big", "labels": ["Breaking"]}, format="json"
    ).json()
    token_client.post(_entries(blog), {"body": "Small"}, format="json")
    assert tagged["labels"] == ["Breaking"]
    found = anon.get(_entries(blog), {"label": "breaking"}).json()["results"]
    assert [item["id"] for item in found] == [tagged["id"]]
    changed = token_client.put(
        f"{_entries(blog)}{tagged['id']}/labels/", {"labels": ["Analysis"]}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["labels"] == ["Analysis"]
    assert anon.get(_entries(blog), {"label": "Breaking"}).json()["results"] == []
    unknown = token_client.post(_entries(blog), {"body": "x", "labels": ["Rumour"]}, format="json")
    assert unknown.status_code == 400 and "labels" in unknown.json()["errors"]
    chosen = token_client.put(
        f"/api/blogs/{blog.slug}/labels/", {"labels": ["Rumour"]}, format="json"
    )
    assert chosen.status_code == 200 and chosen.json()["labels"] == ["Rumour"]


def test_members_are_listed_added_and_removed_by_editors(
    token_client: APIClient, anon: APIClient, outsider: Any, outsider_client: APIClient, blog: Blog
) -> None:
    url = f"/api/blogs/{blog.slug}/members/"
    assert token_client.get(url).json() == [{"username": "editor", "role": "editor"}]
    assert anon.get(url).status_code == 401
    assert outsider_client.get(url).status_code == 403
    added = token_client.post(url, {"username": "outsider", "role": "contributor"}, format="json")
    assert added.status_code == 201 and added.json() == {
        "username": "outsider",
        "role": "contributor",
    }
    again = token_client.post(url, {"username": "outsider", "role": "editor"}, format="json")
    assert again.status_code == 200
    assert Membership.objects.get(blog=blog, user=outsider).role == "editor"
    unknown = token_client.post(url, {"username": "ghost", "role": "editor"}, format="json")
    assert unknown.status_code == 400 and "username" in unknown.json()["errors"]
    bad = token_client.post(url, {"username": "outsider", "role": "owner"}, format="json")
    assert bad.status_code == 400
    assert token_client.delete(f"{url}outsider/").status_code == 204
    assert token_client.delete(f"{url}outsider/").status_code == 404
    last = token_client.delete(f"{url}editor/")
    assert last.status_code == 409 and "last editor" in last.json()["message"]
    assert not Event.objects.filter(blog=blog, type__startswith="member").exists()


def test_a_published_entry_is_changed_by_correcting_it(
    token_client: APIClient, entry: Entry
) -> None:
    url = f"/api/blogs/{entry.blog.slug}/entries/{entry.pk}/"
    assert token_client.patch(url, {"body": "x"}, format="json").status_code == 409
    assert token_client.delete(url).status_code == 409


def test_a_resent_draft_is_saved_once(token_client: APIClient, blog: Blog) -> None:
    body = {"entry_id": "3f1e0d2c-1b2a-4c3d-8e9f-0a1b2c3d4e5f", "body": "Once", "draft": True}
    assert token_client.post(_entries(blog), body, format="json").status_code == 201
    assert token_client.post(_entries(blog), body, format="json").status_code == 200
    assert DeskEntry.objects.count() == 1


def test_a_scheduled_update_is_published_by_the_schedule(
    token_client: APIClient, blog: Blog
) -> None:
    item = token_client.post(
        _entries(blog), {"body": "At noon", "publish_at": _later(1)}, format="json"
    ).json()
    assert schedule.publish_due(timezone.now() + timedelta(minutes=2)) == 1
    entry = APIClient().get(f"{_entries(blog)}{item['id']}/").json()
    assert entry["status"] == "published" and entry["body"] == "At noon"
