from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from users import sessions
from users.models import SessionFamily, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["id", "username", "email", "is_active", "is_staff", "date_joined", "last_login"]
    list_filter = ["is_active", "is_staff", "is_superuser", "date_joined"]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["-date_joined"]


@admin.register(SessionFamily)
class SessionFamilyAdmin(admin.ModelAdmin):
    """Sign-ins and their refresh tokens (users/sessions.py): see who is signed in, sign them out."""

    list_display = ["user", "created_at", "rotated_at", "current_expires_at", "revoked_at", "revoked_because"]
    list_select_related = ["user"]
    list_filter = ["revoked_because", "created_at"]
    search_fields = ["user__username"]
    fields = ["user", "created_at", "rotated_at", "current_expires_at", "revoked_at", "revoked_because"]
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        # A sign-in starts a family; nothing else does.
        return False

    @admin.action(description="Sign out the selected sessions")
    def revoke(self, request, queryset):
        revoked = sessions.revoke_families(queryset, SessionFamily.Revoked.ADMIN)
        self.message_user(request, f"{revoked} session(s) signed out.")
