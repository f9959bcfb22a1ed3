"""The project's URLs plus one view that fails, to see what a client gets from a server error."""
from django.urls import path

from drf_api.urls import handler400, handler403, handler404, handler500, urlpatterns as project_urlpatterns  # noqa: F401


def broken_view(request):
    raise RuntimeError("secret internals that must never reach a client")


urlpatterns = [path("broken/", broken_view), *project_urlpatterns]
