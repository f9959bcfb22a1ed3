import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from rest_framework.test import APIClient

from comments.models import Comment
from followers.models import Follower
from likes.models import Like
from messaging.models import Message
from notifications.models import Notification
from posts.models import Post

pytestmark = pytest.mark.django_db

MODELS = [get_user_model(), Post, Comment, Like, Follower, Message, Notification]


def seed(*args):
    out = io.StringIO()
    call_command("seed_demo", "--users", "5", "--posts-per-user", "2", *args, stdout=out)
    return out.getvalue()


def counts():
    return [model.objects.count() for model in MODELS]


def test_seed_builds_a_social_graph_with_images_and_a_progress_bar():
    output = seed()
    assert counts()[:2] == [5, 10]
    assert all(count > 0 for count in counts())
    assert "[##############################] 100%" in output
    post = Post.objects.first()
    assert post.image and post.image.read(3) == b"\xff\xd8\xff"
    assert set(Post.objects.values_list("image_filter", flat=True)) <= set(Post.ImageFilter.values)
    body = APIClient().get("/profiles/").json()["results"][0]
    assert "/media/images/profiles/" in body["image"]


def test_seed_is_idempotent_and_prints_passwords_once():
    first = seed()
    passwords = dict(re.findall(r"^  (demo_\w+)\s+(\S+)$", first, re.MULTILINE))
    assert len(passwords) == 5
    assert len(set(passwords.values())) == 5, "every demo user gets its own password"
    before = counts()
    second = seed()
    assert counts() == before
    assert "demo_" not in second.split("Demo data ready")[1].split("\n", 1)[1]
    username, password = next(iter(passwords.items()))
    login = APIClient().post("/dj-rest-auth/login/", {"username": username, "password": password}, format="json")
    assert login.status_code == 200


def test_seed_with_a_known_password():
    output = seed("--password", "demo-pass-1234")
    assert "demo-pass-1234" not in output
    login = APIClient().post(
        "/dj-rest-auth/login/", {"username": "demo_grace", "password": "demo-pass-1234"}, format="json"
    )
    assert login.status_code == 200


def test_seed_shows_a_block_a_mute_and_open_reports_in_the_queue(admin_client):
    from moderation.models import Report
    from safety.models import Block, Mute

    seed()
    assert Block.objects.count() == 1 and Mute.objects.count() == 1
    block = Block.objects.get()
    assert not Follower.objects.filter(owner=block.owner, followed=block.blocked).exists()
    assert not Follower.objects.filter(owner=block.blocked, followed=block.owner).exists()
    assert Report.objects.filter(status="open").count() >= 3
    assert {"post", "comment", "message"} <= set(Report.objects.values_list("target_type", flat=True))
    queue = admin_client.get("/admin/moderation/report/")
    assert queue.status_code == 200
    assert queue.content.count(b'class="field-status">open<') >= 3
