"""Deleting a user in Django admin is the account's deletion (accounts/services.py): the same rows,
files, ended sign-ins and closed sockets as when its owner deletes it. The users app registers
the user admin; this app, standing above it, makes its deletions go through the service."""
from django.contrib import admin
from django.contrib.auth import get_user_model

from accounts import services
from users.admin import UserAdmin

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class AccountAdmin(UserAdmin):
    def delete_model(self, request, obj):
        services.delete_account(obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            services.delete_account(user)
