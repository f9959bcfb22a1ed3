"""The socket's writes: a socket opening (counted against its user's cap) and closing."""
import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from realtime.models import OpenSocket
from users.sessions import live_families

SIGN_IN_ENDED = "sign-in ended"
TOO_MANY_SOCKETS = "too many sockets"


@transaction.atomic
def socket_open(*, user_id: int, family_id: uuid.UUID | None, channel_name: str, expires_at: datetime) -> str | None:
    """Count a new socket of the user, or say why it must close (nothing is then kept).

    Called once the socket has joined its sign-in's group: a sign-out from then on closes it, and
    one that came after the handshake's check is caught here. The user's row is locked, so
    sockets opening at the same instant on any process are counted one after the other and
    never exceed the cap together.
    """
    list(get_user_model().objects.select_for_update().filter(pk=user_id).values_list("pk"))
    if family_id is not None and not live_families().filter(pk=family_id).exists():
        return SIGN_IN_ENDED
    mine = OpenSocket.objects.filter(user_id=user_id)
    mine.filter(expires_at__lte=timezone.now()).delete()
    if mine.count() >= settings.WEBSOCKET_MAX_PER_USER:
        return TOO_MANY_SOCKETS
    OpenSocket.objects.create(user_id=user_id, channel_name=channel_name, expires_at=expires_at)
    return None


def socket_closed(*, channel_name: str) -> None:
    OpenSocket.objects.filter(channel_name=channel_name).delete()
