"""ASGI entry point (Procfile: gunicorn with uvicorn's worker): HTTP and the WebSocket, one process.

HTTP is Django's own ASGI handler, so the REST API behaves as under WSGI. The WebSocket's routes
come from settings.WEBSOCKET_URLCONF, as HTTP's come from ROOT_URLCONF.
"""
import os
from importlib import import_module

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drf_api.settings")
http_application = get_asgi_application()

from channels.routing import ProtocolTypeRouter  # noqa: E402  (after Django is set up)
from django.conf import settings  # noqa: E402

from drf_api.checks import refuse_to_start_if_misconfigured  # noqa: E402

refuse_to_start_if_misconfigured()

application = ProtocolTypeRouter(
    {"http": http_application, "websocket": import_module(settings.WEBSOCKET_URLCONF).websocket_application}
)
