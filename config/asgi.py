"""ASGI entry point: Django for HTTP, the readers' push channel for WebSockets.

``liveblog.limits`` stands in front of both: oversized request bodies are refused before
Django reads them, and one address cannot hold more than its share of WebSockets.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Build the Django app first: it sets up the app registry that the imports below need.
django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402

from liveblog.limits import RequestBodyLimit, WebSocketConnectionLimit  # noqa: E402
from liveblog.routing import websocket_urlpatterns  # noqa: E402

http_app = ASGIStaticFilesHandler(django_asgi_app) if settings.SERVE_STATIC else django_asgi_app

application = ProtocolTypeRouter(
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

# Garbage collection, tuned for a process that pushes each update to thousands of readers
# (make bench, 1,000 readers). Everything loaded so far lives as long as the process, so it
# is frozen out of every later collection. And the young generation is collected after
# 50,000 allocations, not 700: a push allocates a few per reader, so the default collected
# several times within each one, promoting what was in flight; the old generation then
# filled up every few seconds, and each full collection held up a push by 50-100 ms.
gc.freeze()
gc.set_threshold(50_000, 10, 10)
