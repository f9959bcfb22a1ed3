"""The project's URLs plus one view that fails, to see what a client gets from a server error."""
from django.urls import path

from drf_api.urls import handler400, handler403, handler404, handler500  # noqa: F401
from drf_api.urls import urlpatterns as project_urlpatterns


def broken_view(request):
    raise RuntimeError("secret internals that must never reach a client")


urlpatterns = [path("broken/", broken_view), *project_urlpatterns]
