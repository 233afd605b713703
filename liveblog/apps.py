from django.apps import AppConfig


class LiveblogConfig(AppConfig):
    name = "liveblog"
    verbose_name = "Live blogs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from liveblog import checks  # noqa: F401 - registers the system checks
