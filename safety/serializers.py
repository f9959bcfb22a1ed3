from django.contrib.auth import get_user_model
from rest_framework import serializers

from drf_api.serializers import OwnedModelSerializer, PrimaryKeyRelatedField
from safety.models import Block, Mute
from safety.visibility import visible


class VisibleRelatedField(PrimaryKeyRelatedField):
    """The id of a row the caller may see (safety/visibility.py, at its URL: mutes do not count);
    one they must not see is answered as one that does not exist."""

    def __init__(self, model, **kwargs):
        super().__init__(queryset=model._default_manager.all(), **kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return visible(super().get_queryset(), getattr(request, "user", None), listing=False)


def active_users():
    """Users one can block or mute: every active account, whoever blocks whom (a block of someone
    who blocks you must work, or it would tell you that they do)."""
    return get_user_model().objects.filter(is_active=True)


class PairSerializer(OwnedModelSerializer):
    """A row by which the caller (`owner`) acts on another user, never themselves."""

    other_field: str

    def validate(self, attrs):
        if attrs[self.other_field].id == self.context["request"].user.id:
            raise serializers.ValidationError({self.other_field: [f"You cannot {self.verb} yourself."]})
        return attrs


class BlockSerializer(PairSerializer):
    """A block: the caller (`owner`) blocks the user `blocked`."""

    other_field, verb = "blocked", "block"
    blocked = PrimaryKeyRelatedField(queryset=active_users(), help_text="The blocked user's id.")
    blocked_name = serializers.ReadOnlyField(source="blocked.username", help_text="The blocked user's username.")

    class Meta:
        model = Block
        fields = ["id", "owner", "blocked", "blocked_name", "created_at"]


class MuteSerializer(PairSerializer):
    """A mute: the caller (`owner`) mutes the user `muted`."""

    other_field, verb = "muted", "mute"
    muted = PrimaryKeyRelatedField(queryset=active_users(), help_text="The muted user's id.")
    muted_name = serializers.ReadOnlyField(source="muted.username", help_text="The muted user's username.")

    class Meta:
        model = Mute
        fields = ["id", "owner", "muted", "muted_name", "created_at"]
