from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Notifications listen to the social apps' writes; those apps never import this one."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "notifications"

    def ready(self):
        from notifications import signals  # noqa: F401  (connects the receivers)
