"""The root URL configuration: every path sits at the server root (no /api/ prefix)."""
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from drf_api import views

urlpatterns = [
    path("", views.root, name="root"),
    path("health/", views.health, name="health"),
    path("csrf/", views.csrf, name="csrf"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
    path("dj-rest-auth/", include("users.auth_urls")),
    path("dj-rest-auth/", include("accounts.urls")),
    path("", include("users.urls")),
    path("", include("profiles.urls")),
    path("", include("posts.urls")),
    path("", include("comments.urls")),
    path("", include("likes.urls")),
    path("", include("followers.urls")),
    path("", include("messaging.urls")),
    path("", include("notifications.urls")),
    path("", include("safety.urls")),
    path("", include("moderation.urls")),
]

if not settings.USE_CLOUDINARY:
    # Local mode: media live on this disk, so this process serves them.
    urlpatterns.append(re_path(r"^media/(?P<path>.*)$", views.local_media, name="media"))

handler400 = "drf_api.views.bad_request"
handler403 = "drf_api.views.permission_denied"
handler404 = "drf_api.views.not_found"
handler500 = "drf_api.views.server_error"
