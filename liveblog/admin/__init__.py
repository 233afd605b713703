"""The editors' workplace in Django's admin: one module per screen.

- ``blogs``: create, change, rename, open and close blogs (after a page saying what readers
  will see); choose their members and roles,
  and their labels.
- ``bylines``: each user's own byline (name, role, location), as readers see it.
- ``desk``: a blog's live desk, where updates are written, previewed and published.
- ``queues``: the desk's drafts, schedule and approval queue, and each unpublished update's
  page.
- ``entries``: entries with every revision; correct, retract, pin and mark key events.
- ``log``: the event log, read-only.
- ``tokens``: each editor's API tokens.

The admin is thin: ``liveblog.access`` decides who may act on which blog (the API asks it
too), and input becomes calls to ``liveblog.commands``, the functions the API calls. It
never saves an event or a projection row; only blog membership, which is access control and
not part of the log, is saved directly.

The site itself (``liveblog.admin_site``) stays outside this package: Django imports it
when ``admin.site`` is first used, which can be while this package is registering its
screens, and importing it from here would then build a second site and lose them.
"""

from liveblog.admin import blogs, bylines, desk, entries, log, tokens

__all__ = ["blogs", "bylines", "desk", "entries", "log", "tokens"]
