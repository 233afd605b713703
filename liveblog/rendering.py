"""Entry articles for the reader page, rendered in Python rather than one ``{% include %}`` each.

A page shows up to 50 entries and the pinned ones. Through ``{% include %}`` each entry costs
some 40 variable lookups and filter calls (BENCHMARKS.md, "Speed tricks"); here it is one
``format_html``, which escapes every value as autoescaping did. The markup is what
``static/liveblog/live/entries.js`` (``Timeline.render``) builds for pushed entries: change
both together (``tests/test_views.py`` and ``tests/js/entries.test.js`` check the same markup).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from liveblog import bylines
from liveblog.models import Blog, Entry

if TYPE_CHECKING:
    from liveblog.history import Later

# --- Times ---------------------------------------------------------------------------------
# strftime, not Django's date format: the page is English, and these run several times per
# entry on every view of the page.


def clock_text(local: datetime, today: date) -> str:
    """ "14:05" on ``today``, "4 Nov, 14:05" on another day of its year, else with the year."""
    if local.date() == today:
        return local.strftime("%H:%M")
    if local.year == today.year:
        return f"{local.day} {local:%b, %H:%M}"
    return f"{local.day} {local:%b %Y, %H:%M}"


def full_text(local: datetime) -> str:
    """The unambiguous time for a tooltip: "Monday 4 November 2024, 14:05 GMT"."""
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M %Z}"


def iso_text(local: datetime) -> str:
    """ISO 8601 to the second with the zone's offset, for ``<time datetime>`` and JSON-LD."""
    return local.isoformat(timespec="seconds")


# --- Permalinks ----------------------------------------------------------------------------


def entry_path(blog: Blog, entry: Entry) -> str:
    """The permalink, built from the blog we already hold (``entry.blog`` would query)."""
    return f"{entries_prefix(blog.slug)}{entry.id}/"


@functools.lru_cache(maxsize=1024)
def corrections_path(slug: str) -> str:
    """``/blogs/<slug>/corrections/``, the public list every corrected update links to."""
    return reverse("liveblog:corrections", kwargs={"slug": slug})


@functools.lru_cache(maxsize=1024)
def entries_prefix(slug: str) -> str:
    """``/blogs/<slug>/entries/``: reverse() once per blog, not per entry and page view."""
    sample = uuid.UUID(int=0)
    path = reverse("liveblog:entry", kwargs={"slug": slug, "entry_id": sample})
    return path[: -len(f"{sample}/")]


# --- Articles ------------------------------------------------------------------------------

# Line for line what the template used to give, blank lines included: the page stays
# byte-identical, and live.js finds the same elements and data attributes.
_ARTICLE = (
    '\n<article class="entry{classes}" id="entry-{id}" tabindex="-1" data-entry-id="{id}"'
    ' data-seq="{seq}" data-last-seq="{last_seq}" data-revision="{revision}"'
    ' data-status="{status}" data-occurred-at="{occurred_at}" data-pinned="{pinned}"'
    ' data-key-event="{key_event}">\n'
    '  <header class="entry-meta">\n'
    '    <a class="entry-time" href="#entry-{id}">{time}</a>\n'
    '    <span class="ago" data-ago></span>\n'
    "    {pinned_badge}\n"
    "    {key_event_badge}\n"
    "    {labels}\n"
    "  </header>\n"
    "  {headline}\n"
    "  {byline}\n"
    "  {body}\n"
    "  {corrected}\n"
    '  <footer class="entry-links"><a class="permalink" href="{url}">Link to this update</a>'
    "</footer>\n"
    "</article>\n"
)
_PINNED_BADGE = mark_safe('<span class="badge badge-pinned">Pinned</span>')
_KEY_EVENT_BADGE = mark_safe('<span class="badge badge-key">Key event</span>')
_NOTHING = mark_safe("")

# --- Long updates ---------------------------------------------------------------------------
# A long update is shown cut to a few lines with "Show more"; its whole text stays in the
# page, for search engines and screen readers (clipping hides nothing from them), and the
# checkbox makes it work without JavaScript (live.css). Focus inside the text opens it too.

#: Markdown characters past which an update is long (about twelve lines on a desktop).
LONG_BODY_CHARACTERS = 1_200
#: Paragraphs (blank lines) past which it is long, however short they are.
LONG_BODY_PARAGRAPHS = 8
#: Images past which it is long: each is a screen's height on a phone.
LONG_BODY_IMAGES = 2


def is_long(entry: Entry) -> bool:
    """Whether the update collapses behind "Show more" (from its Markdown, cheap to count)."""
    body = entry.body
    return (
        len(body) > LONG_BODY_CHARACTERS
        or body.count("\n\n") >= LONG_BODY_PARAGRAPHS
        or len(entry.media) >= LONG_BODY_IMAGES
    )


