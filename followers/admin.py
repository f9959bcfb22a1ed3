from django.contrib import admin

from followers.models import Follower


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "followed", "created_at"]
    list_select_related = ["owner", "followed"]
    search_fields = ["owner__username", "followed__username"]
    list_filter = ["created_at"]
    autocomplete_fields = ["owner", "followed"]
    readonly_fields = ["created_at"]
