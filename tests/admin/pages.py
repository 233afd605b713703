"""What the admin tests read from pages: the desk's address, the newest event, the messages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from liveblog.models import Blog, Event


def desk_page(blog: Blog) -> str:
    return reverse("admin:liveblog_blog_desk", args=[blog.pk])


def last_event(blog: Blog) -> Event:
    return Event.objects.filter(blog=blog).latest("seq")


def messages_of(response: Any) -> list[str]:
    """The messages shown on the page the test client fetched."""
    return [str(message) for message in response.context["messages"]]
