"""Who may write to a blog, as ``liveblog.access`` decides. Reading is decided by visibility."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from liveblog import access
from liveblog.models import Blog


class IsBlogMember(BasePermission):
    """Writes need a member of the blog whose role allows the write (as on the desk).

    A view names the action each method takes in ``actions`` (by default changing entries);
    a write that concerns one unpublished update asks ``access.may`` again with it.

    ``has_permission`` turns anonymous writers away before anything is looked up (401);
    the view then checks the blog it found with ``check_object_permissions`` (403).
    Reads never reach this class: those views use ``AllowAny`` and show only the blogs
    ``selectors.blogs_visible_to`` returns.
    """

    message = "Only members of this blog may change it; ask an editor of the blog to add you."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        assert isinstance(obj, Blog)
        action = getattr(view, "actions", {}).get(request.method, access.Action.CHANGE_ENTRIES)
        return access.may(request.user, obj, action)
