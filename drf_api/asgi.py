"""ASGI entry point, for ASGI servers (uvicorn, daphne)."""
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "drf_api.settings")

application = get_asgi_application()
