"""The pages' JSON-LD against Google's requirements for live blogs and their updates.

What Google's Search Central documentation states, encoded in ``google_problems``:

- Article structured data (Article, NewsArticle, BlogPosting; LiveBlogPosting is a
  BlogPosting): no property is required; recommended are ``author`` (a Person or an
  Organization, with its ``name``: only the name, and a ``url``), ``datePublished`` and
  ``dateModified`` (ISO 8601 with a time zone; a modification is never before the
  publication), ``headline`` (short: Google cuts titles past 110 characters) and ``image``
  (crawlable absolute URLs).
- Live blogs (LiveBlogPosting): ``coverageStartTime``, ``coverageEndTime`` once the coverage
  has ended, ``headline`` and ``liveBlogUpdate``; each update a BlogPosting with its
  ``headline``, ``datePublished`` and ``articleBody``, at an address of its own that carries
  no query parameters.
- The publisher: an Organization with a ``name`` and, when the site has one, a ``logo``.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from liveblog import commands
from liveblog.models import Blog
from tests.stories import corrected_entry

pytestmark = pytest.mark.django_db

HEADLINE_LIMIT = 110


def _time(value: Any, where: str, problems: list[str]) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        problems.append(f"{where} is not an ISO 8601 date and time: {value!r}")
        return None
    if parsed.tzinfo is None:
        problems.append(f"{where} has no time zone: {value!r}")
        return None
    return parsed


def _absolute(value: Any, where: str, problems: list[str]) -> None:
    parts = urlsplit(value) if isinstance(value, str) else None
    if not parts or parts.scheme not in {"http", "https"} or not parts.netloc:
        problems.append(f"{where} is not an absolute URL: {value!r}")


def _organization_or_person(value: Any, where: str, problems: list[str]) -> None:
    if not isinstance(value, dict) or value.get("@type") not in {"Person", "Organization"}:
        problems.append(f"{where} must be a Person or an Organization: {value!r}")
        return
    name = value.get("name")
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{where}.name is missing")
    elif re.match(r"(?i)by\s", name):
        problems.append(f"{where}.name must be only the name, not {name!r}")
    if "url" in value:
        _absolute(value["url"], f"{where}.url", problems)


def _article(data: dict[str, Any], where: str, problems: list[str]) -> None:
    """Google's recommended Article properties, checked where present or required."""
    headline = data.get("headline")
    if not isinstance(headline, str) or not headline.strip():
        problems.append(f"{where}.headline is missing")
    elif len(headline) > HEADLINE_LIMIT:
        problems.append(f"{where}.headline is longer than {HEADLINE_LIMIT} characters")
    published = _time(data.get("datePublished"), f"{where}.datePublished", problems)
    modified = _time(data.get("dateModified"), f"{where}.dateModified", problems)
    if published and modified and modified < published:
        problems.append(f"{where}.dateModified is before its datePublished")
    _organization_or_person(data.get("author"), f"{where}.author", problems)
    images = data.get("image", [])
    for image in images if isinstance(images, list) else [images]:
        _absolute(image, f"{where}.image", problems)


def google_problems(data: dict[str, Any]) -> list[str]:
    """What Google's documentation would flag in a LiveBlogPosting or a BlogPosting."""
    problems: list[str] = []
    kind = data.get("@type")
    if data.get("@context") != "https://schema.org":
        problems.append("@context must be https://schema.org")
    _article(data, kind or "?", problems)
    publisher = data.get("publisher")
    _organization_or_person(publisher, f"{kind}.publisher", problems)
    if isinstance(publisher, dict) and "logo" in publisher:
        _absolute(publisher["logo"].get("url"), f"{kind}.publisher.logo.url", problems)
    if kind == "BlogPosting":
        if not data.get("articleBody"):
            problems.append("BlogPosting.articleBody is missing")
        return problems
    if kind != "LiveBlogPosting":
        return [*problems, f"unexpected @type {kind!r}"]
    start = _time(data.get("coverageStartTime"), "coverageStartTime", problems)
    if "coverageEndTime" in data:
        end = _time(data["coverageEndTime"], "coverageEndTime", problems)
        if start and end and end < start:
            problems.append("coverageEndTime is before coverageStartTime")
    updates = data.get("liveBlogUpdate")
    if not isinstance(updates, list):
        return [*problems, "liveBlogUpdate is missing"]
    urls = []
    for n, update in enumerate(updates):
        where = f"liveBlogUpdate[{n}]"
        if update.get("@type") != "BlogPosting":
            problems.append(f"{where} must be a BlogPosting")
        _article(update, where, problems)
        if not update.get("articleBody"):
            problems.append(f"{where}.articleBody is missing")
        _absolute(update.get("url"), f"{where}.url", problems)
        if urlsplit(update.get("url", "")).query:
            problems.append(f"{where}.url carries query parameters")
        urls.append(update.get("url"))
    if len(set(urls)) != len(urls):
        problems.append("two updates share a url")
    return problems


