"""The admin site: Django's, named "liveblog", whose home lists the user's blogs with links to
their desks, and whose "view on site" redirect respects membership.

Django's own ``/admin/r/<content type>/<id>/`` sends any staff user to any object's public
URL, and a draft blog's URL (or one of its entries') names its unannounced slug. Here the
redirect is given only to those the object's admin lets see it (``has_view_permission``,
membership for blogs and entries); everyone else gets the 404 an unknown object gets.
Installed as the default site by ``liveblog.apps.LiveblogAdminConfig``.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Case, When
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import NoReverseMatch, URLPattern, URLResolver, path


class LiveblogAdminSite(admin.AdminSite):
    site_header = "liveblog"
    site_title = "liveblog"
    index_title = "Your blogs"
    index_template = "admin/liveblog/index.html"

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        """Django's home, headed by the user's blogs, each with its desk (newest first)."""
        from liveblog import access  # the site is built while the app registry loads
        from liveblog.models import Blog, Membership

        user = request.user
        blogs = access.member_blogs(user).order_by(
            Case(When(status=Blog.Status.LIVE, then=0), default=1), "-updated_at"
        )
        roles = dict(Membership.objects.filter(user_id=user.pk or 0).values_list("blog_id", "role"))
        context = {
            "my_blogs": [
                (blog, "editor" if user.is_superuser else roles.get(blog.pk, "editor"))
                for blog in blogs[:50]
            ],
            "can_start_blog": access.may_start_blog(user),
            **(extra_context or {}),
        }
        return super().index(request, context)

    def get_urls(self) -> list[URLResolver | URLPattern]:
        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path(
                    "r/<path:content_type_id>/<path:object_id>/",
                    self.admin_view(self.view_on_site),
                    name="view_on_site",
                )
        return urls

    def view_on_site(
        self, request: HttpRequest, content_type_id: str, object_id: str
    ) -> HttpResponseRedirect:
        """Redirect to the object's public page, if this user may see the object here."""
        missing = Http404(f"No object {object_id} of type {content_type_id} that you can see.")
        try:
            model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
            if model is None:  # a content type whose model is gone
                raise missing
            model_admin = self._registry[model]
            obj = model_admin.get_queryset(request).get(pk=object_id)
        except (KeyError, ObjectDoesNotExist, ValueError, ValidationError):
            raise missing from None
        if not model_admin.has_view_permission(request, obj):
            raise missing
        try:
            url = obj.get_absolute_url()
        except (AttributeError, NoReverseMatch):
            # No public page, or a blog named before slugs were checked (liveblog.slugs).
            raise Http404(f"{obj} has no page readers can open.") from None
        return HttpResponseRedirect(url)
