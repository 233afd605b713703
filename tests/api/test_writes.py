"""Editors' writes: the admin's commands over HTTP, for members only, refused in JSON."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from rest_framework.test import APIClient

from liveblog import commands, selectors
from liveblog.api.serializers import EntrySerializer
from liveblog.errors import ConcurrentAppendError
from liveblog.models import Blog, Entry, Event
from tests.racing import hold_each_append, run_together

pytestmark = pytest.mark.django_db


def _url(entry: Entry, action: str = "") -> str:
    return f"/api/blogs/{entry.blog.slug}/entries/{entry.pk}/{action}{'/' if action else ''}"


def _csrf_token(client: APIClient) -> str:
    """The CSRF cookie a browser has after loading a page of the site (here the API docs)."""
    assert client.get("/api/docs/").status_code == 200
    return client.cookies["csrftoken"].value


def test_publishing_through_the_session_needs_the_csrf_token(
    session_client: APIClient, blog: Blog
) -> None:
    url = f"/api/blogs/{blog.slug}/entries/"
    refused = session_client.post(url, {"body": "Turnout is 61%."})
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert "CSRF" in refused.json()["message"]
    assert not Entry.objects.exists()

    response = session_client.post(
        url, {"body": "Turnout is 61%."}, HTTP_X_CSRFTOKEN=_csrf_token(session_client)
    )
    assert response.status_code == 201
    entry = Entry.objects.get()
    assert response["Location"] == f"http://testserver/api/blogs/{blog.slug}/entries/{entry.pk}/"
    assert response.json() == {
        **EntrySerializer.represent(entry),
        "revisions": [
            {
                "number": 1,
                "headline": "",
                "body": "Turnout is 61%.",
                "body_html": entry.body_html,
                "reason": "",
                "seq": entry.published_seq,
                "recorded_at": entry.published_at.isoformat(),
                "media": [],
                "embeds": [],
            }
        ],
        "warnings": [],
    }
    assert response["ETag"]
    assert entry.author == "editor"


def test_publishing_with_a_token_needs_no_csrf_and_takes_every_field(
    token_client: APIClient, blog: Blog
) -> None:
    token_client.handler.enforce_csrf_checks = True
    occurred = (timezone.now() - timedelta(minutes=5)).replace(microsecond=0)
    response = token_client.post(
        f"/api/blogs/{blog.slug}/entries/",
        {
            "body": "The count begins.",
            "headline": "Counting",
            "occurred_at": occurred.isoformat(),
            "key_event": True,
            "pinned": True,
        },
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["headline"], data["key_event"], data["pinned"]) == ("Counting", True, True)
    assert data["occurred_at"] == occurred.isoformat()
    assert Event.objects.filter(blog=blog).latest("seq").type == "entry.published"


def test_the_whole_life_of_an_entry(token_client: APIClient, entry: Entry) -> None:
    corrected = token_client.post(
        _url(entry, "correct"),
        {"body": "Polls close at 9pm.", "reason": "Wrong time", "based_on_revision": 1},
    )
    assert corrected.status_code == 200
    assert corrected.json()["revision"] == 2 and len(corrected.json()["revisions"]) == 2
    assert corrected.json()["headline"] == ""  # left out: kept

    assert token_client.post(_url(entry, "pin")).json()["pinned"] is True
    assert token_client.delete(_url(entry, "pin")).json()["pinned"] is False
    assert token_client.post(_url(entry, "key-event")).json()["key_event"] is True
    assert token_client.delete(_url(entry, "key-event")).json()["key_event"] is False

    retracted = token_client.post(_url(entry, "retract"), {"reason": "Duplicate"})
    assert retracted.status_code == 200
    assert retracted.json()["status"] == "retracted"
    assert retracted.json()["retraction_reason"] == "Duplicate"

    types = list(Event.objects.filter(entry_id=entry.pk).values_list("type", flat=True))
    assert types == [
        "entry.published",
        "entry.corrected",
        "entry.pinned",
        "entry.unpinned",
        "entry.marked_key_event",
        "entry.unmarked_key_event",
        "entry.retracted",
    ]
    assert set(Event.objects.filter(entry_id=entry.pk).values_list("actor", flat=True)) == {
        "editor"
    }


def test_a_stale_correction_is_409_with_the_entry_as_it_is_now(
    token_client: APIClient, entry: Entry
) -> None:
    commands.entry_correct(entry=entry, body="Polls close at 9pm.", reason="Time", actor="other")
    response = token_client.post(
        _url(entry, "correct"),
        {"body": "Polls close at 11pm.", "reason": "Time", "based_on_revision": 1},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "stale_revision" and "revision 2" in body["message"]
    assert body["current"]["revision"] == 2
    assert body["current"]["body"] == "Polls close at 9pm."
    assert len(body["current"]["revisions"]) == 2
    assert Entry.objects.get().revision == 2


def test_a_change_that_does_not_fit_the_state_is_409(token_client: APIClient, entry: Entry) -> None:
    commands.entry_pin(entry=entry, actor="editor")
    response = token_client.post(_url(entry, "pin"))
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert "already pinned" in response.json()["message"]

    same = token_client.post(
        _url(entry, "correct"),
        {"body": entry.body, "reason": "No change", "based_on_revision": 1},
    )
    assert same.status_code == 409 and list(same.json()["errors"]) == ["body"]


def test_invalid_input_is_400_with_errors_per_field(token_client: APIClient, entry: Entry) -> None:
    response = token_client.post(_url(entry, "correct"), {"body": "", "based_on_revision": "two"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"body", "reason", "based_on_revision"}
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)
    assert "body" in body["message"]

    naive = token_client.post(
        f"/api/blogs/{entry.blog.slug}/entries/", {"body": "x", "occurred_at": "2024-05-01T10:00"}
    )
    assert naive.status_code == 400
    assert "UTC offset" in naive.json()["errors"]["occurred_at"][0]


def test_the_domain_refusing_input_is_400_on_the_field(token_client: APIClient, blog: Blog) -> None:
    future = (timezone.now() + timedelta(days=1)).isoformat()
    response = token_client.post(
        f"/api/blogs/{blog.slug}/entries/", {"body": "Tomorrow", "occurred_at": future}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "future" in response.json()["errors"]["occurred_at"][0]
    control = token_client.post(f"/api/blogs/{blog.slug}/entries/", {"body": "bell\x07"})
    assert control.status_code == 400 and "control character" in control.json()["message"]


def test_malformed_json_is_a_400_in_the_same_shape(token_client: APIClient, blog: Blog) -> None:
    response = token_client.post(
        f"/api/blogs/{blog.slug}/entries/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error" and response.json()["errors"] == {}


def test_writing_without_credentials_is_401_with_a_challenge(anon: APIClient, entry: Entry) -> None:
    for response in (
        anon.post(f"/api/blogs/{entry.blog.slug}/entries/", {"body": "x"}),
        anon.post(_url(entry, "pin")),
        anon.delete(_url(entry, "key-event")),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
        assert response.json()["code"] == "not_authenticated"


def test_non_members_may_not_write(outsider_client: APIClient, entry: Entry, draft: Blog) -> None:
    response = outsider_client.post(_url(entry, "pin"))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "member" in response.json()["message"]
    # A draft they cannot see is not theirs to learn about: 404, not 403.
    hidden = outsider_client.post(f"/api/blogs/{draft.slug}/entries/", {"body": "x"})
    assert hidden.status_code == 404
    assert Entry.objects.count() == 1


def test_superusers_write_to_any_blog(django_user_model, entry: Entry) -> None:
    admin = django_user_model.objects.create_superuser(username="chief", password="x" * 12)
    client = APIClient()
    client.force_authenticate(admin)
    assert client.post(_url(entry, "pin")).status_code == 200


def test_an_entry_of_another_blog_is_404(
    token_client: APIClient, entry: Entry, draft: Blog
) -> None:
    response = token_client.post(f"/api/blogs/{draft.slug}/entries/{entry.pk}/pin/")
    assert response.status_code == 404


def _failing(error: Exception) -> Callable[..., None]:
    """A stand-in for a command or selector that fails with ``error``."""

    def fail(**kwargs: object) -> None:
        raise error

    return fail


def _pin_while_the_command_raises(
    client: APIClient, entry: Entry, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> Any:
    """The API's answer to a pin when ``commands.entry_pin`` fails with ``error``."""
    monkeypatch.setattr(commands, "entry_pin", _failing(error))
    return client.post(_url(entry, "pin"))


