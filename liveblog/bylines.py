"""Bylines: who wrote an update, as readers see it ("Ana Petrosyan, in Yerevan").

A byline is a display name, an optional role and an optional location. It comes from the
writer's profile (``Profile``, which each user edits), whose name defaults to the user's full
name; the desk may override it per update for agency copy ("Reuters"). It never falls back
to the login name, which readers must not see: a user with neither writes updates that name
nobody. The byline is copied into the update's events when it is written, so a profile
changed later does not rewrite earlier updates, and a rebuild gives the same bylines.
"""

from __future__ import annotations

import dataclasses
from typing import Any


@dataclasses.dataclass(frozen=True)
class Byline:
    name: str = ""
    role: str = ""
    location: str = ""

    def __bool__(self) -> bool:
        return bool(self.name)

    def __str__(self) -> str:
        return text(self.name, self.role, self.location)


#: An update that names nobody.
NO_BYLINE = Byline()


def text(name: str, role: str = "", location: str = "") -> str:
    """The byline as one line: "Ana Petrosyan, Correspondent, in Yerevan"; "" for none."""
    if not name:
        return ""
    parts = [name, *([role] if role else []), *([f"in {location}"] if location else [])]
    return ", ".join(parts)


def of_user(user: Any) -> Byline:
    """The byline a user's updates carry: their profile's, else their full name, else none."""
    from liveblog.models import Profile

    profile = Profile.objects.filter(user_id=user.pk).first()
    full_name = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    if profile is None:
        return Byline(name=full_name)
    return Byline(
        name=profile.display_name.strip() or full_name,
        role=profile.role.strip(),
        location=profile.location.strip(),
    )


def of_entry(entry: Any) -> Byline:
    """The byline an entry (or a desk entry) carries."""
    return Byline(entry.author_name, entry.author_role, entry.author_location)
