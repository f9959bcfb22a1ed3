"""WSGI entry point, served by gunicorn (see Procfile)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drf_api.settings")

application = get_wsgi_application()

from drf_api.checks import refuse_to_start_if_misconfigured  # noqa: E402  (after Django is set up)

refuse_to_start_if_misconfigured()
