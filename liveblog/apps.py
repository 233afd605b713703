from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class LiveblogConfig(AppConfig):
    name = "liveblog"
    verbose_name = "Live blogs"
    default_auto_field = "django.db.models.BigAutoField"
    default = True

    def ready(self) -> None:
        from liveblog import checks  # noqa: F401 - registers the system checks

        # Autodiscovery loads only liveblog.admin; the webhooks package registers its own.
        from liveblog.webhooks import admin  # noqa: F401


class LiveblogAdminConfig(admin_apps.AdminConfig):
    """Django's admin with liveblog's site (``liveblog.admin_site``) as ``admin.site``."""

    default = False
    default_site = "liveblog.admin_site.LiveblogAdminSite"
