"""ASGI entry point: Django for HTTP, the readers' push channel for WebSockets.

``liveblog.limits`` stands in front of both: oversized request bodies are refused before
Django reads them, and one address cannot hold more than its share of WebSockets.
``config.lifespan`` answers the server's start-up and shutdown around them.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Build the Django app first: it sets up the app registry that the imports below need.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from config import gc_tuning  # noqa: E402
from config.lifespan import ServerLifespan  # noqa: E402
from liveblog.limits import RequestBodyLimit, WebSocketConnectionLimit  # noqa: E402
from liveblog.routing import websocket_urlpatterns  # noqa: E402

http_app = ASGIStaticFilesHandler(django_asgi_app) if settings.SERVE_STATIC else django_asgi_app

router = ProtocolTypeRouter(
    {
        "http": RequestBodyLimit(http_app),
        # Counted first: a refused handshake costs neither a session lookup nor a query.
        "websocket": WebSocketConnectionLimit(
            # Readers are anonymous: no session or user lookup, which would also wrap every
            # message the server sends.
            AllowedHostsOriginValidator(URLRouter(websocket_urlpatterns))
        ),
    }
)

# Each server process's start-up and shutdown work, in order (config.lifespan): add it here.
application = ServerLifespan(router, steps=[gc_tuning.tuned_for_fan_out])
