"""System checks that look at the data: a migration history this version cannot continue,
and blogs named before slugs were checked. Tagged ``database``: they run with ``migrate``
(before it writes anything) and with ``manage.py check --database default``.

liveblog's migrations were squashed: a database that stopped part-way through the migrations
the squash replaces cannot be continued by this version, and Django would report nothing to
migrate and leave it on the old schema. The check refuses instead, naming the version to
upgrade it with first.

A blog created before ``liveblog.slugs`` may have a slug no URL can hold ("Stepanakert 20/9"):
readers cannot reach it and the list of blogs leaves it out. The log keeps its
``blog.created`` as it was; the fix is a ``blog.renamed`` event, which the admin appends
when an editor gives the blog a valid slug on its change page.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.db import DatabaseError, connections
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from liveblog import slugs

# The last commit that still has the migrations liveblog's squash replaced, one at a time.
UNSQUASHED_VERSION = "1a6c3ce"


@register(Tags.database)
def check_migration_history(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """Refuse a database migrated part-way into what liveblog's squashed migration replaces
    (other apps' squashes are theirs: the way out named here is liveblog's)."""
    messages: list[CheckMessage] = []
    for alias in databases or ():
        loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
        applied = set(loader.applied_migrations or ())
        for key, migration in loader.disk_migrations.items():
            if key[0] != "liveblog":
                continue
            done = [name for name in migration.replaces if name in applied]
            if done and len(done) < len(migration.replaces):
                messages.append(
                    Error(
                        f"The {alias!r} database was migrated to {done[-1][1]}, part-way into "
                        f"the migrations that {key[0]}.{key[1]} replaces; this version cannot "
                        "continue from there (migrate would leave it on the old schema).",
                        hint=(
                            f"Migrate it with version {UNSQUASHED_VERSION} first (git checkout "
                            f"{UNSQUASHED_VERSION}, then manage.py migrate), then come back "
                            "to this version and migrate again."
                        ),
                        id="liveblog.E001",
                    )
                )
    return messages


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