_BODY = '<div class="entry-body">{}</div>'
_LONG_BODY = (
    '<input type="checkbox" class="more-toggle" id="more-{id}" aria-controls="body-{id}">'
    '<div class="entry-body is-long" id="body-{id}">{body}</div>'
    '<label class="more" for="more-{id}"><span class="more-closed">Show more</span>'
    '<span class="more-open">Show less</span></label>'
)


class EntryRenderer:
    """Renders a blog's entries in one time zone, against one "today" for the whole page."""

    def __init__(
        self, blog: Blog, *, zone: tzinfo, later: Mapping[uuid.UUID, Later] | None = None
    ) -> None:
        self.blog = blog
        self.zone = zone
        self.today = timezone.localtime(timezone=zone).date()
        #: On a page as it stood (``?at=``): what happened to its updates afterwards.
        self.later = later or {}

    def time_element(self, value: datetime | None) -> SafeString:
        """``<time>`` with the ISO time, the full time as its tooltip and the clock shown."""
        if value is None:
            return mark_safe('<time datetime="" title=""></time>')
        return self._time(timezone.localtime(value, self.zone))

    def _time(self, local: datetime) -> SafeString:
        return format_html(
            '<time datetime="{}" title="{}">{}</time>',
            iso_text(local),
            full_text(local),
            clock_text(local, self.today),
        )

    def article(self, entry: Entry) -> SafeString:
        """The entry as it sits in a list on the reader page."""
        retracted = entry.is_retracted
        occurred_at = timezone.localtime(entry.occurred_at, self.zone)
        url = entry_path(self.blog, entry)
        classes = "".join(
            name
            for name, wanted in (
                (" is-key", entry.key_event),
                (" is-pinned", entry.pinned),
                (" is-retracted", retracted),
            )
            if wanted
        )
        later = self.later.get(entry.id)
        if retracted and later and later.retracted_at:
            body = format_html(
                '<div class="entry-body"><p class="notice notice-retracted">Retracted later, '
                "at {}: {}</p></div>",
                self.time_element(later.retracted_at),
                entry.retraction_reason,
            )
        elif retracted:
            body = format_html(
                '<div class="entry-body">'
                '<p class="notice notice-retracted">Retracted: {}</p></div>',
                entry.retraction_reason,
            )
        elif is_long(entry):
            # Sanitized with nh3 when the event was applied (liveblog.markup), as live.js
            # trusts; the id is a UUID. Plain formatting: format_html would check both again.
            body = mark_safe(_LONG_BODY.format(id=entry.id, body=entry.body_html))
        else:
            body = mark_safe(_BODY.format(entry.body_html))
        headline = _NOTHING
        if entry.headline and not retracted:
            headline = format_html('<h3 class="entry-headline">{}</h3>', entry.headline)
        corrected = _NOTHING
        if entry.revision > 1 and not retracted:
            corrected = format_html(
                '<p class="notice notice-corrected">Corrected at {}: {} '
                '<a href="{}#revisions">Earlier versions</a> · '
                '<a href="{}">All corrections</a></p>',
                self.time_element(entry.last_corrected_at),
                entry.correction_reason,
                url,
                corrections_path(self.blog.slug),
            )
        if later and later.corrected and not retracted:
            corrected = format_html(
                '{}<p class="notice notice-corrected">Corrected later: '
                '<a href="{}#revisions">the current version</a></p>',
                corrected,
                url,
            )
        byline = bylines.of_entry(entry)
        return format_html(
            _ARTICLE,
            classes=classes,
            id=entry.id,
            seq=entry.published_seq,
            last_seq=entry.last_seq,
            revision=entry.revision,
            status=entry.status,
            occurred_at=iso_text(occurred_at),
            pinned="true" if entry.pinned else "false",
            key_event="true" if entry.key_event else "false",
            time=self._time(occurred_at),
            pinned_badge=_PINNED_BADGE if entry.pinned else _NOTHING,
            key_event_badge=_KEY_EVENT_BADGE if entry.key_event else _NOTHING,
            labels=format_html_join(
                " ",
                '<span class="badge badge-label">{}</span>',
                ((label,) for label in entry.labels),
            ),
            headline=headline,
            byline=format_html('<p class="entry-byline">{}</p>', byline) if byline else _NOTHING,
            body=body,
            corrected=corrected,
            url=url,
        )

    def articles(self, entries: Iterable[Entry]) -> SafeString:
        """The entries' articles one after another, as a list on the page holds them."""
        # Every part was escaped by format_html or is sanitized HTML.
        return mark_safe("".join(self.article(entry) for entry in entries))
