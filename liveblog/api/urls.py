from django.urls import path, re_path
from drf_spectacular.views import SpectacularSwaggerView

from liveblog.api import views
from liveblog.api.schema import SchemaView
from liveblog.webhooks import api as webhooks

app_name = "api"

ENTRY = "blogs/<slug:slug>/entries/<uuid:entry_id>/"

urlpatterns = [
    path("blogs/", views.BlogListView.as_view(), name="blog-list"),
    path("blogs/<slug:slug>/", views.BlogDetailView.as_view(), name="blog-detail"),
    path("blogs/<slug:slug>/entries/", views.EntryListView.as_view(), name="entry-list"),
    path(ENTRY, views.EntryDetailView.as_view(), name="entry-detail"),
    path(f"{ENTRY}correct/", views.EntryCorrectView.as_view(), name="entry-correct"),
    path(f"{ENTRY}retract/", views.EntryRetractView.as_view(), name="entry-retract"),
    path(f"{ENTRY}pin/", views.EntryPinView.as_view(), name="entry-pin"),
    path(f"{ENTRY}key-event/", views.EntryKeyEventView.as_view(), name="entry-key-event"),
    path(f"{ENTRY}publish/", views.EntryPublishView.as_view(), name="entry-publish"),
    path(f"{ENTRY}return/", views.EntryReturnView.as_view(), name="entry-return"),
    path(f"{ENTRY}labels/", views.EntryLabelsView.as_view(), name="entry-labels"),
    path("blogs/<slug:slug>/labels/", views.BlogLabelsView.as_view(), name="blog-labels"),
    path("blogs/<slug:slug>/members/", views.MemberListView.as_view(), name="member-list"),
    path(
        "blogs/<slug:slug>/members/<str:username>/",
        views.MemberDetailView.as_view(),
        name="member-detail",
    ),
    path("blogs/<slug:slug>/events/", views.EventListView.as_view(), name="event-list"),
    path("blogs/<slug:slug>/media/", views.MediaListView.as_view(), name="media-list"),
    *webhooks.urlpatterns,
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # [\s\S], not ".": a path may hold an encoded newline (%0A), and it too gets JSON.
    re_path(r"^[\s\S]*$", views.UnknownEndpointView.as_view(), name="unknown"),
]
