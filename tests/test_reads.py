"""The read paths (drf_api.reads; posts/reads.py, profiles/reads.py): each value is read by its
own column's SQL and shown under that column's name, whatever the table's order.

Images are rectangular here (30 by 12): a width read as the height, anywhere, shows.
"""
import io

import pytest
from PIL import Image

from drf_api.reads import Column, ReadPath, caller_params
from messaging.models import Message
from messaging.reads import MESSAGE
from posts.models import Post
from posts.reads import POST
from profiles.reads import PROFILE
from testing.clients import bearer_client
from testing.images import image_upload
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SIZE = (30, 12)


def stored_size(instance):
    with instance.image.open("rb") as file:
        return Image.open(io.BytesIO(file.read())).size


def shown_size(body):
    return body["image_width"], body["image_height"]


@pytest.fixture
def post(auth_client):
    response = auth_client.post("/posts/", {"title": "Wide", "image": image_upload("wide.png", size=SIZE)},
                                format="multipart")
    assert response.status_code == 201, response.content
    assert shown_size(response.json()) == SIZE
    return Post.objects.get(pk=response.json()["id"])


def test_a_posts_image_size_is_its_stored_files_in_the_answer_the_list_and_the_detail(auth_client, post):
    assert stored_size(post) == SIZE
    assert shown_size(auth_client.get("/posts/").json()["results"][0]) == SIZE
    assert shown_size(auth_client.get(f"/posts/{post.id}/").json()) == SIZE
    assert shown_size(auth_client.get("/posts/", {"cursor": ""}).json()["results"][0]) == SIZE


def test_a_profiles_image_size_is_its_stored_files_in_the_answer_the_list_and_the_detail(auth_client, user):
    response = auth_client.patch(f"/profiles/{user.profile.id}/", {"image": image_upload("me.png", size=SIZE)},
                                 format="multipart")
    assert shown_size(response.json()) == SIZE
    user.profile.refresh_from_db()
    assert stored_size(user.profile) == SIZE
    assert shown_size(auth_client.get(f"/profiles/{user.profile.id}/").json()) == SIZE
    listed = {row["id"]: row for row in auth_client.get("/profiles/").json()["results"]}
    assert shown_size(listed[user.profile.id]) == SIZE


def test_a_messages_image_size_is_its_stored_files_when_sent_edited_and_in_the_thread(auth_client, user):
    partner = UserFactory()
    response = auth_client.post(f"/messages/{partner.id}/send/", {"image": image_upload("wide.png", size=SIZE)},
                                format="multipart")
    assert response.status_code == 201, response.content
    assert shown_size(response.json()) == SIZE
    message = Message.objects.get(pk=response.json()["id"])
    assert stored_size(message) == SIZE
    edited = auth_client.patch(f"/messages/{message.id}/update/", {"content": "wide"}, format="json")
    assert edited.status_code == 200, edited.content
    assert shown_size(edited.json()) == SIZE
    assert shown_size(bearer_client(partner).get(f"/messages/{user.id}/").json()["results"][0]) == SIZE


def copy_of(path, columns):
    return ReadPath(path.name, path.description, path.tables, columns=columns)


def read_json(path, pk, user, rf):
    request = rf.get("/")
    return path.to_json(path.read_one(pk, caller_params(user)), request)


@pytest.mark.parametrize("path, pk", [
    (POST, lambda post: post.id), (PROFILE, lambda post: post.owner.profile.id),
    (MESSAGE, lambda post: Message.objects.create(sender=post.owner, recipient=UserFactory(), content="hi").id),
])
def test_the_tables_order_decides_only_the_order_of_the_keys(rf, post, path, pk):
    """The table reversed reads and shows the same values under the same names; only the keys'
    order (the schema's, too) follows the table."""
    reversed_path, row_id = copy_of(path, path.columns[::-1]), pk(post)
    as_declared = read_json(path, row_id, post.owner, rf)
    as_reversed = read_json(reversed_path, row_id, post.owner, rf)
    assert as_reversed == as_declared
    assert list(as_declared) == [column.name for column in path.columns] == list(as_reversed)[::-1]


def test_a_column_reading_anothers_expression_is_caught(rf, post):
    """The control for the size checks above: a table whose width column reads the height's SQL
    (what a positional mix-up would do) shows (12, 12), not the stored file's (30, 12)."""
    columns = [
        Column(column.name, POST.columns[[c.name for c in POST.columns].index("image_height")].sql, column.output)
        if column.name == "image_width" else column
        for column in POST.columns
    ]
    assert shown_size(read_json(copy_of(POST, columns), post.id, post.owner, rf)) == (12, 12) != stored_size(post)


def test_a_read_path_takes_a_column_until_it_is_first_used():
    path = copy_of(POST, POST.columns)
    path.add(Column("extra", "1", POST.columns[0].output), before="title")
    assert "1, posts_post.title" in path.select
    with pytest.raises(RuntimeError, match="in use already"):
        path.add(Column("late", "2", POST.columns[0].output), before="id")
