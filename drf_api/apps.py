from django.apps import AppConfig


class DrfApiConfig(AppConfig):
    """The project package as an app: its static files and its schema extensions."""

    name = "drf_api"
    verbose_name = "drf_api"

    def ready(self):
        from drf_api import schema  # noqa: F401  (registers the OpenAPI extensions)
