"""Serializer pieces shared by the apps whose rows belong to a user."""
from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from drf_api.images import profile_image_url


class OwnedModelSerializer(serializers.ModelSerializer):
    """`owner` as a username, set from the caller on create, never from the body."""

    owner = serializers.ReadOnlyField(source="owner.username")


class OwnerAwareModelSerializer(OwnedModelSerializer):
    """Adds whether the caller is the owner."""

    is_owner = serializers.SerializerMethodField()

    def get_is_owner(self, obj) -> bool:
        request = self.context.get("request")
        return request is not None and request.user.id == obj.owner_id


class AuthoredModelSerializer(OwnerAwareModelSerializer):
    """Adds the owner's profile id and image (the queryset must select `owner__profile`)."""

    profile_id = serializers.ReadOnlyField(source="owner.profile.id")
    profile_image = serializers.SerializerMethodField()

    @extend_schema_field(serializers.URLField())
    def get_profile_image(self, obj):
        return profile_image_url(self.context.get("request"), obj.owner.profile)


class DuplicateSafeCreateMixin:
    """Creates in a savepoint and lets the database's unique constraint judge duplicates.

    No read-then-write check: two identical requests at the same instant both reach the
    INSERT, the database lets one through, and the other gets 400 "possible duplicate".
    """

    def create(self, validated_data):
        try:
            with transaction.atomic():
                return super().create(validated_data)
        except IntegrityError:
            raise serializers.ValidationError({"detail": "possible duplicate"}) from None
