"""The followers app listens to blocks: a block removes the follows between two users, both ways,
in the block's own transaction (their notifications go with them, by cascade)."""
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from followers.models import Follower
from safety.models import Block


@receiver(post_save, sender=Block, dispatch_uid="followers.block_removes_follows")
def block_removes_follows(sender, instance, created, raw=False, **kwargs):
    if created and not raw:
        one, other = instance.owner_id, instance.blocked_id
        Follower.objects.filter(Q(owner=one, followed=other) | Q(owner=other, followed=one)).delete()
