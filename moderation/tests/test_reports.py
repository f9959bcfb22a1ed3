"""Reports (POST/GET /reports/) and the moderation queue in Django admin: each action driven
through the admin as a moderator would, and the API's answers checked afterwards."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from comments.tests.factories import CommentFactory
from messaging.tests.factories import MessageFactory
from moderation.models import Report
from posts.tests.factories import PostFactory
from safety.services import block_create
from testing.clients import bearer_client
from users.models import SessionFamily
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MISSING = 987654321
PASSWORD = "a-long-test-password-1"


def report(client, target_type, target_id, reason="spam", **extra):
    return client.post("/reports/", {"target_type": target_type, "target_id": target_id, "reason": reason, **extra},
                       format="json")


@pytest.fixture
def people():
    return UserFactory(username="reporter"), UserFactory(username="author"), UserFactory(username="third")


def test_report_each_kind_and_list_own_newest_first(people):
    reporter, author, third = people
    post = PostFactory(owner=author)
    comment = CommentFactory(owner=author, post=post)
    message = MessageFactory(sender=author, recipient=reporter)
    client = bearer_client(reporter)
    made = []
    for target_type, target_id in (("post", post.id), ("comment", comment.id), ("message", message.id),
                                   ("profile", author.profile.id)):
        response = report(client, target_type, target_id, reason="harassment", note=f"about the {target_type}")
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) == {"id", "target_type", "target_id", "reason", "note", "status", "created_at"}
        assert (body["target_type"], body["target_id"], body["status"]) == (target_type, target_id, "open")
        made.append(body)
    listed = client.get("/reports/").json()
    assert [row["id"] for row in listed["results"]] == [row["id"] for row in reversed(made)]
    assert listed["results"][0] == made[-1]
    # Nobody else sees them; anonymous is 401.
    assert bearer_client(third).get("/reports/").json()["count"] == 0
    assert APIClient().get("/reports/").status_code == 401
    assert report(APIClient(), "post", post.id).status_code == 401


def test_what_cannot_be_reported_is_a_clear_400_and_writes_nothing(people):
    reporter, author, third = people
    own_post = PostFactory(owner=reporter)
    post = PostFactory(owner=author)
    not_received = MessageFactory(sender=author, recipient=third)
    sent = MessageFactory(sender=reporter, recipient=author)
    blocked_post = PostFactory(owner=third)
    block_create(owner=third, blocked=reporter)
    client = bearer_client(reporter)
    bad = [
        ("post", own_post.id, {}),  # own content
        ("message", sent.id, {}),  # own message
        ("message", not_received.id, {}),  # not theirs
        ("post", blocked_post.id, {}),  # cannot see it
        ("post", MISSING, {}),  # unknown
        ("post", 2**70, {}),  # huge id
        ("post", "1\x00", {}),  # NUL byte
        ("tweet", post.id, {}),  # wrong type
        ("post", post.id, {"reason": "boring"}),  # unknown reason
        ("post", post.id, {"note": "x" * 1001}),  # note too long
        ("post", post.id, {"note": "a\x00b"}),  # NUL in the note
        ("post", post.id, {"note": 5}),  # not text
        ("post", -1, {}),
        ("post", None, {}),
    ]
    for target_type, target_id, extra in bad:
        response = report(client, target_type, target_id, **extra)
        assert response.status_code == 400, (target_type, target_id, extra, response.content)
    assert Report.objects.count() == 0
    assert report(client, "post", post.id, note="x" * 1000).status_code == 201
    again = report(client, "post", post.id, reason="hate")
    assert again.status_code == 400 and "already reported" in again.json()["detail"]
    assert Report.objects.count() == 1


def test_reports_are_throttled_with_retry_after(people, settings):
    reporter, author, _ = people
    settings.THROTTLING_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "reports": "3/hour"}
    client = bearer_client(reporter)
    posts = PostFactory.create_batch(5, owner=author)
    answers = [report(client, "post", post.id).status_code for post in posts]
    assert answers == [201, 201, 201, 429, 429]
    refused = report(client, "post", posts[-1].id)
    assert int(refused["Retry-After"]) > 0 and refused.json()["detail"]
    assert client.get("/reports/").status_code == 200  # reading one's reports is not counted


def test_the_reports_list_stays_constant_in_queries(people):
    reporter, author, _ = people
    for post in PostFactory.create_batch(40, owner=author):
        Report.objects.create(reporter=reporter, author=author, target_type="post", target_id=post.id, post=post,
                              reason="spam")
    client = bearer_client(reporter)
    for size in (10, 40):
        with CaptureQueriesContext(connection) as queries:
            assert len(client.get("/reports/", {"page_size": size}).json()["results"]) == size
        assert len(queries.captured_queries) <= 3


# ---------------------------------------------------------------- the queue


def act(admin_client, action, *reports):
    response = admin_client.post("/admin/moderation/report/",
                                 {"action": action, "_selected_action": [each.id for each in reports]})
    assert response.status_code == 302, response.content[:500]


def test_the_queue_shows_open_reports_first_with_the_content_and_how_many_reports_it_has(admin_client, people):
    reporter, author, third = people
    post = PostFactory(owner=author, title="Spammy title", content="buy now")
    comment = CommentFactory(owner=author, content="a rude comment")
    dismissed = Report.objects.create(reporter=third, author=author, target_type="comment", target_id=comment.id,
                                      comment=comment, reason="hate", status="dismissed")
    for who in (reporter, third):
        assert report(bearer_client(who), "post", post.id).status_code == 201
    page = admin_client.get("/admin/moderation/report/").content.decode()
    assert page.index('class="field-status">open<') < page.index('class="field-status">dismissed<')
    assert "Spammy title: buy now" in page and "a rude comment" in page
    assert f"/admin/posts/post/{post.id}/change/" in page
    assert '<td class="field-open_reports">2</td>' in page
    for query in ("?status__exact=open", "?reason__exact=spam", "?target_type__exact=post"):
        filtered = admin_client.get(f"/admin/moderation/report/{query}").content.decode()
        assert f"/admin/moderation/report/{dismissed.id}/change/" not in filtered
    assert admin_client.get(f"/admin/moderation/report/{dismissed.id}/change/").status_code == 200


def test_hiding_content_removes_it_from_every_list_and_url_until_restored(admin_client, admin_user, people):
    reporter, author, third = people
    post = PostFactory(owner=author)
    comment = CommentFactory(owner=author, post=PostFactory(owner=third))
    message = MessageFactory(sender=author, recipient=reporter, content="spam link")
    client = bearer_client(reporter)
    for target_type, target_id in (("post", post.id), ("comment", comment.id), ("message", message.id)):
        assert report(client, target_type, target_id).status_code == 201
    assert report(bearer_client(third), "post", post.id).status_code == 201
    act(admin_client, "hide_content", *Report.objects.filter(reporter=reporter))

    assert set(Report.objects.values_list("status", "action").distinct()) == {("actioned", "hide")}
    assert set(Report.objects.values_list("handled_by", flat=True)) == {admin_user.id}
    assert all(Report.objects.values_list("handled_at", flat=True))
    for viewer in (APIClient(), bearer_client(author), bearer_client(third), client):
        assert viewer.get(f"/posts/{post.id}/").status_code == 404
        assert viewer.get(f"/comments/{comment.id}/").status_code == 404
        assert post.id not in {row["id"] for row in viewer.get("/posts/").json()["results"]}
        assert comment.id not in {row["id"] for row in viewer.get("/comments/").json()["results"]}
    assert bearer_client(author).patch(f"/posts/{post.id}/", {"title": "x"}, format="json").status_code == 404
    assert client.get(f"/messages/{author.id}/").json()["results"] == []
    assert bearer_client(author).patch(f"/messages/{message.id}/update/", {"content": "x"},
                                       format="json").status_code == 404
    assert report(client, "post", post.id).status_code == 400  # cannot report what nobody sees

    act(admin_client, "restore", *Report.objects.filter(reporter=reporter))
    assert set(Report.objects.filter(reporter=reporter).values_list("status", "action")) == {("dismissed", "restore")}
    assert APIClient().get(f"/posts/{post.id}/").status_code == 200
    assert APIClient().get(f"/comments/{comment.id}/").status_code == 200
    assert [row["id"] for row in client.get(f"/messages/{author.id}/").json()["results"]] == [message.id]


def test_deactivating_the_author_signs_them_out_and_hides_them_until_reactivated(admin_client, people):
    reporter, author, third = people
    author.set_password(PASSWORD)
    author.save()
    post = PostFactory(owner=author)
    signed_in = APIClient().post("/dj-rest-auth/login/", {"username": author.username, "password": PASSWORD},
                                 format="json").json()
    authors_client = APIClient()
    authors_client.credentials(HTTP_AUTHORIZATION=f"Bearer {signed_in['access_token']}")
    assert authors_client.get("/dj-rest-auth/user/").status_code == 200
    assert report(bearer_client(reporter), "post", post.id).status_code == 201
    act(admin_client, "deactivate_author", Report.objects.get())

    assert Report.objects.get().status == "actioned" and Report.objects.get().action == "deactivate"
    assert authors_client.get("/dj-rest-auth/user/").status_code == 401
    assert APIClient().post("/dj-rest-auth/token/refresh/", {"refresh": signed_in["refresh_token"]},
                            format="json").status_code == 401
    login = APIClient().post("/dj-rest-auth/login/", {"username": author.username, "password": PASSWORD},
                             format="json")
    assert login.status_code == 400
    assert SessionFamily.objects.filter(user=author, revoked_at=None).count() == 0
    viewer = bearer_client(third)
    assert viewer.get(f"/posts/{post.id}/").status_code == 404
    assert viewer.get(f"/profiles/{author.profile.id}/").status_code == 404
    assert author.profile.id not in {row["id"] for row in viewer.get("/profiles/").json()["results"]}
    assert viewer.post("/followers/", {"followed": author.id}, format="json").status_code == 400
    assert viewer.post(f"/messages/{author.id}/send/", {"content": "hi"}, format="json").status_code == 400

    act(admin_client, "restore", Report.objects.get())
    assert viewer.get(f"/posts/{post.id}/").status_code == 200
    login = APIClient().post("/dj-rest-auth/login/", {"username": author.username, "password": PASSWORD},
                             format="json")
    assert login.status_code == 200


def test_dismissing_changes_nothing_but_the_report(admin_client, admin_user, people):
    reporter, author, _ = people
    post = PostFactory(owner=author)
    assert report(bearer_client(reporter), "post", post.id).status_code == 201
    act(admin_client, "dismiss", Report.objects.get())
    dismissed = Report.objects.get()
    assert (dismissed.status, dismissed.action, dismissed.handled_by) == ("dismissed", "dismiss", admin_user)
    assert APIClient().get(f"/posts/{post.id}/").status_code == 200
    assert bearer_client(reporter).get("/reports/").json()["results"][0]["status"] == "dismissed"
    # A new report on the same target may be opened once the old one is closed.
    assert report(bearer_client(reporter), "post", post.id).status_code == 201
