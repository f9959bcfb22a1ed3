from django.contrib import admin

from drf_api.admin import ServiceAdmin
from followers import services
from followers.models import Follower


@admin.register(Follower)
class FollowerAdmin(ServiceAdmin):
    list_display = ["id", "owner", "followed", "created_at"]
    list_select_related = ["owner", "followed"]
    search_fields = ["owner__username", "followed__username"]
    list_filter = ["created_at"]
    autocomplete_fields = ["owner", "followed"]
    readonly_fields = ["created_at"]

    def create(self, fields):
        return services.follow_create(owner=fields["owner"], followed=fields["followed"])

    def delete(self, row):
        services.follow_delete(follow=row)
