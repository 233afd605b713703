"""ASGI entry point: Django for HTTP; the readers' push channel and the members' desk
channel for WebSockets.

``liveblog.clients`` stands in front of everything: the client's address is the one the
trusted proxies vouch for, never one a client wrote. ``liveblog.limits`` then guards both
protocols: oversized request bodies are refused before Django reads them, and one address
cannot hold more than its share of WebSockets. ``config.lifespan`` answers the server's
start-up and shutdown around them.
"""

import os

from django.core.asgi import get_asgi_application

from config.env import one_line_setting_errors

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# Build the Django app first: it sets up the app registry that the imports below need. A
# missing or malformed setting stops the server with one line that names it.
with one_line_setting_errors():
    django_asgi_app = get_asgi_application()

from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

from config import gc_tuning, local_env
from config.lifespan import ServerLifespan
from liveblog.clients import TrustedProxies
from liveblog.limits import RequestBodyLimit, WebSocketConnectionLimit
from liveblog.passthrough import FlatURLRouter, ProtocolRouter
from liveblog.routing import allowed_origins_only, websocket_urlpatterns
from liveblog.schedule import in_server_process as scheduled_updates
from liveblog.webhooks.worker import in_server_process as webhook_worker

with one_line_setting_errors():
    local_env.refuse_local_secret_in_production(
        debug=settings.DEBUG, supplied=settings.LOCAL_ENV_SUPPLIED
    )

http_app = ASGIStaticFilesHandler(django_asgi_app) if settings.SERVE_STATIC else django_asgi_app

# Channels' routers, except that they and the layers around them hand a connection on rather
# than await it: an idle reader keeps no frame of theirs (liveblog.passthrough).
router = ProtocolRouter(
    {
        "http": RequestBodyLimit(http_app),
        # Counted first: a refused handshake costs neither a session lookup nor a query.
        "websocket": WebSocketConnectionLimit(
            # Readers are anonymous: no session or user lookup, which would also wrap every
            # message the server sends.
            allowed_origins_only(FlatURLRouter(websocket_urlpatterns))
        ),
    }
)

# Each server process's start-up and shutdown work, in order (config.lifespan): add it here.
application = ServerLifespan(
    TrustedProxies(router), steps=[gc_tuning.tuned_for_fan_out, webhook_worker, scheduled_updates]
)
