"""DELETE /dj-rest-auth/user/: the account and everything of it goes, in one transaction; nothing
of anyone else's does; its tokens stop at once; its files leave storage after commit."""
from collections import Counter

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models.deletion import Collector
from rest_framework.test import APIClient

from comments.services import comment_create
from drf_api import background
from followers.services import follow_create
from likes.services import like_create
from messaging.models import ChatDeletion
from messaging.services import message_send
from moderation.models import Report
from moderation.services import report_create
from notifications.models import Notification
from posts.models import Post
from posts.tests.factories import PostFactory
from profiles.models import Profile
from safety.services import block_create, mute_create
from testing.images import image_upload
from users.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def sign_in(username, password=PASSWORD):
    client = APIClient()
    response = client.post("/dj-rest-auth/login/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.data['access_token']}")
    return client, response.data


def every_table_count():
    return Counter({model._meta.label: model._default_manager.count()
                    for model in apps.get_models() if model._meta.managed and not model._meta.proxy})


def cascade_of(user):
    """Every row Django's own cascade from the user would delete, by model label: the yardstick
    (it knows every foreign key to the user, through any chain, including models added later)."""
    collector = Collector(using="default")
    collector.collect([user])
    rows = {}
    for model, instances in collector.data.items():
        rows.setdefault(model._meta.label, set()).update(instance.pk for instance in instances)
    for queryset in collector.fast_deletes:
        rows.setdefault(queryset.model._meta.label, set()).update(queryset.values_list("pk", flat=True))
    return Counter({label: len(pks) for label, pks in rows.items() if pks})


@pytest.fixture
def world():
    """An account with something of every kind, and two other people with theirs."""
    gone, friend, stranger = (UserFactory(username=name) for name in ("gone", "friend", "stranger"))
    profile = Profile.objects.get(owner=gone)
    profile.image = image_upload("face.png", size=(30, 20))
    profile.save()
    own_post = PostFactory(owner=gone, image=image_upload("own.png", size=(40, 24)))
    friends_post = PostFactory(owner=friend, image=image_upload("friend.png", size=(24, 40)))
    PostFactory(owner=stranger)
    like_create(owner=gone, post=friends_post)
    like_create(owner=friend, post=own_post)
    like_create(owner=stranger, post=friends_post)
    comment_create(owner=gone, post=friends_post, content="mine, on theirs")
    comment_create(owner=friend, post=own_post, content="theirs, on mine")
    kept_comment = comment_create(owner=stranger, post=friends_post, content="nothing to do with gone")
    follow_create(owner=gone, followed=friend)
    follow_create(owner=friend, followed=gone)
    follow_create(owner=stranger, followed=friend)
    sent = message_send(sender=gone, recipient=friend, content="hello", image=image_upload("sent.png", size=(50, 10)))
    received = message_send(sender=friend, recipient=gone, content="hi", image=image_upload("got.png", size=(10, 50)))
    message_send(sender=friend, recipient=stranger, content="between the others")
    ChatDeletion.objects.create(owner=friend, partner=gone, up_to_message_id=sent.id)
    report_create(reporter=gone, target_type="comment", target_id=kept_comment.id, reason="spam")
    report_create(reporter=friend, target_type="post", target_id=own_post.id, reason="spam")
    report_create(reporter=friend, target_type="message", target_id=sent.id, reason="harassment")
    report_create(reporter=stranger, target_type="post", target_id=friends_post.id, reason="spam")
    block_create(owner=gone, blocked=stranger)
    mute_create(owner=friend, muted=gone)
    assert Notification.objects.filter(recipient=gone).exists() and Notification.objects.filter(actor=gone).exists()
    files = [profile.image.name, own_post.image.name, sent.image.name, received.image.name]
    assert all(default_storage.exists(name) for name in files)
    return {"gone": gone, "friend": friend, "stranger": stranger, "files": files, "friends_post": friends_post,
            "kept_file": friends_post.image.name}


