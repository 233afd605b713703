"""Reader pages as a reader without JavaScript gets them, and what live.js relies on."""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta
from html import unescape
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.http import urlencode

from liveblog import caching, commands, selectors
from liveblog.models import Blog, Entry
from tests.stories import turnout_48_corrected_to_46

pytestmark = pytest.mark.django_db

ARTICLE_ID = re.compile(r'<article [^>]*data-entry-id="([0-9a-f-]+)"')


def _publish(blog: Blog, body: str, *, minutes_ago: int = 0, **options: Any) -> Entry:
    occurred_at = timezone.now() - timedelta(minutes=minutes_ago)
    return commands.entry_publish(
        blog=blog, body=body, actor="editor", occurred_at=occurred_at, **options
    )


def _publish_many(blog: Blog, count: int) -> list[Entry]:
    """Publish ``count`` entries a minute apart, oldest first; returns them newest first."""
    start = timezone.now() - timedelta(minutes=count)
    publications = [
        commands.Publication(body=f"update {n}", occurred_at=start + timedelta(minutes=n))
        for n in range(count)
    ]
    commands.entries_publish(blog=blog, publications=publications, actor="importer")
    return list(selectors.entries_for_blog(blog))


def _section(page: str, start_id: str, end_marker: str) -> str:
    start = page.index(f'id="{start_id}"')
    return page[start : page.index(end_marker, start)]


def _timeline_ids(page: str) -> list[str]:
    return ARTICLE_ID.findall(_section(page, "timeline-list", 'id="timeline-empty"'))


def _pinned_ids(page: str) -> list[str]:
    if 'id="pinned-list"' not in page:
        return []
    return ARTICLE_ID.findall(_section(page, "pinned-list", "</section>"))


