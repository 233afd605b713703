"""Who may do what to a blog: one rule for the desk, the admin, the API and the push channel.

A blog's members (``Blog.members``, through ``Membership``) are active staff users, who act
on it with the model permissions the Editors group grants (the first migration creates it),
one for each kind of write, as far as their role in that blog allows: *editors* publish,
approve and change everything; *contributors* write updates that wait for an editor's
approval, and change only their own while they wait. Superusers are editors of every blog.
Membership is access control, not part of the log. Callers ask ``may`` with the action they
are about to take.
"""

from __future__ import annotations

import enum
from typing import TypeGuard

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import transaction
from django.db.models import QuerySet

from liveblog.errors import InvalidTransitionError, LiveblogError, MemberNotFoundError
from liveblog.models import Blog, DeskEntry, Membership

#: Whoever asks: a signed-in user, the anonymous user, or nobody (no request).
User = AbstractUser | AnonymousUser | None
Role = Membership.Role


class Action(enum.Enum):
    """What a member does to a blog."""

    #: Publish an update now, approve a submission, schedule, keep drafts.
    PUBLISH = "publish"
    #: Write an update for an editor's approval, and upload its images.
    SUBMIT = "submit"
    #: Change an unpublished update (a draft, a schedule, a submission): ask with ``item``.
    REVISE = "revise"
    #: Correct, retract, pin, label published updates; return or cancel unpublished ones.
    CHANGE_ENTRIES = "change_entries"
    CHANGE_BLOG = "change_blog"
    #: Add and remove members, and choose their roles.
    MANAGE_MEMBERS = "manage_members"


#: The model permission (from the Editors group) each action needs.
_PERMISSIONS = {
    Action.PUBLISH: "liveblog.add_entry",
    Action.SUBMIT: "liveblog.add_entry",
    Action.REVISE: "liveblog.add_entry",
    Action.CHANGE_ENTRIES: "liveblog.change_entry",
    Action.CHANGE_BLOG: "liveblog.change_blog",
    Action.MANAGE_MEMBERS: "liveblog.change_blog",
}
#: The roles that allow each action (REVISE: a contributor's own submission, see ``may``).
_ROLES = {
    Action.PUBLISH: {Role.EDITOR},
    Action.SUBMIT: {Role.EDITOR, Role.CONTRIBUTOR},
    Action.REVISE: {Role.EDITOR, Role.CONTRIBUTOR},
    Action.CHANGE_ENTRIES: {Role.EDITOR},
    Action.CHANGE_BLOG: {Role.EDITOR},
    Action.MANAGE_MEMBERS: {Role.EDITOR},
}


def is_editor(user: User) -> TypeGuard[AbstractUser | AnonymousUser]:
    """Whether ``user`` can be a member of any blog: an active staff user, or a superuser.

    (Newsroom staff; what they may do in a blog is their role there, ``role_of``.)

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


def editor_blogs(user: User) -> QuerySet[Blog]:
    """The blogs in which ``user`` is an editor (every blog for a superuser)."""
    if not is_editor(user):
        return Blog.objects.none()
    if user.is_superuser:
        return Blog.objects.all()
    return Blog.objects.filter(memberships__user=user.pk, memberships__role=Role.EDITOR)


def is_contributor(user: User) -> bool:
    """Whether ``user`` contributes to blogs and edits none: a field reporter, a freelancer.

    Their role is the same on every blog they are added to, whatever model permissions their
    groups grant; it also bars what is done outside any blog (starting one, webhooks).
    """
    if not is_editor(user) or user.is_superuser:
        return False
    roles = set(Membership.objects.filter(user_id=user.pk or 0).values_list("role", flat=True))
    return Role.CONTRIBUTOR in roles and Role.EDITOR not in roles


def may_start_blog(user: User) -> bool:
    """Whether ``user`` may create a blog: whoever starts one is its first editor, and so
    publishes there without anyone's approval. Never a contributor (``is_contributor``)."""
    if not is_editor(user) or not user.has_perm("liveblog.add_blog"):
        return False
    return not is_contributor(user)


