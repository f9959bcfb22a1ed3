"""The one socket a client keeps open: `/ws/`. Protocol: README "Live events" and asyncapi.yml."""
import asyncio
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.http import HttpRequest
from django.utils import timezone

from drf_api.proxies import mounted_under_forwarded_prefix
from messaging.models import Message
from messaging.querysets import messages_visible_to, thread_queryset, with_people
from messaging.serializers import MessageSerializer
from notifications.querysets import notification_queryset
from notifications.serializers import NotificationSerializer
from realtime.auth import headers_of
from realtime.events import user_group

# Close codes (documented in asyncapi.yml): the access token expired; reconnect with a fresh one.
TOKEN_EXPIRED = 4001
# At most one typing event per second from one socket to one person; more are dropped.
TYPING_INTERVAL_SECONDS = 1.0


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


def share_a_conversation(user_id, other_id):
    low, high = sorted((user_id, other_id))
    return Message.objects.filter(user_low=low, user_high=high).exists()


class LiveConsumer(AsyncJsonWebsocketConsumer):
    """Sends the caller's own events; relays `typing` to people they share a conversation with."""

    async def connect(self):
        self.user = self.scope["user"]
        if not self.scope.get("origin_allowed") or not self.user.is_authenticated:
            await self.close()  # before accept: the handshake is refused with HTTP 403
            return
        self.group = user_group(self.user.id)
        self.typing_sent = {}
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept(subprotocol=self.scope.get("token_subprotocol"))
        seconds_left = (self.scope["token_expires_at"] - timezone.now()).total_seconds()
        self.expiry = asyncio.get_running_loop().call_later(
            max(seconds_left, 0), lambda: asyncio.ensure_future(self.close(code=TOKEN_EXPIRED))
        )

    async def disconnect(self, code):
        if hasattr(self, "group"):
            self.expiry.cancel()
            await self.channel_layer.group_discard(self.group, self.channel_name)

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
        if not await database_sync_to_async(share_a_conversation)(self.user.id, to):
            await self.send_error("You can only show you are typing to someone you share a conversation with.")
            return
        self.typing_sent[to] = now
        await self.channel_layer.group_send(
            user_group(to), {"type": "live.typing", "from": self.user.id, "username": self.user.username}
        )

    async def live_typing(self, event):
        await self.send_json({"type": "typing", "data": {"from": event["from"], "username": event["username"]}})

    async def live_event(self, event):
        data = event["data"] if "data" in event else await database_sync_to_async(self.render)(event)
        if data is not None:
            await self.send_json({"type": event["event"], "data": data})

    def render(self, event):
        """The REST representation of the event's object, as this user sees it (None if they no longer can)."""
        request = SocketRequest(self.scope, self.user)
        with mounted_under_forwarded_prefix(request):
            return self.represent(event, request)

    def represent(self, event, request):
        if event["event"].startswith("message."):
            message = with_people(messages_visible_to(self.user)).filter(id=event["id"]).first()
            if message is None:
                return None
            partner = message.recipient if message.sender_id == self.user.id else message.sender
            context = {"request": request, "conversation_newest": thread_queryset(self.user, partner).first()}
            return MessageSerializer(message, context=context).data
        notification = notification_queryset(self.user).filter(id=event["id"]).first()
        return NotificationSerializer(notification, context={"request": request}).data if notification else None
