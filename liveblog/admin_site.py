"""The admin site: Django's, with a "view on site" redirect that respects membership.

Django's own ``/admin/r/<content type>/<id>/`` sends any staff user to any object's public
URL, and a draft blog's URL (or one of its entries') names its unannounced slug. Here the
redirect is given only to those the object's admin lets see it (``has_view_permission``,
membership for blogs and entries); everyone else gets the 404 an unknown object gets.
Installed as the default site by ``liveblog.apps.LiveblogAdminConfig``.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.urls import NoReverseMatch, URLPattern, URLResolver, path


class LiveblogAdminSite(admin.AdminSite):
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