def is_member(user: User, blog: Blog | int) -> bool:
    """Whether ``user`` is a member of the blog: sees its drafts, its desk and its log."""
    if not is_editor(user):
        return False
    if user.is_superuser:
        return True
    blog_id = blog if isinstance(blog, int) else blog.pk
    return Blog.objects.filter(pk=blog_id, members=user.pk).exists()


def role_of(user: User, blog: Blog | int) -> Role | None:
    """The user's role in the blog (a superuser is an editor), or None for a non-member."""
    if not is_editor(user):
        return None
    if user.is_superuser:
        return Role.EDITOR
    blog_id = blog if isinstance(blog, int) else blog.pk
    role = (
        Membership.objects.filter(blog_id=blog_id, user_id=user.pk or 0)
        .values_list("role", flat=True)
        .first()
    )
    return None if role is None else Role(role)


def may(user: User, blog: Blog | int, action: Action, *, item: DeskEntry | None = None) -> bool:
    """Whether ``user`` may take ``action`` on the blog: a member whose role allows it, with
    the permission it needs.

    ``REVISE`` concerns one unpublished update (``item``): an editor may change any while it
    is open; a contributor only one they wrote, while it waits for approval or was returned.
    """
    if not is_editor(user) or not user.has_perm(_PERMISSIONS[action]):
        return False
    role = role_of(user, blog)
    if role is None or role not in _ROLES[action]:
        return False
    if action is Action.REVISE:
        if item is None or not item.is_open:
            return False
        if role is Role.CONTRIBUTOR:
            waiting = (DeskEntry.Status.SUBMITTED, DeskEntry.Status.RETURNED)
            return item.written_by == user.get_username() and item.status in waiting
    return True


def member_set(*, blog: Blog, username: str, role: Role) -> tuple[Membership, bool]:
    """Make the user a member of the blog with ``role``; say whether they were new.

    Only active staff can be members; a blog always keeps at least one editor.
    """
    username_field = get_user_model().USERNAME_FIELD
    user = possible_members().filter(**{username_field: username}).first()
    if user is None:
        raise LiveblogError(
            f"There is no active staff user called {username!r}; an administrator creates "
            "users (staff, in the Editors group) in the admin.",
            field="username",
        )
    with transaction.atomic():
        membership, created = Membership.objects.select_for_update().get_or_create(
            blog=blog, user_id=int(user.pk), defaults={"role": role}
        )
        if not created and membership.role != role:
            if role is not Role.EDITOR:
                _keep_an_editor(blog, leaving=membership)
            membership.role = role
            membership.save(update_fields=["role"])
    return membership, created


def member_remove(*, blog: Blog, username: str) -> None:
    """Take the user off the blog's members; their updates stay as they are."""
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(blog=blog, **{f"user__{get_user_model().USERNAME_FIELD}": username})
            .first()
        )
        if membership is None:
            raise MemberNotFoundError(f"{username!r} is not a member of {blog.slug!r}.")
        _keep_an_editor(blog, leaving=membership)
        membership.delete()


def _keep_an_editor(blog: Blog, *, leaving: Membership) -> None:
    if leaving.role != Role.EDITOR:
        return
    others = Membership.objects.filter(blog=blog, role=Role.EDITOR).exclude(pk=leaving.pk)
    if not others.select_for_update().exists():
        raise InvalidTransitionError(
            f"{leaving.user.get_username()!r} is the last editor of {blog.slug!r}; make "
            "someone else an editor first.",
            field="role",
        )


def may_see_withdrawn(user: User, blog_ids: set[int]) -> bool:
    """Whether the user may still load files withdrawn from these blogs: a member of one.

    Editors look back at a retraction in the admin; readers get 410 Gone (``views.media_file``).
    """
    return is_editor(user) and member_blogs(user).filter(pk__in=blog_ids).exists()
