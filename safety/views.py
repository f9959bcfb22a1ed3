"""Blocks and mutes: each caller sees, makes and removes only their own (anyone else's is a 404)."""
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated

from safety import services
from safety.models import Block, Mute
from safety.serializers import BlockSerializer, MuteSerializer
from safety.visibility import visible


class OwnRowsMixin:
    permission_classes = [IsAuthenticated]
    model: type

    def get_queryset(self):
        other = self.serializer_class.other_field  # the user blocked or muted
        return self.model.objects.filter(owner=self.request.user.id).select_related("owner", other)


class BlockList(OwnRowsMixin, generics.ListCreateAPIView):
    """The caller's blocks, newest first; block a user with `{"blocked": user id}`. While either
    of two users blocks the other, each is invisible to the other, their follows are gone and
    neither can follow or message the other. Nobody can learn who blocked them."""

    model = Block
    serializer_class = BlockSerializer

    def perform_create(self, serializer):
        serializer.instance = services.block_create(owner=self.request.user, **serializer.validated_data)


class BlockDetail(OwnRowsMixin, generics.RetrieveDestroyAPIView):
    """One of the caller's blocks; DELETE unblocks (removed follows stay removed)."""

    model = Block
    serializer_class = BlockSerializer

    def perform_destroy(self, instance):
        services.block_delete(block=instance)


class MuteList(OwnRowsMixin, generics.ListCreateAPIView):
    """The caller's mutes, newest first; mute a user with `{"muted": user id}`: their posts and
    comments leave the caller's lists and feed, and they raise no notifications for the caller."""

    model = Mute
    serializer_class = MuteSerializer

    def perform_create(self, serializer):
        serializer.instance = services.mute_create(owner=self.request.user, **serializer.validated_data)


class MuteDetail(OwnRowsMixin, generics.RetrieveDestroyAPIView):
    """One of the caller's mutes; DELETE unmutes."""

    model = Mute
    serializer_class = MuteSerializer

    def perform_destroy(self, instance):
        services.mute_delete(mute=instance)


class VisibleToCaller:
    """A generic view whose rows are only those the caller may see (safety/visibility.py): a list
    with `listing = True` (mutes apply), a detail with `listing = False` (they do not)."""

    listing = True

    def get_queryset(self):
        return visible(super().get_queryset(), self.request.user, listing=self.listing)
