from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from profiles.models import Profile


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="profiles.create_profile")
def create_profile(sender, instance, created, raw=False, **kwargs):
    """Every user gets a profile, however it was made: API, admin, createsuperuser, shell."""
    if created and not raw:
        Profile.objects.get_or_create(owner=instance)