def test_a_write_that_keeps_colliding_is_503_with_retry_after(
    token_client: APIClient, entry: Entry, monkeypatch: pytest.MonkeyPatch
) -> None:
    collision = ConcurrentAppendError("Another editor was writing; please try again.")
    response = _pin_while_the_command_raises(token_client, entry, monkeypatch, collision)
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert response.json()["code"] == "conflict"


def test_a_method_the_endpoint_lacks_is_405_in_the_same_shape(
    token_client: APIClient, entry: Entry
) -> None:
    response = token_client.put(_url(entry), {"body": "x"})
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_database_outage_is_503_and_says_whether_anything_was_saved(
    token_client: APIClient, entry: Entry, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import OperationalError

    outage = OperationalError("could not connect to server")
    write = _pin_while_the_command_raises(token_client, entry, monkeypatch, outage)
    assert write.status_code == 503 and write["Retry-After"]
    assert write.json()["code"] == "unavailable"
    assert "nothing was saved" in write.json()["message"]

    monkeypatch.setattr(selectors, "entry_get", _failing(outage))
    read = token_client.get(_url(entry))
    assert read.status_code == 503 and "saved" not in read.json()["message"]


def test_the_api_writes_by_the_desk_rule_staff_editors_who_are_members(blog, editor) -> None:
    from liveblog.api.tokens import token_create

    _, key = token_create(user=editor, name="bot")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    url = f"/api/blogs/{blog.slug}/entries/"
    assert api.post(url, {"body": "as an editor"}, format="json").status_code == 201
    editor.groups.clear()  # no longer in the Editors group
    assert api.post(url, {"body": "without the permission"}, format="json").status_code == 403
    editor.groups.add(Group.objects.get(name="Editors"))
    editor.is_staff = False  # demoted: the token stops writing too
    editor.save()
    assert api.post(url, {"body": "after demotion"}, format="json").status_code == 403
    assert Entry.objects.filter(blog=blog).count() == 1


def test_resending_a_publish_with_its_entry_id_does_not_publish_twice(blog, editor) -> None:
    from liveblog.api.tokens import token_create

    _, key = token_create(user=editor, name="bot")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    url = f"/api/blogs/{blog.slug}/entries/"
    entry_id = str(uuid.uuid4())
    first = api.post(url, {"entry_id": entry_id, "body": "Once"}, format="json")
    again = api.post(url, {"entry_id": entry_id, "body": "Once"}, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] == entry_id
    other = api.post(url, {"entry_id": entry_id, "body": "Different text"}, format="json")
    assert other.status_code == 409
    assert Event.objects.filter(entry_id=entry_id).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_identical_publishes_at_the_same_moment_are_answered_201_and_200(
    blog, editor, monkeypatch
) -> None:
    hold_each_append(monkeypatch)
    url = f"/api/blogs/{blog.slug}/entries/"
    entry_id = str(uuid.uuid4())

    def publish() -> tuple[int, str]:
        api = APIClient()
        api.force_authenticate(editor)
        response = api.post(url, {"entry_id": entry_id, "body": "Sent twice"}, format="json")
        return response.status_code, response.json()["id"]

    answers = run_together([publish, publish])
    assert sorted(answers) == [(200, entry_id), (201, entry_id)]
    assert Event.objects.filter(entry_id=entry_id).count() == 1
