from __future__ import annotations

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand

from liveblog.models import Blog

DEMO_USERNAME = "demo-editor"
FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"

#: The project's seed blogs: file, slug, real title, the newsroom's time zone.
SEED_BLOGS = [
    (
        "evn-report-artsakh-september-2023.txt",
        "artsakh-september-2023",
        # EVN Report's page (evnreport.com/new-updates/news-watch-artsakh-september-2023)
        # prints no title in its copied text; this is the title its address carries.
        "News Watch: Artsakh, September 2023",
        "Asia/Yerevan",
    ),
    (
        "oc-media-stepanakert-2023-09-20.txt",
        "stepanakert-2023-09-20",
        "Live updates | Stepanakert surrenders amidst Azerbaijani assault",
        "Asia/Tbilisi",
    ),
]


class Command(BaseCommand):
    help = (
        "Prepare a local demo: the demo editor account (credentials printed) and the seed "
        "blogs. Safe to run any number of times."
    )

    def handle(self, *args: object, **options: object) -> None:
        credentials = Path(settings.BASE_DIR) / "var" / "demo-editor.txt"
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=DEMO_USERNAME, defaults={"is_staff": True}
        )
        if created or not credentials.exists():
            password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.is_staff = True
            user.save()
            credentials.parent.mkdir(exist_ok=True)
            credentials.write_text(password + "\n")
            credentials.chmod(0o600)
        password = credentials.read_text().strip()
        editors = Group.objects.filter(name="Editors").first()
        if editors:
            user.groups.add(editors)
        for filename, slug, title, time_zone in SEED_BLOGS:
            if Blog.objects.filter(slug=slug).exists():
                # Imported before: re-importing would turn editors' corrections back into
                # the source text ("updated in source").
                continue
            call_command(
                "import_liveblog",
                str(FIXTURES / filename),
                slug=slug,
                title=title,
                timezone=time_zone,
                stdout=self.stdout,
                stderr=self.stderr,
                verbosity=0,
            )
        # The demo editor may work on every blog, the seeds included.
        user.liveblogs.add(*Blog.objects.all())
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo editor: username {DEMO_USERNAME!r}, password {password!r} "
                f"(stored in {credentials.relative_to(settings.BASE_DIR)}). "
                "Log in at http://127.0.0.1:8000/admin/"
            )
        )