def _json_ld(page: str) -> dict[str, Any]:
    (text,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(text)


def test_the_checker_flags_what_google_asks_for() -> None:
    # Without this, a checker that finds nothing would pass every test below.
    problems = google_problems(
        {
            "@context": "https://schema.org",
            "@type": "LiveBlogPosting",
            "headline": "x" * 120,
            "datePublished": "2024-07-01T12:00:00",
            "author": {"@type": "Person", "name": "By Jane Doe"},
            "liveBlogUpdate": [{"@type": "BlogPosting", "url": "/e/1/?page=2"}],
        }
    )
    assert problems == [
        "LiveBlogPosting.headline is longer than 110 characters",
        "LiveBlogPosting.datePublished has no time zone: '2024-07-01T12:00:00'",
        "LiveBlogPosting.dateModified is not an ISO 8601 date and time: None",
        "LiveBlogPosting.author.name must be only the name, not 'By Jane Doe'",
        "LiveBlogPosting.publisher must be a Person or an Organization: None",
        "coverageStartTime is not an ISO 8601 date and time: None",
        "liveBlogUpdate[0].headline is missing",
        "liveBlogUpdate[0].datePublished is not an ISO 8601 date and time: None",
        "liveBlogUpdate[0].dateModified is not an ISO 8601 date and time: None",
        "liveBlogUpdate[0].author must be a Person or an Organization: None",
        "liveBlogUpdate[0].articleBody is missing",
        "liveBlogUpdate[0].url is not an absolute URL: '/e/1/?page=2'",
        "liveBlogUpdate[0].url carries query parameters",
    ]


@pytest.fixture
def publisher(settings) -> None:
    settings.LIVEBLOG_PUBLISHER_NAME = "The Daily Example"
    settings.LIVEBLOG_PUBLISHER_URL = "https://example.org/"
    settings.LIVEBLOG_PUBLISHER_LOGO = "/static/logo.png"


def test_a_live_blog_and_its_updates_meet_the_requirements(client, blog, publisher) -> None:
    entry = commands.entry_publish(blog=blog, body="Turnout is *high*.", actor="editor")
    commands.entry_correct(entry=entry, body="Turnout is high, 46%.", reason="Figure", actor="e")
    commands.entry_publish(blog=blog, body="Words " * 60, actor="editor", pinned=True)
    pulled = commands.entry_publish(blog=blog, body="Unverified", actor="editor")
    commands.entry_retract(entry=pulled, reason="Not confirmed", actor="editor")
    data = _json_ld(client.get(blog.get_absolute_url()).content.decode())
    assert google_problems(data) == []
    assert "coverageEndTime" not in data  # still live: no end to announce
    organization = {
        "@type": "Organization",
        "name": "The Daily Example",
        "url": "https://example.org/",
        "logo": {"@type": "ImageObject", "url": "http://testserver/static/logo.png"},
    }
    assert data["publisher"] == organization
    assert all(update["author"] == organization for update in data["liveBlogUpdate"])

    commands.blog_close(blog=blog, actor="editor")
    closed = _json_ld(client.get(blog.get_absolute_url()).content.decode())
    assert google_problems(closed) == [] and "coverageEndTime" in closed


def test_a_permalink_is_a_blog_posting_that_meets_them_too(client, blog, publisher) -> None:
    entry = commands.entry_publish(blog=blog, body="Turnout is high.", actor="editor")
    data = _json_ld(client.get(f"/blogs/{blog.slug}/entries/{entry.id}/").content.decode())
    assert google_problems(data) == []
    assert data["isPartOf"]["@id"] == "http://testserver/blogs/election-night/"
    assert data["url"] == f"http://testserver/blogs/election-night/entries/{entry.id}/"


def test_imported_updates_keep_their_original_dates(client, editor) -> None:
    # An import records everything now, with the times of the page it came from.
    then = datetime(2023, 9, 19, 9, 0, tzinfo=UTC)
    blog = commands.blog_create(
        slug="archive", title="Archive", actor="import:page.html", occurred_at=then
    )
    blog = commands.blog_open(blog=blog, actor="import:page.html", occurred_at=then)
    corrected_entry(
        blog,
        body="Shelling reported",
        correction="Shelling reported in the capital",
        reason="updated in source",
        actor="import:page.html",
        at=then,
        corrected_at=then + timedelta(hours=2),
    )
    blog = commands.blog_close(
        blog=Blog.objects.get(pk=blog.pk),
        actor="import:page.html",
        occurred_at=then + timedelta(hours=3),
    )
    data = _json_ld(client.get(blog.get_absolute_url()).content.decode())
    assert google_problems(data) == []
    (update,) = data["liveBlogUpdate"]
    assert update["datePublished"] == "2023-09-19T09:00:00+00:00"
    assert update["dateModified"] == "2023-09-19T11:00:00+00:00"
    assert data["datePublished"] == "2023-09-19T09:00:00+00:00"
    assert data["dateModified"] == "2023-09-19T12:00:00+00:00"
    assert timezone.now().date().isoformat() not in json.dumps(data)
