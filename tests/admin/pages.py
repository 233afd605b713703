"""What the admin tests read from pages, and send: the desk's address, the newest event, the
messages, the blog page's members inline."""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse

from liveblog.models import Blog, Event, Membership


def desk_page(blog: Blog) -> str:
    return reverse("admin:liveblog_blog_desk", args=[blog.pk])


def publish_from_desk(
    client: Any, blog: Blog, body: str, *, entry_id: str = "", follow: bool = False, **fields: Any
) -> Any:
    """Send the desk's form with its Publish button, under a new entry id unless given one."""
    data = {"entry_id": entry_id or str(uuid.uuid4()), "body": body, "_publish": "Publish"}
    return client.post(desk_page(blog), data | fields, follow=follow)


def last_event(blog: Blog) -> Event:
    return Event.objects.filter(blog=blog).latest("seq")


def messages_of(response: Any) -> list[str]:
    """The messages shown on the page the test client fetched."""
    return [str(message) for message in response.context["messages"]]


def members_inline(blog: Blog, added: list[tuple[int, str]] | None = None) -> dict[str, object]:
    """The blog page's members inline as a browser sends it: the members, then new rows."""
    current = list(Membership.objects.filter(blog=blog).order_by("pk"))
    added = added or []
    data: dict[str, object] = {
        "memberships-TOTAL_FORMS": str(len(current) + len(added)),
        "memberships-INITIAL_FORMS": str(len(current)),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    rows = [(m.pk, m.user_id, m.role) for m in current] + [(None, u, r) for u, r in added]
    for index, (pk, user, role) in enumerate(rows):
        data |= {
            f"memberships-{index}-id": pk or "",
            f"memberships-{index}-blog": blog.pk,
            f"memberships-{index}-user": user,
            f"memberships-{index}-role": role,
        }
    return data