def test_deletion_removes_every_row_of_the_account_and_nothing_else(world):
    gone, friend = world["gone"], world["friend"]
    client, _ = sign_in("gone")
    before = every_table_count()
    expected = cascade_of(gone)
    assert expected["posts.Post"] == 1 and expected["messaging.Message"] == 2 and expected["moderation.Report"] == 3
    friends_post_before = APIClient().get(f"/posts/{world['friends_post'].id}/").json()
    friend_profile = Profile.objects.get(owner=friend).id
    friend_before = APIClient().get(f"/profiles/{friend_profile}/").json()

    response = client.delete("/dj-rest-auth/user/", {"password": PASSWORD}, format="json")
    assert response.status_code == 204, response.content
    assert background.wait_idle()

    after = every_table_count()
    removed = +(before - after)
    # Exactly what the cascade would remove (session families, e-mail address and log entries
    # included), and nothing more, except the files' pending-deletion records that came and went.
    assert removed == +expected, (removed, expected)
    assert not get_user_model().objects.filter(username="gone").exists()
    assert not Report.objects.filter(handled_by=gone.id).exists()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM posts_shown_count WHERE owner_id = %s", [gone.id])
            assert cursor.fetchone()[0] == 0
    # The files: the account's are gone from storage, everyone else's stay.
    assert [name for name in world["files"] if default_storage.exists(name)] == []
    assert default_storage.exists(world["kept_file"])

    # Other people's counts dropped by what the account gave them.
    friends_post_after = APIClient().get(f"/posts/{world['friends_post'].id}/").json()
    assert (friends_post_before["likes_count"] - friends_post_after["likes_count"],
            friends_post_before["comments_count"] - friends_post_after["comments_count"]) == (1, 1)
    friend_after = APIClient().get(f"/profiles/{friend_profile}/").json()
    assert (friend_before["followers_count"] - friend_after["followers_count"],
            friend_before["following_count"] - friend_after["following_count"]) == (1, 1)


def test_after_deletion_tokens_login_and_urls_fail(world):
    gone = world["gone"]
    client, tokens = sign_in("gone")
    profile_id, post_id = Profile.objects.get(owner=gone).id, Post.objects.get(owner=gone).id
    assert client.delete("/dj-rest-auth/user/", {"password": PASSWORD}, format="json").status_code == 204

    assert client.get("/dj-rest-auth/user/").status_code == 401
    refresh = APIClient().post("/dj-rest-auth/token/refresh/", {"refresh": tokens["refresh_token"]}, format="json")
    assert refresh.status_code == 401
    login = APIClient().post("/dj-rest-auth/login/", {"username": "gone", "password": PASSWORD}, format="json")
    assert login.status_code == 400
    assert APIClient().get(f"/profiles/{profile_id}/").status_code == 404
    assert APIClient().get(f"/posts/{post_id}/").status_code == 404


@pytest.mark.parametrize("body", [{}, {"password": "wrong-password"}, {"password": ""}, {"password": 12345},
                                  {"password": "a\x00b"}, {"password": "x" * 129}])
def test_a_missing_or_wrong_password_is_400_and_deletes_nothing(world, body):
    client, _ = sign_in("gone")
    before = every_table_count()
    response = client.delete("/dj-rest-auth/user/", body, format="json")
    assert response.status_code == 400, response.content
    assert "password" in response.json()
    assert every_table_count() == before
    assert client.get("/dj-rest-auth/user/").status_code == 200
    assert all(default_storage.exists(name) for name in world["files"])


def test_deletion_needs_a_signed_in_caller(world):
    response = APIClient().delete("/dj-rest-auth/user/", {"password": PASSWORD}, format="json")
    assert response.status_code == 401
    assert get_user_model().objects.filter(username="gone").exists()


@pytest.mark.parametrize("how", ["the user's page", "the list's action"])
def test_an_admin_deleting_a_user_deletes_the_account_the_same_way(world, client, how):
    gone = world["gone"]
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    _, tokens = sign_in("gone")
    expected = cascade_of(gone)
    before = every_table_count()
    if how == "the user's page":
        response = client.post(f"/admin/users/user/{gone.id}/delete/", {"post": "yes"})
    else:
        response = client.post("/admin/users/user/", {"action": "delete_selected", "_selected_action": [gone.id],
                                                       "post": "yes"})
    assert response.status_code == 302, response.content[:2000]
    assert background.wait_idle()
    # (The admin's log entry of the deletion is a row added, which `+` leaves out of the difference.)
    assert +(before - every_table_count()) == +expected
    assert [name for name in world["files"] if default_storage.exists(name)] == []
    refresh = APIClient().post("/dj-rest-auth/token/refresh/", {"refresh": tokens["refresh_token"]}, format="json")
    assert refresh.status_code == 401


def test_password_guesses_on_delete_count_once_each_against_the_auth_rate(world, settings):
    settings.THROTTLING_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "dj_rest_auth": "3/min"}
    client, _ = sign_in("gone")
    # Counted per signed-in user, like every scoped limit (DRF): three guesses, then 429.
    statuses = [client.delete("/dj-rest-auth/user/", {"password": f"guess-{n}"}, format="json").status_code
                for n in range(4)]
    assert statuses == [400, 400, 400, 429]
    assert client.get("/dj-rest-auth/user/").status_code == 200  # reading is not counted
