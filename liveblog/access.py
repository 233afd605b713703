"""Who may do what to a blog: one rule for the desk, the admin, the API and the push channel.

A blog's editors are its members (``Blog.members``): active staff users, who act on it with
the model permissions the Editors group grants (migration 0003), one for each kind of write.
Superusers act on every blog. Membership is access control, not part of the log.

Per-blog roles (editors publish, contributors submit for approval) extend ``may``: the
membership will carry a role, and ``may`` will ask it whether it allows the action. Callers
keep asking ``may`` with the action they are about to take.
"""

from __future__ import annotations

import enum
from typing import TypeGuard

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db.models import QuerySet

from liveblog.models import Blog

#: Whoever asks: a signed-in user, the anonymous user, or nobody (no request).
User = AbstractUser | AnonymousUser | None


class Action(enum.Enum):
    """What a member does to a blog; the value is the model permission it needs today."""

    PUBLISH = "liveblog.add_entry"
    CHANGE_ENTRIES = "liveblog.change_entry"
    CHANGE_BLOG = "liveblog.change_blog"


def is_editor(user: User) -> TypeGuard[AbstractUser | AnonymousUser]:
    """Whether ``user`` can be a member of any blog: an active staff user, or a superuser.

    A member who loses staff status, or is deactivated, keeps the membership row but no
    longer acts on (or sees the drafts of) the blog, on the desk and the API alike.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser or user.is_staff)


def possible_members() -> QuerySet[AbstractBaseUser]:
    """The users a blog's members are chosen from: active staff (superusers act anyway)."""
    return get_user_model().objects.filter(is_staff=True, is_active=True)


def member_blogs(user: User) -> QuerySet[Blog]:
    """The blogs ``user`` is a member of (every blog for a superuser)."""
    if not is_editor(user):
        return Blog.objects.none()
    if user.is_superuser:
        return Blog.objects.all()
    return Blog.objects.filter(members=user.pk)


def is_member(user: User, blog: Blog | int) -> bool:
    """Whether ``user`` is a member of the blog: sees its drafts, its desk and its log."""
    if not is_editor(user):
        return False
    if user.is_superuser:
        return True
    blog_id = blog if isinstance(blog, int) else blog.pk
    return Blog.objects.filter(pk=blog_id, members=user.pk).exists()


def may(user: User, blog: Blog | int, action: Action) -> bool:
    """Whether ``user`` may take ``action`` on the blog: a member with its permission."""
    return is_editor(user) and user.has_perm(action.value) and is_member(user, blog)
