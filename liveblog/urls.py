from __future__ import annotations

from django.conf import settings
from django.urls import path, re_path

from liveblog import views
from liveblog.feeds import BlogFeed, CorrectionsFeed

app_name = "liveblog"

urlpatterns = [
    path("", views.blog_list, name="blog_list"),
    path("blogs/<slug:slug>/", views.blog_page, name="blog"),
    path("blogs/<slug:slug>/updates/", views.blog_updates, name="updates"),
    path("blogs/<slug:slug>/feed/", BlogFeed(), name="feed"),
    path("blogs/<slug:slug>/entries/<uuid:entry_id>/", views.entry_page, name="entry"),
    path("blogs/<slug:slug>/corrections/", views.corrections_page, name="corrections"),
    path("blogs/<slug:slug>/corrections/feed/", CorrectionsFeed(), name="corrections_feed"),
]
if settings.MEDIA_URL.startswith("/"):
    # Local media (liveblog.media): the app serves them; a bucket serves its own.
    urlpatterns.append(
        re_path(
            rf"^{settings.MEDIA_URL.strip('/')}/(?P<name>[0-9a-f]{{2}}/[0-9a-f]{{64}}\.[a-z]+)$",
            views.media_file,
            name="media",
        )
    )