def _get(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def _group(pattern: str, text: str, flags: int = 0) -> str:
    """The first group of the pattern's first match (which must be there)."""
    match = re.search(pattern, text, flags)
    assert match, f"{pattern} is not in the page"
    return match.group(1)


def _json_ld(page: str) -> dict:
    (text,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(text)


def _to_the_second(value: datetime) -> str:
    """How JSON-LD writes a time: to the second, in the blog's zone (London: GMT in winter)."""
    return timezone.localtime(value, ZoneInfo("Europe/London")).isoformat(timespec="seconds")


def _article(page: str, entry: Entry) -> str:
    """The entry's <article> element on the page, as markup."""
    found = re.search(rf'<article [^>]*data-entry-id="{entry.id}".*?</article>', page, re.S)
    assert found, f"no article for {entry.id}"
    return found.group(0)


def _older_link(page: str) -> tuple[str, str]:
    found = re.search(r'<nav [^>]*id="older".*?href="([^"]+)" data-fragment="([^"]+)"', page)
    assert found, "no 'Older updates' link"
    return html.unescape(found.group(1)), html.unescape(found.group(2))


def test_the_list_shows_live_blogs_first_and_leaves_drafts_out(client, blog) -> None:
    closed = commands.blog_create(slug="budget", title="Budget day", actor="editor")
    commands.blog_open(blog=closed, actor="editor")
    commands.blog_close(blog=closed, actor="editor")  # updated after the live blog
    commands.blog_create(slug="secret", title="Not yet", actor="editor")
    page = _get(client, "/")
    assert page.index("Election night") < page.index("Budget day")
    assert "Not yet" not in page


def test_the_reader_page_shows_entries_newest_first_without_javascript(client, blog) -> None:
    older = _publish(blog, "The polls are **open**.", minutes_ago=30)
    newest = _publish(blog, "Turnout is high.", minutes_ago=5)
    middle = _publish(blog, "Filed late, happened earlier.", minutes_ago=10)
    page = _get(client, blog.get_absolute_url())
    assert _timeline_ids(page) == [str(newest.id), str(middle.id), str(older.id)]
    assert "<strong>open</strong>" in page
    assert "<main" in page and "<h1" in page and "<time datetime=" in page


def test_the_first_page_has_50_and_older_updates_link_to_the_rest(client, blog) -> None:
    entries = _publish_many(blog, 60)
    page = _get(client, blog.get_absolute_url())
    assert _timeline_ids(page) == [str(entry.id) for entry in entries[:50]]
    older_url, fragment_url = _older_link(page)
    # A new entry published meanwhile does not shift the next page.
    _publish(blog, "Breaking")

    older = _get(client, older_url)
    assert _timeline_ids(older) == [str(entry.id) for entry in entries[50:]]
    assert 'id="older"' not in older
    assert "Back to the newest updates" in older

    fragment = _get(client, fragment_url)
    assert "<html" not in fragment
    assert ARTICLE_ID.findall(fragment) == [str(entry.id) for entry in entries[50:]]


def test_an_unknown_or_malformed_cursor_is_not_found(client, blog) -> None:
    _publish(blog, "Only one")
    _get(client, f"{blog.get_absolute_url()}?before=999", status=404)
    _get(client, f"{blog.get_absolute_url()}?before=-1", status=404)
    _get(client, "/blogs/election-night/updates/?before=abc", status=404)


@pytest.mark.parametrize("before", ["²", "①", "٣", "1_0", "9" * 5000])
def test_a_cursor_that_only_looks_like_a_number_is_not_found(client, blog, before) -> None:
    # str.isdigit() accepts "²", which int() then refused: a 500 on the page and its fragment.
    _publish(blog, "Only one")
    query = urlencode({"before": before})
    _get(client, f"{blog.get_absolute_url()}?{query}", status=404)
    _get(client, f"/blogs/{blog.slug}/updates/?{query}", status=404)


def test_pinned_entries_sit_above_the_timeline_and_not_twice(client, blog) -> None:
    first = _publish(blog, "Old but important", minutes_ago=60, pinned=True)
    other = _publish(blog, "Just in", minutes_ago=1)
    page = _get(client, blog.get_absolute_url())
    assert _pinned_ids(page) == [str(first.id)]
    assert _timeline_ids(page) == [str(other.id)]
    assert page.index('id="pinned-list"') < page.index('id="timeline-list"')
    assert page.count(f'data-entry-id="{first.id}"') == 1


def test_a_retracted_entry_keeps_its_place_with_a_notice(client, blog) -> None:
    before = _publish(blog, "Before", minutes_ago=30)
    wrong = _publish(blog, "A false claim", minutes_ago=20, headline="Claim")
    after = _publish(blog, "After", minutes_ago=10)
    commands.entry_retract(entry=wrong, reason="It was not true.", actor="editor")
    page = _get(client, blog.get_absolute_url())
    assert _timeline_ids(page) == [str(after.id), str(wrong.id), str(before.id)]
    assert "Retracted: It was not true." in page
    assert "A false claim" not in page


def test_a_corrected_entry_says_when_and_why_and_links_its_revisions(client, blog) -> None:
    # The blog is in Europe/London: 12:05 UTC in July is 13:05 there.
    summer = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
    entry = turnout_48_corrected_to_46(
        blog, reason="The first figure was wrong.", at=summer, after=timedelta(minutes=5)
    )
    page = _get(client, blog.get_absolute_url())
    assert "Turnout 46%" in page and "Turnout 48%" not in page
    assert re.search(
        r"Corrected at <time [^>]+>1 Jul 2024, 13:05</time>: The first figure was wrong\.", page
    )
    assert f'href="/blogs/election-night/entries/{entry.id}/#revisions"' in page
    assert '<time datetime="2024-07-01T13:00:00+01:00"' in page
    assert 'data-revision="2"' in page


def test_an_article_carries_what_live_js_reads_and_builds(client, blog) -> None:
    # live.js places and updates articles by these attributes, and builds pushed entries
    # with the same markup (live/entries.js, checked in tests/js/entries.test.js): the two
    # must not drift apart.
    summer = datetime(2024, 7, 1, 12, 0, tzinfo=UTC)  # 13:00 in London
    entry = commands.entry_publish(
        blog=blog,
        body="Turnout 48%",
        headline="Turnout",
        actor="editor",
        occurred_at=summer,
        pinned=True,
        key_event=True,
    )
    entry = commands.entry_correct(
        entry=entry, body="Turnout 46%", reason="Typo", actor="editor", occurred_at=summer
    )
    article = _article(_get(client, blog.get_absolute_url()), entry)
    permalink = f"/blogs/election-night/entries/{entry.id}/"
    time = (
        '<time datetime="2024-07-01T13:00:00+01:00" title="Monday 1 July 2024, 13:00 BST">'
        "1 Jul 2024, 13:00</time>"
    )
    assert article.startswith(
        f'<article class="entry is-key is-pinned" id="entry-{entry.id}" tabindex="-1" '
        f'data-entry-id="{entry.id}" data-seq="{entry.published_seq}" '
        f'data-last-seq="{entry.last_seq}" data-revision="2" data-status="published" '
        'data-occurred-at="2024-07-01T13:00:00+01:00" data-pinned="true" data-key-event="true">'
    )
    assert f'<a class="entry-time" href="#entry-{entry.id}">{time}</a>' in article
    assert '<span class="ago" data-ago></span>' in article
    assert '<span class="badge badge-pinned">Pinned</span>' in article
    assert '<span class="badge badge-key">Key event</span>' in article
    assert '<h3 class="entry-headline">Turnout</h3>' in article
    assert '<div class="entry-body"><p>Turnout 46%</p></div>' in article
    assert (
        f'<p class="notice notice-corrected">Corrected at {time}: Typo '
        f'<a href="{permalink}#revisions">Earlier versions</a> · '
        '<a href="/blogs/election-night/corrections/">All corrections</a></p>'
    ) in article
    assert f'<a class="permalink" href="{permalink}">Link to this update</a>' in article


def test_times_show_the_clock_today_and_the_date_on_other_days(client, blog) -> None:
    today = _publish(blog, "Just now")
    earlier = commands.entry_publish(
        blog=blog,
        body="Long ago",
        actor="editor",
        occurred_at=datetime(2024, 11, 4, 14, 5, tzinfo=UTC),
    )
    page = _get(client, blog.get_absolute_url())
    clock = timezone.localtime(today.occurred_at, ZoneInfo("Europe/London")).strftime("%H:%M")
    assert f">{clock}</time>" in _article(page, today)
    assert ">4 Nov 2024, 14:05</time>" in _article(page, earlier)  # GMT in November


def test_editors_text_shows_as_text_and_only_the_body_as_markup(client, blog) -> None:
    hostile = '<img src=x onerror="alert(1)">'
    kept = _publish(blog, "**Bold** claim", headline=f"Claim {hostile}", minutes_ago=20)
    commands.entry_correct(entry=kept, body="**Bold** fact", reason=f"Why {hostile}", actor="x")
    pulled = _publish(blog, "Withdrawn", minutes_ago=10)
    commands.entry_retract(entry=pulled, reason=f"Pulled {hostile}", actor="editor")
    page = _get(client, blog.get_absolute_url())
    shown = html.escape(hostile)
    assert "<img" not in page
    assert f'<h3 class="entry-headline">Claim {shown}</h3>' in page
    assert f"</time>: Why {shown} <a href=" in page
    assert f'<p class="notice notice-retracted">Retracted: Pulled {shown}</p>' in page
    assert "<p><strong>Bold</strong> fact</p>" in page


def test_the_permalink_page_lists_every_revision(client, blog) -> None:
    entry = _publish(blog, "Turnout 48%", headline="Turnout")
    commands.entry_correct(entry=entry, body="Turnout 46%", reason="Typo", actor="editor")
    page = _get(client, f"/blogs/election-night/entries/{entry.id}/")
    revisions = _section(page, "revisions", "</section>")
    assert revisions.index("Turnout 46%") < revisions.index("Turnout 48%")
    assert "Corrected at" in revisions and "Typo" in revisions and "Published at" in revisions
    # The timeline links to it by anchor, and back.
    assert f'href="/blogs/election-night/#entry-{entry.id}"' in page
    assert f'id="entry-{entry.id}"' in _get(client, blog.get_absolute_url())


def test_a_retracted_entry_page_withholds_the_withdrawn_text(client, blog) -> None:
    entry = _publish(blog, "Defamatory claim")
    commands.entry_retract(entry=entry, reason="Legal advice", actor="editor")
    page = _get(client, f"/blogs/election-night/entries/{entry.id}/")
    assert "Retracted: Legal advice" in page
    assert "Defamatory claim" not in page


def test_drafts_are_not_found_by_readers_but_shown_to_their_editors(client, editor) -> None:
    draft = commands.blog_create(slug="draft", title="Draft", actor="editor")
    draft.members.add(editor)
    entry = _publish(draft, "Not public")
    urls = [
        "/blogs/draft/",
        "/blogs/draft/updates/",
        "/blogs/draft/feed/",
        f"/blogs/draft/entries/{entry.id}/",
    ]
    for url in urls:
        _get(client, url, status=404)
    client.force_login(editor)
    for url in urls:
        _get(client, url)
    config = json.loads(_group(r'id="liveblog-config"[^>]*>(.*?)</script>', _get(client, urls[0])))
    assert config["live"] is False  # the push channel refuses drafts: don't knock


def test_an_entry_of_another_blog_is_not_found(client, blog) -> None:
    other = commands.blog_open(
        blog=commands.blog_create(slug="other", title="Other", actor="editor"), actor="editor"
    )
    entry = _publish(other, "Elsewhere")
    _get(client, f"/blogs/election-night/entries/{entry.id}/", status=404)


def test_the_key_events_view_lists_only_marked_entries(client, blog) -> None:
    key = _publish(blog, "Result declared", minutes_ago=5, key_event=True)
    pinned_key = _publish(blog, "Polls closed", minutes_ago=50, key_event=True, pinned=True)
    _publish(blog, "Colour", minutes_ago=3)
    marked = _publish(blog, "Later marked", minutes_ago=20)
    commands.entry_mark_key_event(entry=marked, actor="editor")
    page = _get(client, f"{blog.get_absolute_url()}?view=key-events")
    assert _timeline_ids(page) == [str(key.id), str(marked.id), str(pinned_key.id)]
    assert _pinned_ids(page) == []
    assert re.search(r'<a href="[^"]*\?view=key-events" data-view="key-events" aria-current', page)
    fragment = _get(client, "/blogs/election-night/updates/?view=key-events")
    assert ARTICLE_ID.findall(fragment) == _timeline_ids(page)


def test_json_ld_describes_the_live_blog_with_an_update_per_entry(client, blog) -> None:
    _publish(blog, "Pinned *note*", minutes_ago=30, pinned=True, headline="How to follow")
    _publish(blog, "Plain text, no headline", minutes_ago=10)
    page = _get(client, blog.get_absolute_url())
    data = _json_ld(page)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "LiveBlogPosting"
    assert data["headline"] == "Election night"
    assert data["url"] == "http://testserver/blogs/election-night/"
    assert data["coverageStartTime"] == _to_the_second(blog.coverage_start)
    assert "coverageEndTime" not in data  # still live
    updates = data["liveBlogUpdate"]
    rendered = ARTICLE_ID.findall(page)
    assert [u["url"].rsplit("/", 2)[-2] for u in updates] == rendered
    assert {u["@type"] for u in updates} == {"BlogPosting"}
    assert updates[0]["headline"] == "How to follow"
    assert updates[0]["articleBody"] == "Pinned note"
    assert updates[1]["headline"] == "Plain text, no headline"
    assert all({"datePublished", "dateModified"} <= set(u) for u in updates)

    commands.blog_close(blog=blog, actor="editor")
    closed = _json_ld(_get(client, blog.get_absolute_url()))
    blog.refresh_from_db()
    assert closed["coverageEndTime"] == _to_the_second(blog.coverage_end)


def test_json_ld_cuts_a_long_update_without_headline_to_one(client, blog) -> None:
    text = "Counting goes on through the night in every constituency of the country. " * 3
    _publish(blog, text)
    (update,) = _json_ld(_get(client, blog.get_absolute_url()))["liveBlogUpdate"]
    assert update["articleBody"] == text.strip()
    assert len(update["headline"]) == 110
    assert update["headline"] == text[:109] + "…"


def test_json_ld_cannot_be_closed_early_by_entry_text(client, blog) -> None:
    _publish(blog, "`</script><script>alert(1)</script>`", headline="</script> & <b>")
    page = _get(client, blog.get_absolute_url())
    script = _group(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert "<" not in script and ">" not in script
    assert _json_ld(page)["liveBlogUpdate"][0]["headline"] == "</script> & <b>"


def test_the_page_has_a_polite_live_region_and_embeds_the_last_seq(client, blog, settings) -> None:
    settings.LIVEBLOG_HEARTBEAT_SECONDS = 12.5
    _publish(blog, "One")
    _publish(blog, "Two")
    blog.refresh_from_db()
    page = _get(client, blog.get_absolute_url())
    assert re.search(r'<div [^>]*id="announcer" aria-live="polite"', page)
    config = json.loads(_group(r'id="liveblog-config"[^>]*>(.*?)</script>', page))
    assert config["lastSeq"] == blog.last_seq == 4
    assert config["socketPath"] == "/ws/blogs/election-night/"
    assert config["heartbeatMs"] == 12_500  # the push channel's, for its silence check
    assert config["timeZone"] == "Europe/London"
    assert config["correctionsUrl"] == "/blogs/election-night/corrections/"
    assert '<script type="module" src="/static/liveblog/live.js">' in page
    assert re.search(r'<article [^>]*data-seq="\d+" data-last-seq="\d+" data-revision="1"', page)


def test_the_page_tells_its_client_what_to_poll_where_websockets_fail(client, blog) -> None:
    """The URL live/polling.js builds from the config is the API's shared, cacheable page."""
    _publish(blog, "One")
    found = re.search(
        r'id="liveblog-config"[^>]*>(.*?)</script>', _get(client, blog.get_absolute_url())
    )
    assert found is not None
    poll = json.loads(found.group(1))["poll"]
    assert poll == {
        "api": "/api/blogs/election-night/",
        "limit": caching.POLL_PAGE_LIMIT,
        "intervalMs": caching.POLL_SECONDS * 1000,
    }
    response = client.get(f"{poll['api']}events/?after=0&limit={poll['limit']}")
    assert response.status_code == 200
    assert response.json()["next"] is None
    assert [event["type"] for event in response.json()["results"]][-1] == "entry.published"
    assert response["Cache-Control"] == (
        f"public, max-age={caching.LIVE_SECONDS}, stale-while-revalidate={caching.STALE_SECONDS}"
    )
    # Polling more often than a cache keeps the open page would only fetch the same copy.
    assert caching.POLL_SECONDS >= caching.LIVE_SECONDS
    # Past a cache's copy older than an event: the same entry and blog under another URL.
    entry = response.json()["results"][-1]["entry"]
    again = client.get(f"{poll['api']}entries/{entry['id']}/?seq=4")
    assert again.status_code == 200
    assert again.json()["updated_at"] == entry["updated_at"]
    assert client.get(f"{poll['api']}?seq=4").json()["slug"] == "election-night"


def test_the_reader_page_reads_a_big_blog_in_a_few_queries(
    client, blog, django_assert_max_num_queries
) -> None:
    entries = _publish_many(blog, 120)
    for entry in entries[:3]:
        commands.entry_pin(entry=entry, actor="editor")
    commands.entry_correct(entry=entries[5], body="fixed", reason="typo", actor="editor")
    commands.entry_retract(entry=entries[6], reason="wrong", actor="editor")
    commands.entry_mark_key_event(entry=entries[7], actor="editor")
    # The blog, the pinned entries, one page of the timeline, the key events box, its
    # contributors.
    with django_assert_max_num_queries(5):
        page = _get(client, blog.get_absolute_url())
    assert len(ARTICLE_ID.findall(page)) == 53
    older_url, fragment_url = _older_link(page)
    # ... and for older pages, the cursor's entry instead of the pinned ones (the fragment
    # has no header, so no contributors).
    with django_assert_max_num_queries(4):
        _get(client, older_url)
    with django_assert_max_num_queries(3):
        _get(client, fragment_url)
    entry = entries[5]
    with django_assert_max_num_queries(3):
        _get(client, f"/blogs/election-night/entries/{entry.id}/")


# --- What caches may keep -------------------------------------------------------------------


def _reader_urls(blog: Blog, entry: Entry) -> list[str]:
    slug = blog.slug
    return [
        "/",
        f"/blogs/{slug}/",
        f"/blogs/{slug}/?view=key-events",
        f"/blogs/{slug}/updates/",
        f"/blogs/{slug}/entries/{entry.pk}/",
        f"/blogs/{slug}/feed/",
        f"/blogs/{slug}/corrections/",
        f"/blogs/{slug}/corrections/feed/",
        f"/blogs/{slug}/?{urlencode({'at': entry.occurred_at.isoformat()})}",
    ]


def test_a_cdn_may_keep_a_readers_page_for_seconds_and_never_one_with_a_cookie(
    client, blog
) -> None:
    entry = _publish(blog, "Turnout is 61%.")
    for url in _reader_urls(blog, entry):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == (
            f"public, max-age={caching.PAGE_SECONDS}, "
            f"stale-while-revalidate={caching.STALE_SECONDS}"
        ), url
        assert "Cookie" in response["Vary"], url
        # Nothing that names a reader: no session, no CSRF token, in a copy others get.
        assert not response.cookies, (url, response.cookies)
        assert response["ETag"], url


def test_a_signed_in_editor_gets_pages_no_cache_keeps(client, blog, editor) -> None:
    entry = _publish(blog, "Turnout is 61%.")
    client.force_login(editor)
    for url in _reader_urls(blog, entry):
        response = client.get(url)
        assert response["Cache-Control"] == "private, no-store", url
        assert "Cookie" in response["Vary"], url


def test_a_page_is_revalidated_by_its_content(client, blog) -> None:
    entry = _publish(blog, "Turnout is 61%.")
    url = f"/blogs/{blog.slug}/"
    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["Cache-Control"] == first["Cache-Control"] and again["ETag"] == first["ETag"]
    commands.entry_retract(entry=entry, reason="Wrong figure", actor="editor")
    changed = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert "Turnout is 61%" not in changed.content.decode()


# --- The page as it stood (?at=) ---------------------------------------------------------------


@pytest.fixture
def since_yesterday(editor) -> Blog:
    """A blog opened a day ago, so updates can be dated in the past hours."""
    day_ago = timezone.now() - timedelta(days=1)
    created = commands.blog_create(
        slug="election-night",
        title="Election night",
        actor="editor",
        time_zone="Europe/London",
        occurred_at=day_ago,
    )
    return commands.blog_open(blog=created, actor="editor", occurred_at=day_ago)


def test_the_page_as_it_stood_shows_the_words_of_that_moment_with_a_banner(
    client, since_yesterday
) -> None:
    blog = since_yesterday
    t0 = timezone.now() - timedelta(hours=2)
    turnout_48_corrected_to_46(blog, reason="Typo", at=t0, after=timedelta(minutes=30))
    commands.entry_publish(
        blog=blog, body="Polls closed", actor="editor", occurred_at=t0 + timedelta(minutes=60)
    )
    at = t0 + timedelta(minutes=10)
    page = _get(client, f"{blog.get_absolute_url()}?{urlencode({'at': at.isoformat()})}")
    assert "Turnout 48%" in page and "Turnout 46%" not in page and "Polls closed" not in page
    assert "The page as it stood at" in page
    assert f'href="{blog.get_absolute_url()}" class="as-it-stood-now">See the page now' in page
    assert "Corrected later" in page
    assert '<meta name="robots" content="noindex">' in page
    assert "live.js" not in page and "application/ld+json" not in page  # it stays still
    # A time without offset is in the blog's zone (London); the form says so.
    london = timezone.localtime(at, ZoneInfo("Europe/London")).strftime("%Y-%m-%dT%H:%M:%S")
    same = _get(client, f"{blog.get_absolute_url()}?at={london}")
    assert "Turnout 48%" in same and "Another moment (Europe/London)" in same


def test_the_page_as_it_stood_links_the_updates_before_and_after(client, since_yesterday) -> None:
    blog = since_yesterday
    t0 = timezone.now() - timedelta(hours=2)
    for minutes in (0, 10, 20):
        commands.entry_publish(
            blog=blog,
            body=f"At {minutes}",
            actor="editor",
            occurred_at=t0 + timedelta(minutes=minutes),
        )
    at = (t0 + timedelta(minutes=10)).isoformat()
    page = _get(client, f"{blog.get_absolute_url()}?{urlencode({'at': at})}")
    links = re.findall(r'<a href="\?at=([^"&]+)[^"]*" rel="(prev|next)"', page)
    moments = {rel: datetime.fromisoformat(unquote(value)) for value, rel in links}
    assert moments == {"prev": t0, "next": t0 + timedelta(minutes=20)}


def test_the_page_as_it_stood_steps_to_the_changes_before_and_after(
    client, since_yesterday
) -> None:
    blog = since_yesterday
    t0 = timezone.now() - timedelta(hours=2)
    entry = commands.entry_publish(blog=blog, body="48%", actor="editor", occurred_at=t0)
    commands.entry_correct(
        entry=entry,
        body="46%",
        reason="Typo",
        actor="editor",
        occurred_at=t0 + timedelta(minutes=5),
    )
    commands.entry_retract(
        entry=entry, reason="Unverified", actor="editor", occurred_at=t0 + timedelta(minutes=9)
    )
    at = (t0 + timedelta(minutes=7)).isoformat()
    page = _get(client, f"{blog.get_absolute_url()}?{urlencode({'at': at})}")
    links = re.findall(r'<a href="\?at=([^"&]+)[^"]*" class="step-change">([^<]+)</a>', page)
    moments = {text: datetime.fromisoformat(unquote(value)) for value, text in links}
    assert moments == {
        "← Previous change": t0 + timedelta(minutes=5),
        "Next change →": t0 + timedelta(minutes=9),
    }


def test_the_page_links_a_replay_from_the_start_of_the_coverage(client, since_yesterday) -> None:
    blog = since_yesterday
    t0 = timezone.now() - timedelta(hours=2)
    commands.entry_publish(blog=blog, body="First", actor="editor", occurred_at=t0)
    page = _get(client, blog.get_absolute_url())
    found = re.search(r'<a href="([^"]+)" class="replay-link">Replay the coverage</a>', page)
    assert found is not None
    replay = _get(client, unescape(found.group(1)))
    assert "The page as it stood at" in replay and "First" not in replay
    links = re.findall(r'<a href="\?at=([^"&]+)[^"]*" rel="(prev|next)"', replay)
    assert [(datetime.fromisoformat(unquote(value)), rel) for value, rel in links] == [(t0, "next")]


@pytest.mark.parametrize(
    "at",
    [
        "yesterday",
        "2024-02-30T10:00",
        "\uff12\uff10\uff12\uff14-01-01T10:00",
        "2024-01-01",
        "9" * 100,
    ],
)
def test_a_moment_that_cannot_be_read_is_a_bad_request_that_says_how(client, blog, at) -> None:
    page = _get(client, f"{blog.get_absolute_url()}?{urlencode({'at': at})}", status=400)
    assert "must be a date and time such as" in page
    _get(client, f"/blogs/{blog.slug}/updates/?{urlencode({'at': at})}", status=400)


def test_a_moment_in_the_future_is_a_bad_request(client, blog) -> None:
    future = (timezone.now() + timedelta(days=1)).isoformat()
    page = _get(client, f"{blog.get_absolute_url()}?{urlencode({'at': future})}", status=400)
    assert "in the future" in page


def test_before_the_blog_opened_the_page_says_coverage_had_not_started(client, blog) -> None:
    at = (blog.coverage_start - timedelta(hours=1)).isoformat()
    page = _get(client, f"{blog.get_absolute_url()}?{urlencode({'at': at})}")
    assert "At that moment the coverage had not started" in page


# --- Key events box, honest states, sharing and previews ------------------------------------


def _key_events_box(page: str) -> str:
    return _section(page, "key-events", "</aside>")


def test_the_key_events_box_lists_the_latest_key_events_linking_to_them(client, blog) -> None:
    entries = _publish_many(blog, 60)  # newest first
    marked = [entries[0], entries[3], entries[55]]
    for entry in marked:
        commands.entry_mark_key_event(entry=entry, actor="editor")
    box = _key_events_box(_get(client, blog.get_absolute_url()))
    assert re.findall(r'<a href="([^"]+)">', box) == [
        f"#entry-{entries[0].id}",
        f"#entry-{entries[3].id}",
        # Not on the first page: its permalink.
        f"/blogs/election-night/entries/{entries[55].id}/",
    ]
    assert "update 59" in box and "<time datetime=" in box
    assert "All key events" not in box
    for entry in entries[4:10]:
        commands.entry_mark_key_event(entry=entry, actor="editor")
    box = _key_events_box(_get(client, blog.get_absolute_url()))
    assert box.count("<li>") == 5 and "All key events" in box


def test_no_key_events_box_without_key_events_nor_on_other_views(client, blog) -> None:
    entry = _publish(blog, "Result", key_event=True)
    assert 'id="key-events"' in _get(client, blog.get_absolute_url())
    assert 'id="key-events"' not in _get(client, f"{blog.get_absolute_url()}?view=key-events")
    commands.entry_retract(entry=entry, reason="Wrong", actor="editor")
    assert 'id="key-events"' not in _get(client, blog.get_absolute_url())


def test_a_closed_blog_says_coverage_ended_and_when(client, blog) -> None:
    _publish(blog, "Last words")
    closed = commands.blog_close(
        blog=blog, actor="editor", occurred_at=datetime(2024, 7, 1, 20, 30, tzinfo=UTC)
    )
    page = _get(client, closed.get_absolute_url())
    assert re.search(
        r'<p class="blog-state" id="blog-state">This page no longer updates: coverage ended at '
        r"<time [^>]+>Monday 1 July 2024, 21:30 BST</time></p>",
        page,
    )
    found = re.search(r'id="liveblog-config"[^>]*>(.*?)</script>', page)
    assert found
    assert json.loads(found.group(1))["status"] == "closed"


def test_a_blog_without_updates_says_when_coverage_starts(client, blog) -> None:
    page = _get(client, blog.get_absolute_url())
    assert "No updates yet: coverage started at <time" in page
    later = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    commands.blog_update(
        blog=blog,
        actor="editor",
        title=blog.title,
        description="",
        time_zone=blog.time_zone,
        coverage_start=later,
        coverage_end=None,
    )
    page = _get(client, blog.get_absolute_url())
    assert "No updates yet: coverage starts at <time" in page
    assert timezone.localtime(later, ZoneInfo("Europe/London")).strftime("%H:%M") in page


def test_times_say_they_are_in_the_blog_s_zone(client, blog) -> None:
    page = _get(client, blog.get_absolute_url())
    assert re.search(r'<span id="blog-zone">Times in Europe/London \(UTC\+0[01]:00\)</span>', page)


def _meta(page: str) -> dict[str, str]:
    return {
        name: html.unescape(content)
        for name, content in re.findall(
            r'<meta (?:property|name)="([^"]+)" content="([^"]*)">', page
        )
    }


def test_the_blog_and_every_permalink_carry_open_graph_and_twitter_cards(client, blog) -> None:
    blog = commands.blog_update(
        blog=blog,
        actor="editor",
        title=blog.title,
        description="Results as they come in.",
        time_zone=blog.time_zone,
        coverage_start=blog.coverage_start,
        coverage_end=None,
    )
    entry = _publish(blog, "Turnout is **high** across the north.", headline="Turnout")
    meta = _meta(_get(client, blog.get_absolute_url()))
    assert meta["og:title"] == "Election night"
    assert meta["og:description"] == "Results as they come in."
    assert meta["og:url"] == "http://testserver/blogs/election-night/"
    assert meta["og:site_name"] == "Live blogs" and meta["og:type"] == "article"
    assert meta["twitter:card"] == "summary" and "og:image" not in meta
    meta = _meta(_get(client, f"/blogs/election-night/entries/{entry.id}/"))
    assert meta["og:title"] == meta["twitter:title"] == "Turnout"
    assert meta["og:description"] == "Turnout is high across the north."
    assert meta["og:url"] == f"http://testserver/blogs/election-night/entries/{entry.id}/"
    commands.entry_retract(entry=entry, reason="Not verified", actor="editor")
    meta = _meta(_get(client, f"/blogs/election-night/entries/{entry.id}/"))
    assert meta["og:title"] == "Retracted update"
    assert meta["og:description"] == "Retracted: Not verified"


def test_share_links_go_to_the_networks_own_pages_and_load_nothing(client, blog) -> None:
    entry = _publish(blog, "Counting starts", headline="Counting & more")
    for url in (blog.get_absolute_url(), f"/blogs/election-night/entries/{entry.id}/"):
        page = _get(client, url)
        share = re.search(r'<nav class="share".*?</nav>', page, re.S)
        assert share
        hrefs = [html.unescape(href) for href in re.findall(r'href="([^"]+)"', share.group(0))]
        assert len(hrefs) == 7
        assert any(href.startswith("https://www.facebook.com/sharer/") for href in hrefs)
        # Only our own scripts: no network's button or widget.
        sources = re.findall(r'<script[^>]* src="([^"]+)"', page)
        assert sources and all(src.startswith("/static/") for src in sources)
        assert "<iframe" not in page


def test_a_long_update_collapses_with_its_whole_text_in_the_page(client, blog) -> None:
    long_text = " ".join(f"Sentence {n} of a long report." for n in range(80))
    long = _publish(blog, long_text)
    short = _publish(blog, "Short")
    page = _get(client, blog.get_absolute_url())
    article = _article(page, long)
    assert f'<input type="checkbox" class="more-toggle" id="more-{long.id}"' in article
    assert (
        f'<div class="entry-body is-long" id="body-{long.id}"><p>{long_text}</p></div>' in article
    )
    assert "Show more" in article
    assert "more-toggle" not in _article(page, short)


def test_a_long_description_collapses_on_phones(client, blog) -> None:
    description = "Background to the night. " * 20
    commands.blog_update(
        blog=blog,
        actor="editor",
        title=blog.title,
        description=description,
        time_zone=blog.time_zone,
        coverage_start=blog.coverage_start,
        coverage_end=None,
    )
    page = _get(client, blog.get_absolute_url())
    assert '<p class="blog-description is-long" id="blog-description">' in page
    assert 'for="more-description"' in page
