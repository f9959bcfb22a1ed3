"""Two identical likes or follows at the same instant: one row, one 201 and one 400, never a 500.

The two requests provably overlap: a barrier in the server path (just before the row's INSERT)
lets neither insert until both have passed every check, so neither can see the other's row.
"""
import threading
from contextlib import contextmanager

import pytest
from django.db import connection
from django.db.models.signals import pre_save
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from followers.models import Follower
from likes.models import Like
from posts.tests.factories import PostFactory
from testing.clients import at_once
from users.tests.factories import UserFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="threads need a server database; on SQLite the gunicorn race test covers this",
)


@contextmanager
def both_reach_the_insert(model):
    """Hold each save of `model` until two are waiting: a BrokenBarrierError (a 500, failing the
    test) if the second request never arrives while the first is held."""
    barrier = threading.Barrier(2, timeout=10)

    def wait(sender, **kwargs):
        barrier.wait()

    pre_save.connect(wait, sender=model, dispatch_uid="both-reach-the-insert", weak=False)
    try:
        yield
    finally:
        pre_save.disconnect(sender=model, dispatch_uid="both-reach-the-insert")


def fire_twice_at_once(path, payload, user, model):
    token = str(RefreshToken.for_user(user).access_token)

    def send():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client.post(path, payload, format="json")

    with both_reach_the_insert(model):
        return sorted(at_once([send, send]), key=lambda response: response.status_code)


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_identical_likes_make_one_row_and_one_400():
    for _ in range(5):
        user, post = UserFactory(), PostFactory()
        created, rejected = fire_twice_at_once("/likes/", {"post": post.id}, user, Like)
        assert (created.status_code, rejected.status_code) == (201, 400)
        assert rejected.json() == {"detail": "possible duplicate"}
        assert Like.objects.filter(owner=user, post=post).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_identical_follows_make_one_row_and_one_400():
    for _ in range(5):
        user, other = UserFactory(), UserFactory()
        created, rejected = fire_twice_at_once("/followers/", {"followed": other.id}, user, Follower)
        assert (created.status_code, rejected.status_code) == (201, 400)
        assert rejected.json() == {"detail": "possible duplicate"}
        assert Follower.objects.filter(owner=user, followed=other).count() == 1
