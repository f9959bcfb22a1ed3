"""How a profile is read and shown: its columns, declared once (drf_api.reads).

A profile shows its owner, counts of who follows whom and the caller's follow, if any:
`%(user)s` is the caller's id (null when signed out). How many posts its owner wrote is the posts
app's column (posts/apps.py adds it), so that profiles need not know posts.
"""
from django.contrib.auth import get_user_model
from rest_framework import serializers

from drf_api.reads import Column, ReadPath, callers_column, id_column, moment_column
from drf_api.serializers import DisplayDateField
from followers.models import Follower
from media.images import image_columns, stored_image_url
from profiles.models import Profile

PROFILES, USERS, FOLLOWERS = Profile._meta.db_table, get_user_model()._meta.db_table, Follower._meta.db_table

def profile_image_column(name: str, alias: str, help_text: str) -> Column:
    """A person's profile image (the default one without an upload), shown beside what they wrote
    or sent: the profiles table joined as `alias`."""
    return Column(
        name, f"{alias}.image", serializers.URLField(read_only=True, help_text=help_text),
        show=stored_image_url(Profile._meta.get_field("image"), "DEFAULT_PROFILE_IMAGE"),
    )


PROFILE = ReadPath(
    "Profile", "A person's public profile, with who follows whom and the caller's follow.",
    f"{PROFILES} JOIN {USERS} AS u ON u.id = {PROFILES}.owner_id", model=Profile, columns=[
        id_column(PROFILES),
        Column("owner", "u.username", serializers.CharField(read_only=True, help_text="The owner's username.")),
        Column("user_id", f"{PROFILES}.owner_id",
               serializers.IntegerField(read_only=True, help_text="The owner's id.")),
        moment_column("created_at", f"{PROFILES}.created_at", DisplayDateField(read_only=True)),
        moment_column("updated_at", f"{PROFILES}.updated_at", DisplayDateField(read_only=True)),
        Column("name", f"{PROFILES}.name", serializers.CharField(read_only=True)),
        Column("content", f"{PROFILES}.content", serializers.CharField(read_only=True)),
        *image_columns(PROFILES, Profile, "DEFAULT_PROFILE_IMAGE", description="The profile's image"),
        callers_column("is_owner", f"{PROFILES}.owner_id", "Whether it is the caller's profile."),
        Column("following_id", f"(SELECT f.id FROM {FOLLOWERS} AS f "
               f"WHERE f.followed_id = {PROFILES}.owner_id AND f.owner_id = %(user)s)",
               serializers.IntegerField(read_only=True, allow_null=True, help_text="The caller's follow.")),
        Column("followers_count", f"(SELECT COUNT(*) FROM {FOLLOWERS} AS f WHERE f.followed_id = {PROFILES}.owner_id)",
               serializers.IntegerField(read_only=True)),
        Column("following_count", f"(SELECT COUNT(*) FROM {FOLLOWERS} AS f WHERE f.owner_id = {PROFILES}.owner_id)",
               serializers.IntegerField(read_only=True)),
    ],
)
