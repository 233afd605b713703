from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("liveblog.api.urls")),
    path("", include("liveblog.urls")),
]

# An unhandled error under /api/ is answered in the API's JSON error shape too.
handler500 = "liveblog.api.exceptions.server_error"
