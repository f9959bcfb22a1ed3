"""An update never creates: a PUT/PATCH whose row is deleted while it is being written is a 404 and
leaves the row deleted; and the post's delete lock holds for admin as for the API."""
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.signals import post_init, pre_delete
from django.test import Client

from comments.models import Comment
from comments.tests.factories import CommentFactory
from drf_api.models import RowDeleted
from likes.models import Like
from messaging.models import Message
from messaging.tests.factories import MessageFactory
from posts.models import Post
from posts.tests.factories import PostFactory
from profiles.models import Profile
from testing.clients import bearer_client
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def deleted_once_read(model):
    """A post_init receiver that deletes the row the view has just read, once: the DELETE that wins
    the race between the view's read and its write."""

    def delete_it(sender, instance, **kwargs):
        post_init.disconnect(delete_it, sender=model)
        model._base_manager.filter(pk=instance.pk).delete()

    return delete_it


CASES = {
    "post": (Post, lambda: PostFactory(), lambda post: (post.owner, f"/posts/{post.id}/", {"title": "Edited"})),
    "comment": (Comment, lambda: CommentFactory(),
                lambda comment: (comment.owner, f"/comments/{comment.id}/", {"content": "Edited"})),
    "profile": (Profile, lambda: UserFactory().profile,
                lambda profile: (profile.owner, f"/profiles/{profile.id}/", {"name": "Edited"})),
    "message": (Message, lambda: MessageFactory(),
                lambda message: (message.sender, f"/messages/{message.id}/update/", {"content": "Edited"})),
}


@pytest.mark.parametrize("kind", CASES)
def test_a_patch_whose_row_is_deleted_meanwhile_is_404_and_creates_nothing(kind):
    model, make, request = CASES[kind]
    row = make()
    owner, path, payload = request(row)
    client = bearer_client(owner)
    assert client.patch(path, payload, format="json").status_code == 200, "positive control"
    receiver = deleted_once_read(model)
    post_init.connect(receiver, sender=model)
    try:
        response = client.patch(path, payload, format="json")
    finally:
        post_init.disconnect(receiver, sender=model)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert not model.objects.filter(pk=row.pk).exists(), "the deleted row stays deleted"


def test_a_user_renamed_after_being_deleted_is_not_recreated():
    user = UserFactory()
    get_user_model().objects.filter(pk=user.pk).delete()
    user.username = "back_from_the_dead"
    with pytest.raises(RowDeleted):
        user.save()
    assert not get_user_model().objects.filter(pk=user.pk).exists()


def test_a_save_of_a_new_row_and_of_a_live_row_work_as_before():
    post = PostFactory(title="First")
    post.title = "Second"
    post.save()
    assert Post.objects.get(pk=post.pk).title == "Second"
    assert Post.objects.filter(title="Second").count() == 1


# --- the post's delete lock holds for every delete ------------------------------------------------


def admin_client():
    admin = get_user_model().objects.create_superuser(f"root{UserFactory().pk}", "root@example.com", "pw-admin-1")
    client = Client()
    client.force_login(admin)
    return client


ADMIN_DELETES = {
    "admin's delete page": lambda client, post: client.post(f"/admin/posts/post/{post.id}/delete/", {"post": "yes"}),
    "admin's delete-selected action": lambda client, post: client.post(
        "/admin/posts/post/", {"action": "delete_selected", "_selected_action": [post.id], "post": "yes"}
    ),
}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lock waits need a server database")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("delete", ADMIN_DELETES)
def test_an_admin_delete_holds_the_post_so_a_like_committing_meanwhile_loses_cleanly(delete):
    """A like is written while an admin deletes its post, and commits just after the delete has
    collected the post's likes (from a pre_delete receiver). The post's lock makes that commit
    wait for the delete (the database's lock wait is observed) and then fail on its foreign key;
    without the lock the like committed first and the admin's delete failed instead."""
    import psycopg

    post, fan, client = PostFactory(), UserFactory(), admin_client()
    config = connection.settings_dict
    params = {"dbname": config["NAME"], "user": config["USER"], "password": config["PASSWORD"] or None,
              "host": config["HOST"], "port": config["PORT"] or None}
    writer, monitor = psycopg.connect(**params), psycopg.connect(**params, autocommit=True)
    writer.execute("INSERT INTO likes_like (owner_id, post_id, created_at) VALUES (%s, %s, now())", [fan.id, post.id])
    outcome = {}

    def commit_the_like():
        try:
            writer.commit()
            outcome["like"] = "committed"
        except psycopg.errors.ForeignKeyViolation:
            outcome["like"] = "refused: the post is gone"

    committer = threading.Thread(target=commit_the_like)

    def commit_the_like_meanwhile(sender, instance, **kwargs):
        pre_delete.disconnect(commit_the_like_meanwhile, sender=Post)
        committer.start()
        deadline = time.monotonic() + 10
        while committer.is_alive() and time.monotonic() < deadline:
            waiting = monitor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid = %s",
                [writer.info.backend_pid],
            ).fetchone()[0]
            if waiting:
                outcome["like waited for the delete"] = True
                return
            time.sleep(0.05)

    def admin_deletes():
        try:
            outcome["response"] = ADMIN_DELETES[delete](client, post)
        except Exception as error:  # the failure is what the test reports
            outcome["error"] = error
        finally:
            connection.close()

    pre_delete.connect(commit_the_like_meanwhile, sender=Post)
    try:
        admin = threading.Thread(target=admin_deletes)
        admin.start()
        admin.join(timeout=30)
        committer.join(timeout=30)
    finally:
        pre_delete.disconnect(commit_the_like_meanwhile, sender=Post)
        writer.close()
        monitor.close()
    assert "error" not in outcome, outcome.get("error")
    assert outcome.get("like waited for the delete"), outcome
    assert outcome["like"] == "refused: the post is gone"
    assert outcome["response"].status_code == 302
    assert not Post.objects.filter(pk=post.pk).exists()
    assert not Like.objects.filter(post_id=post.pk).exists()
