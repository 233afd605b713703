"""Reading blogs, entries and the log: who sees what, in which order, page by page."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone
from django.utils.http import http_date
from rest_framework.test import APIClient

from liveblog import caching, commands, selectors
from liveblog.api import conditional
from liveblog.api.serializers import BlogSerializer, EntrySerializer, EventSerializer
from liveblog.models import Blog, Entry

pytestmark = pytest.mark.django_db


def test_anonymous_readers_see_live_and_closed_blogs_but_not_drafts(
    anon: APIClient, blog: Blog, draft: Blog
) -> None:
    closed = commands.blog_close(
        blog=commands.blog_open(
            blog=commands.blog_create(slug="archive", title="Archive", actor="editor"),
            actor="editor",
        ),
        actor="editor",
    )
    response = anon.get("/api/blogs/")
    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["results"]] == [closed.slug, blog.slug]
    assert response.json()["results"][1] == BlogSerializer.represent(blog)
    assert anon.get(f"/api/blogs/{draft.slug}/").status_code == 404
    assert anon.get(f"/api/blogs/{draft.slug}/entries/").status_code == 404
    assert anon.get(f"/api/blogs/{draft.slug}/events/").status_code == 404
    live = anon.get("/api/blogs/?status=live").json()["results"]
    assert [item["slug"] for item in live] == [blog.slug]


def test_members_see_their_drafts_and_others_do_not(
    token_client: APIClient, outsider_client: APIClient, draft: Blog
) -> None:
    assert token_client.get(f"/api/blogs/{draft.slug}/").json()["status"] == "draft"
    assert draft.slug in [b["slug"] for b in token_client.get("/api/blogs/").json()["results"]]
    assert outsider_client.get(f"/api/blogs/{draft.slug}/").status_code == 404
    assert draft.slug not in [
        b["slug"] for b in outsider_client.get("/api/blogs/").json()["results"]
    ]


@pytest.mark.parametrize("lost", ["is_staff", "is_active"])
def test_a_member_who_is_no_longer_active_staff_reads_no_drafts(
    client, session_client: APIClient, editor, draft: Blog, lost: str
) -> None:
    commands.entry_publish(blog=draft, body="Embargoed until noon.", actor="editor")
    urls = [f"/api/blogs/{draft.slug}/{path}" for path in ("", "entries/", "events/")]
    assert all(session_client.get(url).status_code == 200 for url in urls)
    setattr(editor, lost, False)
    editor.save()
    client.force_login(editor)  # still signed in (a session), still a member
    readers = (APIClient(), client)
    readers[0].force_authenticate(editor)  # or a tool acting for them
    for reader in readers:
        for url in urls:
            assert reader.get(url).status_code == 404, (url, lost)
        listed = reader.get("/api/blogs/").json()["results"]
        assert draft.slug not in [item["slug"] for item in listed]
        assert reader.get(f"/blogs/{draft.slug}/").status_code == 404


def test_entries_come_newest_first_a_cursor_page_at_a_time(anon: APIClient, blog: Blog) -> None:
    start = timezone.now() - timedelta(hours=1)
    for minute in range(5):
        commands.entry_publish(
            blog=blog,
            body=f"Update {minute}",
            actor="editor",
            occurred_at=start + timedelta(minutes=minute),
        )
    # Published late but dated earliest: ordered by newsroom time, not by publication.
    commands.entry_publish(
        blog=blog, body="Backfilled", actor="editor", occurred_at=start - timedelta(minutes=1)
    )

    seen: list[str] = []
    url: str | None = f"/api/blogs/{blog.slug}/entries/?limit=2"
    pages = 0
    while url:
        page = anon.get(url).json()
        seen += [item["body"] for item in page["results"]]
        url = page["next"]
        pages += 1
    assert pages == 3
    assert seen == ["Update 4", "Update 3", "Update 2", "Update 1", "Update 0", "Backfilled"]

    first = anon.get(f"/api/blogs/{blog.slug}/entries/?limit=2").json()
    second = anon.get(first["next"]).json()
    back = anon.get(second["previous"]).json()
    assert back["results"] == first["results"]
    assert first["results"][0] == EntrySerializer.represent(Entry.objects.get(body="Update 4"))


@pytest.mark.parametrize(
    "query",
    [
        "cursor=not-a-cursor",
        # A well-formed cursor whose position is not a time would reach the database.
        "cursor=cD1ub3QtYS1kYXRl",  # base64 of "p=not-a-date"
        "cursor=cD0yMDI0LTAxLTAxIDEwOjAwOjAw",  # "p=2024-01-01 10:00:00": no offset
        "limit=0",
        "limit=many",
    ],
)
def test_bad_paging_parameters_are_400_on_the_parameter(
    anon: APIClient, blog: Blog, entry: Entry, query: str
) -> None:
    response = anon.get(f"/api/blogs/{blog.slug}/entries/?{query}")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {query.split("=")[0]}


def test_an_entry_shows_every_revision(anon: APIClient, entry: Entry) -> None:
    commands.entry_correct(
        entry=entry, body="Polls close at **9pm**.", reason="Wrong time", actor="editor"
    )
    response = anon.get(f"/api/blogs/{entry.blog.slug}/entries/{entry.pk}/")
    data = response.json()
    assert response.status_code == 200
    assert data["revision"] == 2 and data["correction_reason"] == "Wrong time"
    assert [(r["number"], r["body"], r["reason"]) for r in data["revisions"]] == [
        (1, "Polls close at **10pm**.", ""),
        (2, "Polls close at **9pm**.", "Wrong time"),
    ]
    entry.refresh_from_db()
    assert {k: v for k, v in data.items() if k != "revisions"} == EntrySerializer.represent(entry)


def test_the_log_reads_after_a_seq_in_order_and_pages_with_next(
    anon: APIClient, blog: Blog, entry: Entry
) -> None:
    commands.entry_pin(entry=entry, actor="editor")
    commands.entry_mark_key_event(entry=entry, actor="editor")
    everything = anon.get(f"/api/blogs/{blog.slug}/events/").json()
    assert [e["seq"] for e in everything["results"]] == [1, 2, 3, 4, 5]
    assert everything["next"] is None  # the open page: the next events go here
    assert everything["results"] == EventSerializer.represent_many(
        list(selectors.events_after(blog, 0))
    )
    assert everything["results"][2]["entry"]["pinned"] is True  # the entry as it is now

    # Pages of two end on multiples of two: 3-4 is closed, 5-6 open.
    page = anon.get(f"/api/blogs/{blog.slug}/events/?after=2&limit=2").json()
    assert [e["type"] for e in page["results"]] == ["entry.published", "entry.pinned"]
    assert [e["entry_id"] for e in page["results"]] == [str(entry.pk)] * 2
    rest = anon.get(page["next"]).json()
    assert page["next"].endswith(f"/api/blogs/{blog.slug}/events/?after=4&limit=2")
    assert [e["seq"] for e in rest["results"]] == [5] and rest["next"] is None
    entry.refresh_from_db()
    assert rest["results"][0]["entry"] == EntrySerializer.represent(entry)
    assert anon.get(f"/api/blogs/{blog.slug}/events/?after=5").json()["results"] == []


def test_a_closed_page_holds_what_each_event_is_and_no_entry(
    anon: APIClient, blog: Blog, entry: Entry
) -> None:
    commands.entry_correct(entry=entry, body="Polls close at 9pm.", reason="Time", actor="e")
    page = anon.get(f"/api/blogs/{blog.slug}/events/?after=0&limit=4")
    events = list(selectors.events_after(blog, 0))
    assert page.json() == {
        "next": f"http://testserver/api/blogs/{blog.slug}/events/?after=4&limit=4",
        "results": EventSerializer.represent_refs(events),
    }
    assert [event["entry_id"] for event in page.json()["results"]] == [
        None,
        None,
        str(entry.pk),
        str(entry.pk),
    ]
    assert "Polls close" not in page.content.decode()


@pytest.mark.parametrize(
    ("after", "seqs", "next_after"),
    [
        (0, [1, 2, 3], 3),
        (1, [2, 3], 3),  # a reader's last seq: the page ends at the boundary all others share
        (3, [4, 5, 6], 6),
        (5, [6], 6),
        (6, [7], None),  # the open page
        (7, [], None),
        (30, [], None),
    ],
)
def test_log_pages_end_on_multiples_of_limit_whatever_after_says(
    anon: APIClient, blog: Blog, after: int, seqs: list[int], next_after: int | None
) -> None:
    for n in range(5):
        commands.entry_publish(blog=blog, body=f"Update {n}", actor="editor")
    assert Blog.objects.get(pk=blog.pk).last_seq == 7
    page = anon.get(f"/api/blogs/{blog.slug}/events/?after={after}&limit=3").json()
    assert [event["seq"] for event in page["results"]] == seqs
    expected = f"?after={next_after}&limit=3" if next_after is not None else None
    assert (page["next"] and page["next"].split("/events/")[1]) == expected


def test_a_closed_page_may_be_cached_for_a_year_and_the_open_one_for_a_second(
    anon: APIClient, token_client: APIClient, blog: Blog, entry: Entry
) -> None:
    url = f"/api/blogs/{blog.slug}/events/?limit=2"
    closed = anon.get(url)
    assert closed["Cache-Control"] == "public, max-age=31536000, immutable"
    assert closed["Link"] == f'<{closed.json()["next"]}>; rel="next"'
    assert "Last-Modified" not in closed
    opened = anon.get(closed.json()["next"])
    assert opened["Cache-Control"] == (
        f"public, max-age={caching.LIVE_SECONDS}, stale-while-revalidate={caching.STALE_SECONDS}"
    )
    assert "Link" not in opened
    # Members may see drafts: whatever they read is theirs alone.
    assert token_client.get(url)["Cache-Control"] == "private, no-cache"
    # A closed page never changes: an event later, its validator still holds.
    commands.entry_retract(entry=entry, reason="Wrong", actor="editor")
    again = anon.get(url, HTTP_IF_NONE_MATCH=closed["ETag"])
    assert again.status_code == 304
    assert again["Cache-Control"] == "public, max-age=31536000, immutable"
    assert anon.get(url).content == closed.content


@pytest.mark.parametrize(
    "query",
    # Read as the push channel reads after=: ASCII digits only.
    ["after=-1", "after=soon", "limit=501", f"after={2**64}", "after=%C2%B2", "after=7.0"],
)
def test_bad_log_parameters_are_400(anon: APIClient, blog: Blog, query: str) -> None:
    response = anon.get(f"/api/blogs/{blog.slug}/events/?{query}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [query.split("=")[0]]


@pytest.mark.parametrize(
    "path",
    [
        "/api/blogs/no-such-blog/",
        "/api/blogs/election-night/entries/00000000-0000-0000-0000-000000000000/",
        "/api/blogs/election-night/entries/not-a-uuid/",
        "/api/nothing-here/",
        "/api/blogs",
        "/api/blogs/%0A/",
    ],
)
def test_unknown_things_are_a_json_404(anon: APIClient, blog: Blog, path: str) -> None:
    response = anon.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found" and response.json()["message"]


class TestConditionalGet:
    """A client that polls gets a bodiless 304 until something changes."""

    def _urls(self, entry: Entry) -> list[str]:
        blog = entry.blog.slug
        return [
            "/api/blogs/",
            f"/api/blogs/{blog}/",
            f"/api/blogs/{blog}/entries/",
            f"/api/blogs/{blog}/entries/{entry.pk}/",
            f"/api/blogs/{blog}/events/?after=1",
        ]

    def test_if_none_match_answers_304_until_an_event_changes_it(
        self, anon: APIClient, entry: Entry
    ) -> None:
        for url in self._urls(entry):
            first = anon.get(url)
            assert first.status_code == 200 and first["ETag"], url
            assert "Authorization" in first["Vary"] and "Cookie" in first["Vary"]
            again = anon.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
            assert again.status_code == 304, url
            assert again.content == b"" and again["ETag"] == first["ETag"]
        commands.entry_pin(entry=entry, actor="editor")
        for url in self._urls(entry):
            etag = anon.get(url)["ETag"]
            assert anon.get(url, HTTP_IF_NONE_MATCH='"stale"').status_code == 200
            assert anon.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    def test_a_changed_entry_gets_a_new_etag(self, anon: APIClient, entry: Entry) -> None:
        url = self._urls(entry)[3]
        before = anon.get(url)["ETag"]
        commands.entry_pin(entry=entry, actor="editor")
        after = anon.get(url, HTTP_IF_NONE_MATCH=before)
        assert after.status_code == 200 and after["ETag"] != before
        assert after.json()["pinned"] is True

    def test_the_query_is_part_of_a_list_etag(self, anon: APIClient, entry: Entry) -> None:
        slug = entry.blog.slug
        etag = anon.get(f"/api/blogs/{slug}/entries/")["ETag"]
        other = anon.get(f"/api/blogs/{slug}/entries/?limit=1", HTTP_IF_NONE_MATCH=etag)
        assert other.status_code == 200

    @staticmethod
    def _settle(entry: Entry) -> None:
        """Date the last change a minute back: its second is over, so Last-Modified can tell."""
        earlier = timezone.now() - timedelta(minutes=1)
        Entry.objects.filter(pk=entry.pk).update(updated_at=earlier)
        Blog.objects.filter(pk=entry.blog_id).update(updated_at=earlier)

    def test_if_modified_since_answers_304(self, anon: APIClient, entry: Entry) -> None:
        self._settle(entry)
        for url in self._urls(entry)[1:]:
            first = anon.get(url)
            assert first["Last-Modified"], url
            again = anon.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
            assert again.status_code == 304, url
            assert anon.get(url, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT")["ETag"]

    def test_if_modified_since_in_the_future_is_answered_in_full(
        self, anon: APIClient, entry: Entry
    ) -> None:
        self._settle(entry)
        tomorrow = http_date((timezone.now() + timedelta(days=1)).timestamp())
        for url in self._urls(entry)[1:]:
            response = anon.get(url, HTTP_IF_MODIFIED_SINCE=tomorrow)
            assert response.status_code == 200 and response.content, url

    def test_a_state_from_this_very_second_has_no_last_modified(
        self, anon: APIClient, entry: Entry, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # A change later in the same second would share its date: only the ETag can tell.
        # The clock is held inside the second of the last change, which a slow machine
        # could otherwise have left by the time of the request.
        assert entry.updated_at and entry.blog.updated_at
        second = int(max(entry.updated_at, entry.blog.updated_at).timestamp())
        monkeypatch.setattr(conditional, "time", SimpleNamespace(time=lambda: second + 0.5))
        for url in self._urls(entry)[1:]:
            response = anon.get(url)
            assert "Last-Modified" not in response and response["ETag"], url
            now = http_date(timezone.now().timestamp())
            assert anon.get(url, HTTP_IF_MODIFIED_SINCE=now).status_code == 200, url

    def test_a_304_costs_no_serialization(
        self, anon: APIClient, entry: Entry, django_assert_max_num_queries
    ) -> None:
        url = self._urls(entry)[3]
        etag = anon.get(url)["ETag"]
        # The blog (visibility) and the entry; revisions are not read.
        with django_assert_max_num_queries(2):
            assert anon.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    def test_an_editor_and_a_reader_get_their_own_validators(
        self, anon: APIClient, token_client: APIClient, draft: Blog
    ) -> None:
        anonymous = anon.get("/api/blogs/")
        member = token_client.get("/api/blogs/", HTTP_IF_NONE_MATCH=anonymous["ETag"])
        assert member.status_code == 200
        assert "private" in member["Cache-Control"]

    def test_another_set_of_blogs_gets_another_list_etag(
        self, token_client: APIClient, editor: Any
    ) -> None:
        # Drafts are listed to their members only. Four drafts at the same seq; the editor
        # is a member of the outer two, then of the inner two: the count, the sum of the ids
        # and the sum of the seqs stay the same, and they alone named the list (a stale 304).
        drafts = [
            commands.blog_create(slug=f"draft-{n}", title=f"Draft {n}", actor="editor")
            for n in range(4)
        ]
        first, second, third, fourth = drafts
        assert first.pk + fourth.pk == second.pk + third.pk
        editor.liveblogs.add(first, fourth)
        outer = token_client.get("/api/blogs/")
        assert [b["slug"] for b in outer.json()["results"]] == ["draft-3", "draft-0"]
        editor.liveblogs.set([second, third])
        inner = token_client.get("/api/blogs/", HTTP_IF_NONE_MATCH=outer["ETag"])
        assert inner.status_code == 200
        assert [b["slug"] for b in inner.json()["results"]] == ["draft-2", "draft-1"]


def test_a_retracted_entry_shows_its_notice_but_never_its_text_or_editors(client, blog) -> None:
    from liveblog import commands

    entry = commands.entry_publish(blog=blog, body="DEFAMATORY CLAIM", actor="editor")
    commands.entry_correct(
        entry=entry, body="DEFAMATORY CLAIM, reworded", reason="r", actor="editor"
    )
    commands.entry_retract(entry=entry, reason="Could not be verified", actor="editor")
    for url in (
        f"/api/blogs/{blog.slug}/entries/{entry.pk}/",
        f"/api/blogs/{blog.slug}/entries/",
        f"/api/blogs/{blog.slug}/events/",
    ):
        text = client.get(url).content.decode()
        assert "DEFAMATORY" not in text, url
        assert '"editor"' not in text, url
    detail = client.get(f"/api/blogs/{blog.slug}/entries/{entry.pk}/").json()
    assert detail["retraction_reason"] == "Could not be verified"
    # Correction reasons describe the withdrawn text (often quote it): withheld with it.
    assert [r["reason"] for r in detail["revisions"]] == ["", ""]
    assert detail["correction_reason"] == ""
