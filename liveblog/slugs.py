"""A blog's slug: the one rule for what may name a blog in its URLs.

A slug is what the URLs' ``<slug:...>`` path converter accepts (Django's ``SlugConverter``:
ASCII letters, digits, hyphens and underscores), at most ``MAX_LENGTH`` characters (the
column). Every way of naming a blog checks it here: the ``blog.created`` and
``blog.renamed`` events (so the commands, the admin's forms and the importers, whose files
and ``--slug`` go through them), and the system check that finds blogs named before the rule.
Django's ``slugify`` turns a name into a suggestion.
"""

from __future__ import annotations

import re

from django.urls.converters import SlugConverter
from django.utils.text import slugify

from liveblog.errors import InvalidEventError

MAX_LENGTH = 100
_SLUG = re.compile(SlugConverter.regex)


def is_valid(value: object) -> bool:
    """Whether ``value`` can name a blog: a URL can be built for it and leads to it."""
    return (
        isinstance(value, str) and len(value) <= MAX_LENGTH and _SLUG.fullmatch(value) is not None
    )


def suggest(value: str) -> str:
    """A valid slug made from ``value`` ("Stepanakert 20/9" -> "stepanakert-209")."""
    return slugify(value)[:MAX_LENGTH].strip("-_") or "blog"


def check(value: object) -> None:
    """Raise InvalidEventError (on the field ``slug``) unless ``value`` can name a blog."""
    if is_valid(value):
        return
    if not isinstance(value, str) or not value:
        raise InvalidEventError("A blog needs a slug: the name in its address.", field="slug")
    if len(value) > MAX_LENGTH:
        problem = f"is {len(value):,} characters long; the limit is {MAX_LENGTH}"
    else:
        problem = "cannot be part of a web address"
    raise InvalidEventError(
        f"The slug {value!r} {problem}. Use only the letters a-z and A-Z, digits, hyphens and "
        f"underscores, for example {suggest(value)!r}.",
        field="slug",
    )
