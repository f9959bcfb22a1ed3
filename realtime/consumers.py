"""The one socket a client keeps open: `/ws/`. Protocol: README "Live events" and asyncapi.yml.

What a client may send is bounded per user, not per socket: at most WEBSOCKET_MAX_PER_USER
sockets at once (across every process), frames of at most WEBSOCKET_MAX_FRAME_BYTES, and at
most WEBSOCKET_FRAMES_PER_MINUTE frames over all of the user's sockets (counted in the shared
cache: Redis when there are several processes). A frame that is not a JSON object gets an
error and the socket stays open.
"""
import asyncio
import json
import logging
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from drf_api.proxies import mounted_under_forwarded_prefix
from drf_api.reads import caller_params
from messaging.models import Message
from messaging.querysets import messages_visible_to
from messaging.reads import MESSAGE
from notifications.querysets import notification_queryset
from notifications.serializers import NotificationSerializer
from realtime.auth import headers_of
from realtime.events import sign_in_group, user_group
from realtime.services import SIGN_IN_ENDED, socket_closed, socket_open
from safety.visibility import apart

logger = logging.getLogger(__name__)

# Close codes (documented in asyncapi.yml). The access token expired: reconnect with a fresh one.
TOKEN_EXPIRED = 4001
# The sign-in ended (logout, password change, reuse, an admin): sign in again.
SIGNED_OUT = 4003
# The user already holds WEBSOCKET_MAX_PER_USER sockets: this, the newest, is refused.
TOO_MANY_SOCKETS = 4029
# A frame over WEBSOCKET_MAX_FRAME_BYTES (the standard "message too big").
FRAME_TOO_LARGE = 1009
# At most one typing event per second from one socket to one person; more are dropped.
TYPING_INTERVAL_SECONDS = 1.0

# Renderings of a push for a user, shared by their sockets in this process (LiveConsumer.rendered):
# kept this long after the push arrived, long enough for every socket of the user to take it.
RENDERINGS: dict[tuple, asyncio.Future] = {}
RENDERING_KEPT_SECONDS = 5.0
# The handshake's headers that a rendering's URLs depend on (drf_api.proxies, SocketRequest).
URL_HEADERS = ("host", "x-forwarded-proto", "x-forwarded-prefix", "x-forwarded-for")


class SocketRequest(HttpRequest):
    """The handshake as a request, so events render exactly as the REST API renders them."""

    def __init__(self, scope, user):
        super().__init__()
        self.scope_scheme = "https" if scope.get("scheme") in ("wss", "https") else "http"
        self.META = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers_of(scope).items()}
        self.META.setdefault("HTTP_HOST", "localhost")
        self.path = self.path_info = scope.get("path", "/ws/")
        self.user = user

    def _get_scheme(self):
        return self.scope_scheme


