"""System checks that look at the data: blogs named before slugs were checked.

A blog created before ``liveblog.slugs`` may have a slug no URL can hold ("Stepanakert 20/9"):
readers cannot reach it and the list of blogs leaves it out. The log keeps its
``blog.created`` as it was; the fix is a ``blog.renamed`` event, which the admin appends
when an editor gives the blog a valid slug on its change page. Tagged ``database``: it runs
with ``migrate`` and with ``manage.py check --database default``.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DatabaseError
from django.urls import reverse

from liveblog import slugs


@register(Tags.database)
def check_blog_slugs(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """Warn about every blog whose slug cannot be part of its address, saying how to fix it."""
    if not databases:
        return []
    from liveblog.models import Blog

    try:
        named = list(Blog.objects.values_list("pk", "slug", "title"))
    except DatabaseError:  # not migrated yet: there is nothing to check
        return []
    return [
        Warning(
            f"Blog {pk} ({title!r}) has the slug {slug!r}, which cannot be part of a web "
            "address: readers cannot reach it and the list of blogs leaves it out.",
            hint=(
                f"Give it a valid slug (e.g. {slugs.suggest(slug)!r}) on its page in the "
                f"admin, {reverse('admin:liveblog_blog_change', args=[pk])}."
            ),
            obj=f"liveblog.Blog:{pk}",
            id="liveblog.W001",
        )
        for pk, slug, title in named
        if not slugs.is_valid(slug)
    ]
