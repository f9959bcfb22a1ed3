"""Who may do what to each object: every object endpoint, as its owner, another user, a stranger
(for messages: sender, recipient, stranger) and anonymous, on an existing and a missing id.

Anonymous writes are 401 whether the object exists or not; a stranger never learns that a message
exists (404); only the owner (the sender) may change or delete.

Blocks and mutes (safety/visibility.py) add three roles: `blocked` (a user the owner blocks) and
`blocking` (a user who blocks the owner) see nothing of the owner's (404, as for a missing id);
`muting` (a user who mutes the owner) still reaches every URL.
"""
import pytest
from rest_framework.test import APIClient

from comments.tests.factories import CommentFactory
from followers.tests.factories import FollowerFactory
from likes.tests.factories import LikeFactory
from messaging.tests.factories import MessageFactory
from posts.tests.factories import PostFactory
from safety.models import Block, Mute
from testing.clients import bearer_client
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MISSING = 987654321


def make_post(owner, other):
    return PostFactory(owner=owner).id


def make_comment(owner, other):
    return CommentFactory(owner=owner).id


def make_like(owner, other):
    return LikeFactory(owner=owner).id


def make_follow(owner, other):
    return FollowerFactory(owner=owner, followed=other).id


def make_profile(owner, other):
    return owner.profile.id


def make_user(owner, other):
    return owner.id


def make_message(owner, other):
    return MessageFactory(sender=owner, recipient=other).id


def make_block(owner, other):
    return Block.objects.create(owner=owner, blocked=other).id


def make_mute(owner, other):
    return Mute.objects.create(owner=owner, muted=other).id


def partner(owner, other):
    """The thread, read, chat delete: the object is the conversation with `other`, seen by owner."""
    MessageFactory(sender=owner, recipient=other)
    return other.id


# (method, path, make, body, {role: status on an existing object}, {role: status on a missing id})
# Roles: owner, other (for messages: the recipient), stranger (a third user), anonymous.
APART = {"blocked": 404, "blocking": 404}
PUBLIC_READ = {"owner": 200, "other": 200, "anonymous": 200, **APART, "muting": 200}
PUBLIC_READ_MISSING = {"owner": 404, "anonymous": 404}
OWNER_UPDATES = {"owner": 200, "other": 403, "anonymous": 401, **APART, "muting": 403}
OWNER_DELETES = {"owner": 204, "other": 403, "anonymous": 401, **APART, "muting": 403}
OWN_ROWS = {"owner": 200, "other": 404, "stranger": 404, "anonymous": 401}
OWN_ROWS_DELETE = {"owner": 204, "other": 404, "stranger": 404, "anonymous": 401}
WRITE_MISSING = {"owner": 404, "stranger": 404, "anonymous": 401}
PRIVATE_MISSING = {"owner": 404, "anonymous": 401}
SENDER_UPDATES = {"owner": 200, "other": 403, "stranger": 404, "anonymous": 401}
SENDER_DELETES = {"owner": 204, "other": 403, "stranger": 404, "anonymous": 401}
MATRIX = [
    ("get", "/posts/{}/", make_post, None, PUBLIC_READ, PUBLIC_READ_MISSING),
    ("put", "/posts/{}/", make_post, {"title": "t"}, OWNER_UPDATES, WRITE_MISSING),
    ("patch", "/posts/{}/", make_post, {"title": "t"}, OWNER_UPDATES, WRITE_MISSING),
    ("delete", "/posts/{}/", make_post, None, OWNER_DELETES, WRITE_MISSING),
    ("get", "/comments/{}/", make_comment, None, PUBLIC_READ, PUBLIC_READ_MISSING),
    ("put", "/comments/{}/", make_comment, {"content": "c"}, OWNER_UPDATES, WRITE_MISSING),
    ("patch", "/comments/{}/", make_comment, {"content": "c"}, OWNER_UPDATES, WRITE_MISSING),
    ("delete", "/comments/{}/", make_comment, None, OWNER_DELETES, WRITE_MISSING),
    ("get", "/likes/{}/", make_like, None, PUBLIC_READ, PUBLIC_READ_MISSING),
    ("delete", "/likes/{}/", make_like, None, OWNER_DELETES, WRITE_MISSING),
    ("get", "/followers/{}/", make_follow, None, PUBLIC_READ, PUBLIC_READ_MISSING),
    ("delete", "/followers/{}/", make_follow, None, OWNER_DELETES, WRITE_MISSING),
    ("get", "/profiles/{}/", make_profile, None, PUBLIC_READ, PUBLIC_READ_MISSING),
    ("put", "/profiles/{}/", make_profile, {"name": "n"}, OWNER_UPDATES, WRITE_MISSING),
    ("patch", "/profiles/{}/", make_profile, {"name": "n"}, OWNER_UPDATES, WRITE_MISSING),
    ("get", "/users/{}/", make_user, None, {"owner": 200, "other": 200, "anonymous": 401, **APART, "muting": 200},
     PRIVATE_MISSING),
    ("get", "/blocks/{}/", make_block, None, OWN_ROWS, PRIVATE_MISSING),
    ("delete", "/blocks/{}/", make_block, None, OWN_ROWS_DELETE, WRITE_MISSING),
    ("get", "/mutes/{}/", make_mute, None, OWN_ROWS, PRIVATE_MISSING),
    ("delete", "/mutes/{}/", make_mute, None, OWN_ROWS_DELETE, WRITE_MISSING),
    ("get", "/messages/{}/", partner, None, {"owner": 200, "anonymous": 401}, PRIVATE_MISSING),
    ("post", "/messages/{}/read/", partner, None, {"owner": 200, "anonymous": 401}, PRIVATE_MISSING),
    ("delete", "/chats/{}/delete/", partner, None, {"owner": 204, "anonymous": 401}, PRIVATE_MISSING),
    ("patch", "/messages/{}/update/", make_message, {"content": "e"}, SENDER_UPDATES, WRITE_MISSING),
    ("put", "/messages/{}/update/", make_message, {"content": "e"}, SENDER_UPDATES, WRITE_MISSING),
    ("delete", "/messages/{}/delete/", make_message, None, SENDER_DELETES, WRITE_MISSING),
]

CASES = [
    pytest.param(
        method, path, make, body, role, status, exists,
        id=f"{method} {path} {role} {'existing' if exists else 'missing'}",
    )
    for method, path, make, body, existing, missing in MATRIX
    for exists, expectations in ((True, existing), (False, missing))
    for role, status in expectations.items()
]


@pytest.mark.parametrize("method, path, make, body, role, expected, exists", CASES)
def test_authorization_matrix(method, path, make, body, role, expected, exists):
    owner, other, stranger = UserFactory(), UserFactory(), UserFactory()
    object_id = make(owner, other) if exists else MISSING
    blocked, blocking, muting = UserFactory(), UserFactory(), UserFactory()
    Block.objects.create(owner=owner, blocked=blocked)
    Block.objects.create(owner=blocking, blocked=owner)
    Mute.objects.create(owner=muting, muted=owner)
    roles = {"owner": owner, "other": other, "stranger": stranger, "blocked": blocked, "blocking": blocking,
             "muting": muting}
    client = roles.get(role)
    client = bearer_client(client) if client else APIClient()
    response = getattr(client, method)(path.format(object_id), body, format="json")
    assert response.status_code == expected, response.content[:300]
    if expected >= 400:
        assert "detail" in response.json()
