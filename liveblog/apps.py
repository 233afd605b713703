from django.apps import AppConfig


class LiveblogConfig(AppConfig):
    name = "liveblog"
    verbose_name = "Live blogs"
    default_auto_field = "django.db.models.BigAutoField"
