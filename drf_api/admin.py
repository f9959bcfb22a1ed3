"""Django admin's site, with its login form throttled like the API's login."""
import math

from django.contrib import admin
from django.http import JsonResponse

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
