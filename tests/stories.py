"""Short histories that many tests start from, told through the commands."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from liveblog import commands
from liveblog.models import Blog, Entry, Media
from tests import samples


def corrected_entry(
    blog: Blog,
    *,
    body: str,
    correction: str,
    reason: str,
    at: datetime,
    corrected_at: datetime,
    actor: str = "editor",
    **publish: Any,
) -> Entry:
    """An entry published at ``at`` and corrected at ``corrected_at``; returns it as published."""
    entry = commands.entry_publish(blog=blog, body=body, actor=actor, occurred_at=at, **publish)
    commands.entry_correct(
        entry=entry, body=correction, reason=reason, actor=actor, occurred_at=corrected_at
    )
    return entry


def turnout_48_corrected_to_46(
    blog: Blog, *, reason: str, at: datetime, after: timedelta, **publish: Any
) -> Entry:
    """ "Turnout 48%" published at ``at``, corrected to "Turnout 46%" ``after`` that."""
    return corrected_entry(
        blog,
        body="Turnout 48%",
        correction="Turnout 46%",
        reason=reason,
        at=at,
        corrected_at=at + after,
        **publish,
    )


def uploaded_photo(
    blog: Blog,
    *,
    alt: str,
    data: bytes | None = None,
    filename: str = "photo.jpg",
    actor: str = "editor",
    **fields: Any,
) -> Media:
    """A photo uploaded to the blog (``samples.photo`` unless ``data``), within loose limits."""
    return commands.media_upload(
        blog=blog,
        data=samples.photo(600, 400, orientation=1) if data is None else data,
        filename=filename,
        alt=alt,
        actor=actor,
        max_bytes=10**7,
        max_pixels=10**8,
        **fields,
    )
