from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class DrfApiConfig(AppConfig):
    """The project package as an app: its static files and its schema extensions."""

    default = True
    name = "drf_api"
    verbose_name = "drf_api"

    def ready(self):
        from drf_api import checks, logs, schema  # noqa: F401  (registers the system checks and OpenAPI extensions)

        logs.install()


class AdminConfig(admin_apps.AdminConfig):
    """Django admin, on our site (drf_api.admin.AdminSite): its login form is throttled."""

    default = False
    default_site = "drf_api.admin.AdminSite"
