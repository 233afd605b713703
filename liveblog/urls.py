from __future__ import annotations

from django.urls import path

from liveblog import views
from liveblog.feeds import BlogFeed

app_name = "liveblog"

urlpatterns = [
    path("", views.blog_list, name="blog_list"),
    path("blogs/<slug:slug>/", views.blog_page, name="blog"),
    path("blogs/<slug:slug>/updates/", views.blog_updates, name="updates"),
    path("blogs/<slug:slug>/feed/", BlogFeed(), name="feed"),
    path("blogs/<slug:slug>/entries/<uuid:entry_id>/", views.entry_page, name="entry"),
]
