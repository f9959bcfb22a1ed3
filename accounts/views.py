"""The signed-in user's account: read, edit, delete (`/dj-rest-auth/user/`) and export."""
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.export import SECTIONS, export_chunks
from accounts.serializers import AccountDeletionSerializer
from drf_api.throttling import UserRateThrottle
from users.views import UserDetailsView


class AccountView(UserDetailsView):
    """The signed-in user: read it, rename it, or delete the account (DELETE with the password)."""

    delete_has_body = True  # the password (documented by drf_api.schema.AutoSchema)

    def get_throttles(self):
        # A DELETE checks the password: its guesses are limited at the auth rate (the default scoped
        # throttle: per signed-in user, in the cache every process shares); other methods have no scope.
        self.throttle_scope = "dj_rest_auth" if self.request.method == "DELETE" else None
        return super().get_throttles()

    @extend_schema(
        request=AccountDeletionSerializer,
        responses={204: OpenApiResponse(description="Deleted, with everything of the account (see the README).")},
    )
    def delete(self, request, *args, **kwargs):
        """Delete the account, in one transaction, with its profile, posts, comments, likes, follows
        both ways, notifications both ways, blocks, mutes, reports, the messages it sent and
        received, and (after commit) their stored images. Its tokens are refused at once (401), its
        open sockets are closed (4003), and other people's counts drop. A missing or wrong
        password is a 400 and deletes nothing."""
        serializer = AccountDeletionSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        services.delete_account(request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


async def one_at_a_time(chunks):
    """A synchronous iterator (which reads the database) as an asynchronous one, each step run in
    the request's own thread."""
    done = object()
    while (chunk := await sync_to_async(next, thread_sensitive=True)(chunks, done)) is not done:
        yield chunk


class ExportThrottle(UserRateThrottle):
    """Exports per user: THROTTLE_RATE_EXPORT (5 an hour)."""

    scope = "account_export"


class AccountExport(APIView):
    """Everything the caller owns or received, as one JSON file to download."""

    permission_classes = [IsAuthenticated]
    throttle_classes = [*APIView.throttle_classes, ExportThrottle]

    @extend_schema(
        responses={200: OpenApiResponse(
            OpenApiTypes.OBJECT,
            description="`Content-Disposition: attachment; filename=\"<username>-export.json\"`. One object with "
            f"the keys {', '.join(f'`{name}`' for name in SECTIONS)}: `user` as GET /dj-rest-auth/user/ shows "
            "it, `profile` as GET /profiles/{id}/, and lists in the representations of GET /posts/, /comments/, "
            "/likes/, /followers/ (whom the caller follows, and who follows them), /messages/{user_id}/ (sent and "
            "received), /notifications/, /blocks/, /mutes/ and /reports/, oldest first. Streamed: its size "
            "is not known in advance.",
        )},
    )
    def get(self, request):
        """Download the caller's data (GDPR article 20)."""
        chunks = export_chunks(request)
        if isinstance(request._request, ASGIRequest):
            # Under ASGI (the `live` process) Django would read a synchronous iterator to its end
            # before sending a byte: hand it over a chunk at a time instead.
            chunks = one_at_a_time(chunks)
        response = StreamingHttpResponse(chunks, content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{request.user.username}-export.json"'
        return response
