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


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin that writes through its app's services, as the API does, so that whatever
    follows from a write happens whichever way it comes: `create(fields)` (the form's cleaned
    data) returns the new row, `update(row)` saves a row the form has changed, `delete(row)`."""

    def create(self, fields):
        raise NotImplementedError

    def update(self, row):
        row.save()

    def delete(self, row):
        row.delete()

    def save_model(self, request, obj, form, change):
        if change:
            self.update(obj)
            return
        created = self.create(dict(form.cleaned_data))
        # The admin's log entry and redirect name the row the service made.
        obj.pk, obj._state = created.pk, created._state

    def delete_model(self, request, obj):
        self.delete(obj)
