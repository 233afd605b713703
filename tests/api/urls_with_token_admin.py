"""The project's URLs with the token admin registered.

``liveblog.admin`` imports ``liveblog.api.admin``; this import makes the admin tests
independent of that line, since the admin's URLs are built when ``config.urls`` loads.
"""

from django.contrib import admin
from django.urls import path

import liveblog.api.admin  # noqa: F401
from config.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("admin/", admin.site.urls),
    *(url for url in project_urlpatterns if str(url.pattern) != "admin/"),
]
