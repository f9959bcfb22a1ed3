from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    """The WebSocket: pushes what happens to a user's conversations and notifications, as it happens.

    It listens to the messaging and notifications apps' writes (realtime/events.py); nothing
    imports it but the ASGI entry point, through settings.WEBSOCKET_URLCONF.
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "realtime"

    def ready(self):
        from realtime import events  # noqa: F401  (connects the receivers)
