"""Django admin's site, with its login form throttled like the API's login."""
import math

from django.contrib import admin
from django.http import JsonResponse

from drf_api.models import PendingFileDeletion
from drf_api.throttling import AdminLoginThrottle


class AdminSite(admin.AdminSite):
    site_header = "drf_api administration"
    site_title = "drf_api admin"

    def login(self, request, extra_context=None):
        """Each sign-in attempt (a POST) counts against the client address's login rate."""
        if request.method == "POST":
            throttle = AdminLoginThrottle()
            if not throttle.allow_request(request, None):
                wait = math.ceil(throttle.wait() or 1)
                response = JsonResponse(
                    {"detail": f"Too many sign-in attempts. Try again in {wait} seconds."}, status=429
                )
                response["Retry-After"] = str(wait)
                return response
        return super().login(request, extra_context)


@admin.register(PendingFileDeletion)
class PendingFileDeletionAdmin(admin.ModelAdmin):
    """Stored files whose deletion failed: `python manage.py purge_media` retries them."""

    list_display = ["name", "created_at", "attempts", "last_error"]
    readonly_fields = ["name", "created_at", "attempts", "last_error"]

    def has_add_permission(self, request):
        return False
