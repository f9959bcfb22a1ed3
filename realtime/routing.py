"""The WebSocket URLs (settings.WEBSOCKET_URLCONF), behind the Host, JWT and origin checks."""
from channels.routing import URLRouter
from django.urls import path

from realtime.auth import AllowedHostsValidator, JWTAuthMiddleware
from realtime.consumers import LiveConsumer

websocket_urlpatterns = [path("ws/", LiveConsumer.as_asgi())]
websocket_application = AllowedHostsValidator(JWTAuthMiddleware(URLRouter(websocket_urlpatterns)))
