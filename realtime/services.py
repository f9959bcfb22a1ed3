"""The socket's writes: a socket opening (counted against its user's cap) and closing."""
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from realtime.models import OpenSocket


@transaction.atomic
def socket_open(*, user_id: int, channel_name: str, expires_at) -> bool:
    """Count a new socket of the user; False (and nothing kept) when they hold the most allowed.

    The user's row is locked, so sockets opening at the same instant on any process are counted
    one after the other and never exceed the cap together.
    """
    list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk"))
    mine = OpenSocket.objects.filter(user_id=user_id)
    mine.filter(expires_at__lte=timezone.now()).delete()
    if mine.count() >= settings.WEBSOCKET_MAX_PER_USER:
        return False
    OpenSocket.objects.create(user_id=user_id, channel_name=channel_name, expires_at=expires_at)
    return True


def socket_closed(*, channel_name: str) -> None:
    OpenSocket.objects.filter(channel_name=channel_name).delete()
