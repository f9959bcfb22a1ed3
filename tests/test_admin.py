"""Django admin for every model: changelists without per-row queries, add pages that open, and
rows that only the API's services may make (messages, chat deletions) offered to nobody."""
import importlib
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from comments.tests.factories import CommentFactory
from followers.tests.factories import FollowerFactory
from likes.tests.factories import LikeFactory
from messaging.tests.factories import MessageFactory
from posts.tests.factories import PostFactory
from realtime.models import OpenSocket
from testing.clients import bearer_client
from users import sessions
from users.models import SessionFamily
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "/admin/users/user/", "/admin/profiles/profile/", "/admin/posts/post/",
        "/admin/comments/comment/", "/admin/likes/like/", "/admin/followers/follower/",
        "/admin/messaging/message/", "/admin/messaging/chatdeletion/",
    ],
)
def test_admin_changelists_render_with_search_and_filters(client, db, path):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-admin-1")
    client.force_login(admin)
    assert client.get(path).status_code == 200
    assert client.get(path, {"q": "root"}).status_code == 200


ADMIN_CHANGELISTS = {
    "/admin/profiles/profile/": lambda: UserFactory(),
    "/admin/posts/post/": lambda: PostFactory(),
    "/admin/comments/comment/": lambda: CommentFactory(),
    "/admin/likes/like/": lambda: LikeFactory(),
    "/admin/followers/follower/": lambda: FollowerFactory(),
    "/admin/messaging/message/": lambda: MessageFactory(),
    "/admin/realtime/opensocket/": lambda: OpenSocket.objects.create(
        user=UserFactory(), channel_name=f"specific.{uuid.uuid4().hex}", expires_at=timezone.now()
    ),
}


@pytest.mark.parametrize("path", ADMIN_CHANGELISTS)
def test_admin_changelists_do_not_query_per_row(client, db, path, django_assert_max_num_queries):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-admin-1")
    client.force_login(admin)
    make_row = ADMIN_CHANGELISTS[path]
    for _ in range(3):
        make_row()
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    for _ in range(30):
        make_row()
    with django_assert_max_num_queries(len(few)):
        assert client.get(path).status_code == 200


def registered_models():
    from django.contrib import admin

    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


@pytest.mark.parametrize("model, model_admin", registered_models(), ids=lambda value: getattr(value, "__name__", ""))
def test_every_admin_add_page_opens_or_is_not_offered(client, rf, model, model_admin):
    admin_user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-admin-1")
    client.force_login(admin_user)
    request = rf.get("/")
    request.user = admin_user
    url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/add/"
    response = client.get(url)
    if model_admin.has_add_permission(request):
        assert response.status_code == 200, url
        assert client.post(url, {}).status_code == 200, "an empty form is answered with its errors"
    else:
        assert response.status_code == 403, url
    if model._meta.label in {"messaging.Message", "messaging.ChatDeletion"}:
        assert response.status_code == 403, "messages and chat deletions are made by the API's services"


def test_admin_cannot_add_a_message(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-admin-1"))
    alice, bob = UserFactory(), UserFactory()
    response = client.post("/admin/messaging/message/add/", {"content": "hi", "sender": alice.id, "recipient": bob.id})
    assert response.status_code == 403
    assert not bearer_client(alice).get(f"/messages/{bob.id}/").json()["results"]


def test_an_admin_can_sign_a_session_out(client, user):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-admin-1"))
    signed_in = sessions.issue_tokens(user)
    token, access = str(signed_in), str(signed_in.access_token)
    family = SessionFamily.objects.get(user=user)
    assert client.get("/admin/users/sessionfamily/").status_code == 200
    response = client.post(
        "/admin/users/sessionfamily/", {"action": "revoke", "_selected_action": [str(family.pk)]}
    )
    assert response.status_code == 302
    refused = APIClient().post("/dj-rest-auth/token/refresh/", {"refresh": token}, format="json")
    assert refused.status_code == 401
    signed_out = APIClient()
    signed_out.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert signed_out.get("/dj-rest-auth/user/").status_code == 401, "its access tokens die with it"


def spy(monkeypatch, module, name):
    """Record the calls of a service, which still does its work."""
    calls, real = [], getattr(module, name)

    def recorded(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(module, name, recorded)
    return calls


ADMIN_ADDS = {
    "likes.like": ("like_create", lambda: {"owner": UserFactory().id, "post": PostFactory().id}),
    "followers.follower": ("follow_create", lambda: {"owner": UserFactory().id, "followed": UserFactory().id}),
    "comments.comment": ("comment_create", lambda: {"owner": UserFactory().id, "post": PostFactory().id,
                                                    "content": "From the admin"}),
    "posts.post": ("post_create", lambda: {"owner": UserFactory().id, "title": "From the admin", "content": "",
                                           "image_filter": "normal"}),
}


@pytest.mark.parametrize("label", ADMIN_ADDS)
def test_the_admin_adds_through_the_apps_service(client, monkeypatch, label):
    """A row added in admin is made by the same service the API calls (its consequences alike),
    and the admin's log and redirect name that row."""
    from django.apps import apps
    from django.contrib.admin.models import LogEntry

    app_label, model_name = label.split(".")
    service, data = ADMIN_ADDS[label]
    calls = spy(monkeypatch, importlib.import_module(f"{app_label}.services"), service)
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-admin-1"))
    response = client.post(f"/admin/{app_label}/{model_name}/add/", data())
    assert response.status_code == 302, response.content
    row = apps.get_model(label).objects.get()
    assert len(calls) == 1
    assert LogEntry.objects.get().object_id == str(row.pk)


def test_the_admin_changes_and_deletes_through_the_apps_services(client, monkeypatch):
    import comments.services
    import posts.services

    updates = spy(monkeypatch, posts.services, "post_update")
    deletions = spy(monkeypatch, comments.services, "comment_delete")
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-admin-1"))
    post, comment = PostFactory(), CommentFactory()
    response = client.post(f"/admin/posts/post/{post.id}/change/", {
        "owner": post.owner_id, "title": "Renamed", "content": "", "image_filter": "lofi",
    })
    assert response.status_code == 302, response.content
    post.refresh_from_db()
    assert (post.title, post.image_filter, len(updates)) == ("Renamed", "lofi", 1)
    response = client.post(f"/admin/comments/comment/{comment.id}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert len(deletions) == 1 and not type(comment).objects.filter(pk=comment.pk).exists()