def may_show_typing(user_id, other_id):
    """Whether `user_id` may show `other_id` they are typing: they share a conversation and
    neither blocks the other (safety.visibility)."""
    low, high = sorted((user_id, other_id))
    return Message.objects.filter(user_low=low, user_high=high).exists() and not apart(user_id, other_id)


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Sends the caller's own events; relays `typing` to people they share a conversation with."""

    async def connect(self):
        self.user = self.scope["user"]
        if not self.scope.get("origin_allowed") or not self.user.is_authenticated:
            await self.close()  # before accept: the handshake is refused with HTTP 403
            return
        family = self.scope.get("token_family")
        # The sign-in's group is joined before the socket counts as open (socket_open checks the
        # sign-in again), so no sign-out can slip between the handshake and the group.
        self.joined = [user_group(self.user.id), *([sign_in_group(family)] if family else [])]
        for group in self.joined:
            await self.channel_layer.group_add(group, self.channel_name)
        self.typing_sent = {}
        await self.accept(subprotocol=self.scope.get("token_subprotocol"))
        expires_at = self.scope["token_expires_at"]
        refusal = await database_sync_to_async(socket_open)(
            user_id=self.user.id, family_id=family, channel_name=self.channel_name, expires_at=expires_at
        )
        self.counted = refusal is None
        if refusal:
            await self.close(code=SIGNED_OUT if refusal == SIGN_IN_ENDED else TOO_MANY_SOCKETS)
            return
        seconds_left = (expires_at - timezone.now()).total_seconds()
        self.expiry = asyncio.get_running_loop().call_later(
            max(seconds_left, 0), lambda: asyncio.ensure_future(self.close(code=TOKEN_EXPIRED))
        )

    async def disconnect(self, code):
        if hasattr(self, "expiry"):
            self.expiry.cancel()
        for group in getattr(self, "joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        if getattr(self, "counted", False):
            await database_sync_to_async(socket_closed)(channel_name=self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Every client frame: its size, the user's frame rate, then JSON; never a traceback."""
        size = len(bytes_data) if text_data is None else len(text_data.encode())
        if size > settings.WEBSOCKET_MAX_FRAME_BYTES:
            await self.close(code=FRAME_TOO_LARGE)
            return
        if not await self.within_frame_rate():
            return
        if text_data is None:
            await self.send_error("Binary frames are not accepted: send JSON text.")
            return
        try:
            content = json.loads(text_data)
        except (ValueError, RecursionError) as error:
            logger.info("Socket of user %s sent a frame that is not JSON (%s)", self.user.id, type(error).__name__)
            await self.send_error("A frame must be a JSON object.")
            return
        await self.receive_json(content)

    async def within_frame_rate(self):
        """Count the frame against the user's rate (all their sockets); False drops it. The
        first frame over the rate in a minute is answered with an error, the rest dropped."""
        limit = settings.WEBSOCKET_FRAMES_PER_MINUTE
        window = int(time.time() // 60)
        key = f"ws-frames:{self.user.id}:{window}"
        if await cache.aadd(key, 1, timeout=61):
            return True
        try:
            count = await cache.aincr(key)
        except ValueError:  # the window's counter just expired
            return True
        if count == limit + 1:
            await self.send_error(f"Too many frames: at most {limit} a minute from all of your sockets together.")
        return count <= limit

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "typing":
            await self.relay_typing(content.get("to"))
        else:
            await self.send_error('Send {"type": "typing", "to": <user id>}; nothing else is accepted.')

    async def send_error(self, detail):
        await self.send_json({"type": "error", "data": {"detail": detail}})

    async def relay_typing(self, to):
        if not isinstance(to, int) or isinstance(to, bool) or to == self.user.id:
            await self.send_error('"to" must be the id of another user.')
            return
        now = time.monotonic()
        if now - self.typing_sent.get(to, float("-inf")) < TYPING_INTERVAL_SECONDS:
            return
        if not await database_sync_to_async(may_show_typing)(self.user.id, to):
            await self.send_error("You can only show you are typing to someone you share a conversation with.")
            return
        self.typing_sent[to] = now
        await self.channel_layer.group_send(
            user_group(to), {"type": "live.typing", "from": self.user.id, "username": self.user.username}
        )

    async def live_signed_out(self, event):
        await self.close(code=SIGNED_OUT)

    async def live_typing(self, event):
        await self.send_json({"type": "typing", "data": {"from": event["from"], "username": event["username"]}})

    async def live_event(self, event):
        data = event["data"] if "data" in event else await self.rendered(event)
        if data is not None:
            await self.send_json({"type": event["event"], "data": data})

    async def rendered(self, event):
        """render(), once per push for all of this user's sockets in this process that were opened
        the same way (scheme, host, proxy headers: what the URLs in it depend on). Ten tabs open
        read the event's object from the database once, not ten times."""
        key = (event.get("key"), self.user.id, self.scope.get("scheme"),
               *(headers_of(self.scope).get(name) for name in URL_HEADERS))
        if key[0] is None:
            return await database_sync_to_async(self.render)(event)
        rendering = RENDERINGS.get(key)
        if rendering is None:
            rendering = RENDERINGS[key] = asyncio.ensure_future(database_sync_to_async(self.render)(event))
            asyncio.get_running_loop().call_later(RENDERING_KEPT_SECONDS, RENDERINGS.pop, key, None)
        return await asyncio.shield(rendering)

    def render(self, event):
        """The REST representation of the event's object, as this user sees it (None if they no longer can)."""
        request = SocketRequest(self.scope, self.user)
        with mounted_under_forwarded_prefix(request):
            return self.represent(event, request)

    def represent(self, event, request):
        if event["event"].startswith("message."):
            visible = messages_visible_to(self.user).filter(id=event["id"])
            rows = list(MESSAGE.list(visible, caller_params(self.user), viewer=self.user))
            return MESSAGE.to_json(rows[0], request) if rows else None
        notification = notification_queryset(self.user).filter(id=event["id"]).first()
        return NotificationSerializer(notification, context={"request": request}).data if notification else None
