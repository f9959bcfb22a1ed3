from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`: the `seed_demo` management command."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "demo"
