"""The contract's Messages table, row by row, for the two participants, a stranger and anonymous."""
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from freezegun import freeze_time

from media.tests.test_images import png_header_only
from messaging.models import ChatDeletion, Message
from messaging.reads import message_time_label
from messaging.tests.factories import MessageFactory
from testing.clients import bearer_client
from testing.images import image_bytes, image_upload
from users.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MESSAGE_KEYS = {
    "id", "sender", "recipient", "content", "image", "image_width", "image_height", "date", "time", "timestamp", "read",
    "sender_profile_image", "recipient_profile_image", "is_sender", "last_message",
    "last_message_time", "edited_at",
}
CONVERSATION_KEYS = {"id", "username", "recipient_profile_image", "last_message", "last_message_time", "unread_count"}


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def carol(db):
    return UserFactory(username="carol")


@pytest.fixture
def as_alice(alice):
    return bearer_client(alice)


@pytest.fixture
def as_bob(bob):
    return bearer_client(bob)


@pytest.fixture
def as_carol(carol):
    return bearer_client(carol)


def send(client, to, content="", **extra):
    payload = {"content": content, **extra}
    fmt = "multipart" if "image" in extra else "json"
    return client.post(f"/messages/{to.id}/send/", payload, format=fmt)


def message(sender, recipient, content="hello", **fields):
    return MessageFactory(sender=sender, recipient=recipient, content=content, **fields)


# --- send / start ---------------------------------------------------------------------------


def test_send_returns_the_message(alice, bob):
    with freeze_time("2026-08-27 09:31:12"):  # tokens are made inside: their times must agree
        response = send(bearer_client(alice), bob, "Hi Bob")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == MESSAGE_KEYS
    assert (body["sender"], body["recipient"], body["content"], body["read"]) == (alice.id, bob.id, "Hi Bob", False)
    assert (body["date"], body["time"]) == ("27 Aug 2026", "09:31")
    assert datetime.fromisoformat(body["timestamp"]) == datetime(2026, 8, 27, 9, 31, 12, tzinfo=UTC)
    assert body["image"] is None
    assert body["is_sender"] is True
    assert (body["last_message"], body["last_message_time"]) == ("Hi Bob", "09:31")
    assert body["edited_at"] is None
    assert "/static/images/default_profile." in body["recipient_profile_image"]
    assert Message.objects.get(pk=body["id"]).sender == alice


def test_start_behaves_as_send(as_alice, bob):
    response = as_alice.post(f"/messages/{bob.id}/start/", {"content": "First!"}, format="json")
    assert response.status_code == 201
    assert response.json()["content"] == "First!"


def test_send_an_image_only(as_alice, bob):
    response = send(as_alice, bob, image=image_upload("photo.jpg", "JPEG"))
    assert response.status_code == 201, response.content
    assert response.json()["content"] == ""
    assert response.json()["image"].startswith("http://testserver/media/images/messages/")
    assert response.json()["image"].endswith(".jpg")


@pytest.mark.parametrize("content", ["", "   "])
def test_send_needs_content_or_image(as_alice, bob, content):
    response = send(as_alice, bob, content)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A message needs a text, an image, or both."]}
    assert not Message.objects.exists()


def test_send_to_yourself_is_400(as_alice, alice):
    response = send(as_alice, alice, "me")
    assert response.status_code == 400
    assert response.json() == {"detail": "You cannot send a message to yourself."}
    assert not Message.objects.exists()


def test_send_to_unknown_user_is_400(as_alice):
    response = as_alice.post("/messages/999999/send/", {"content": "anyone?"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "There is no user with this id to send a message to."}


def test_send_rejects_a_renamed_text_file(as_alice, bob):
    fake = SimpleUploadedFile("cat.png", b"definitely not a png", content_type="image/png")
    response = send(as_alice, bob, "look", image=fake)
    assert response.status_code == 400
    assert response.json() == {"image": ["Upload a valid image: this file is not a JPEG, PNG, GIF or WebP image."]}
    assert not Message.objects.exists()


def test_send_rejects_an_image_over_5_mb(as_alice, bob):
    big = SimpleUploadedFile("big.png", image_bytes() + b"\0" * (5 * 1024 * 1024), content_type="image/png")
    response = send(as_alice, bob, image=big)
    assert response.status_code == 400
    assert response.json() == {"image": ["The image is too large: at most 5 MB is allowed."]}


def test_send_accepts_an_image_between_2_and_5_mb(as_alice, bob):
    noisy = image_bytes("PNG", size=(1500, 1000), noise=True)
    assert 2 * 1024 * 1024 < len(noisy) < 5 * 1024 * 1024
    response = send(as_alice, bob, image=SimpleUploadedFile("noise.png", noisy, content_type="image/png"))
    assert response.status_code == 201


def test_send_rejects_a_pixel_bomb(as_alice, bob):
    bomb = SimpleUploadedFile("bomb.png", png_header_only(50000, 50000), content_type="image/png")
    response = send(as_alice, bob, image=bomb)
    assert response.status_code == 400
    assert response.json() == {"image": ["The image is too large: at most 4096×4096 pixels are allowed."]}


def test_database_refuses_messages_to_self_and_empty_messages(alice, bob):
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(sender=alice, recipient=alice, content="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(sender=alice, recipient=bob, content="")


# --- anonymous ------------------------------------------------------------------------------


def test_anonymous_gets_401_everywhere(api_client, alice, bob):
    sent = message(alice, bob)
    calls = [
        ("get", "/messages/"), ("get", f"/messages/{bob.id}/"), ("post", f"/messages/{bob.id}/send/"),
        ("post", f"/messages/{bob.id}/start/"), ("post", f"/messages/{bob.id}/read/"),
        ("patch", f"/messages/{sent.id}/update/"), ("put", f"/messages/{sent.id}/update/"),
        ("delete", f"/messages/{sent.id}/delete/"), ("delete", f"/chats/{bob.id}/delete/"),
    ]
    for method, path in calls:
        response = getattr(api_client, method)(path, {"content": "x"}, format="json")
        assert response.status_code == 401, (method, path)
    assert Message.objects.count() == 1


# --- the conversation list ------------------------------------------------------------------


def test_conversation_list_is_a_plain_array_most_recent_first(as_alice, alice, bob, carol):
    message(alice, bob, "to bob")
    message(carol, alice, "from carol")
    message(bob, alice, "bob again")
    response = as_alice.get("/messages/")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list)
    assert [entry["username"] for entry in body] == ["bob", "carol"]
    assert set(body[0]) == CONVERSATION_KEYS
    assert (body[0]["id"], body[0]["last_message"], body[0]["unread_count"]) == (bob.id, "bob again", 1)
    assert (body[1]["id"], body[1]["unread_count"]) == (carol.id, 1)


def test_conversation_list_agrees_with_every_message_counted_by_hand():
    """The list is found by skipping along the conversation indexes (messaging.querysets): it
    must hold exactly what reading every message says, for partners with smaller and larger ids
    than the caller's, read and unread messages both ways, and a deleted then reopened chat."""
    before = [UserFactory(username=f"before{n}") for n in range(4)]
    me = UserFactory(username="me")
    after = [UserFactory(username=f"after{n}") for n in range(4)]
    partners = before + after
    for turn in range(30):
        partner = partners[(turn * 7) % len(partners)]
        sender, recipient = (me, partner) if turn % 3 == 0 else (partner, me)
        message(sender, recipient, f"m{turn}", read=turn % 4 == 0)
    client = bearer_client(me)
    assert client.delete(f"/chats/{before[1].id}/delete/").status_code == 204
    assert client.delete(f"/chats/{after[2].id}/delete/").status_code == 204
    message(after[2], me, "reopened")
    message(UserFactory(), UserFactory(), "not mine")

    hidden = dict(ChatDeletion.objects.filter(owner=me).values_list("partner_id", "up_to_message_id"))
    expected = {}
    for row in Message.objects.order_by("id"):
        partner_id = row.recipient_id if row.sender_id == me.id else row.sender_id
        if me.id not in (row.sender_id, row.recipient_id) or row.id <= hidden.get(partner_id, 0):
            continue
        unread = expected.get(partner_id, (None, None, 0))[2] + (row.recipient_id == me.id and not row.read)
        expected[partner_id] = (row.id, row.content, unread)
    newest_first = sorted(expected.items(), key=lambda item: -item[1][0])
    body = client.get("/messages/").json()
    assert [(entry["id"], entry["last_message"], entry["unread_count"]) for entry in body] == [
        (partner_id, content, unread) for partner_id, (_, content, unread) in newest_first
    ]
    assert {before[1].id} == set(hidden) - {entry["id"] for entry in body}  # hidden, not reopened
    assert {entry["id"] for entry in client.get("/messages/", {"search": "after"}).json()} == {
        partner.id for partner in after
    }


def test_last_message_is_cut_to_50_characters(as_alice, alice, bob, carol):
    message(alice, bob, "x" * 51)
    message(alice, carol, "y" * 50)
    previews = {entry["username"]: entry["last_message"] for entry in as_alice.get("/messages/").json()}
    assert previews == {"bob": "x" * 50 + "...", "carol": "y" * 50}


def test_conversation_search_by_username(as_alice, alice, bob, carol):
    message(alice, bob)
    message(carol, alice)
    assert [entry["username"] for entry in as_alice.get("/messages/", {"search": "CAR"}).json()] == ["carol"]
    assert as_alice.get("/messages/", {"search": "nobody"}).json() == []


@pytest.mark.parametrize(
    "sent_at, now, label",
    [
        ("2026-03-10 08:05", "2026-03-10 23:59", "08:05"),
        ("2026-03-09 23:59", "2026-03-10 00:01", "09 Mar"),
        ("2025-04-01 12:00", "2026-03-10 12:00", "01 Apr"),
        ("2025-03-01 12:00", "2026-03-10 12:00", "01 Mar 2025"),
    ],
)
def test_last_message_time_formats(alice, bob, sent_at, now, label):
    with freeze_time(sent_at):
        message(bob, alice, "hi")
    with freeze_time(now):
        as_alice = bearer_client(alice)
        assert as_alice.get("/messages/").json()[0]["last_message_time"] == label
        assert as_alice.get(f"/messages/{bob.id}/").json()["results"][0]["last_message_time"] == label


def test_time_label_uses_utc_calendar_days():
    now = datetime(2026, 3, 10, 0, 30, tzinfo=UTC)
    assert message_time_label(now - timedelta(minutes=20), now) == "00:10"
    assert message_time_label(now - timedelta(minutes=40), now) == "09 Mar"


# --- the thread -----------------------------------------------------------------------------


def test_thread_pages_newest_first_each_in_chronological_order(as_alice, alice, bob):
    sent = [message(alice if i % 2 else bob, bob if i % 2 else alice, f"m{i}") for i in range(25)]
    first = as_alice.get(f"/messages/{bob.id}/").json()
    assert first["count"] == 25
    assert [row["content"] for row in first["results"]] == [f"m{i}" for i in range(15, 25)]
    assert first["previous"] is None
    second = as_alice.get(first["next"]).json()
    assert [row["content"] for row in second["results"]] == [f"m{i}" for i in range(5, 15)]
    third = as_alice.get(second["next"]).json()
    assert [row["content"] for row in third["results"]] == [f"m{i}" for i in range(0, 5)]
    assert third["next"] is None
    for page in (first, second, third):
        assert {row["last_message"] for row in page["results"]} == {"m24"}
    mine = {row["id"]: row["is_sender"] for row in first["results"]}
    assert mine[sent[23].id] is True and mine[sent[24].id] is False


def test_thread_with_someone_never_written_to_is_an_empty_page(as_alice, carol):
    response = as_alice.get(f"/messages/{carol.id}/")
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_thread_with_unknown_user_is_404(as_alice):
    response = as_alice.get("/messages/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No User matches the given query."}


# --- read state -----------------------------------------------------------------------------


def test_mark_read_updates_unread_counts(as_alice, as_bob, alice, bob):
    message(bob, alice, "one")
    message(bob, alice, "two")
    message(alice, bob, "mine is not theirs to mark")
    assert as_alice.get("/messages/").json()[0]["unread_count"] == 2
    response = as_alice.post(f"/messages/{bob.id}/read/")
    assert response.status_code == 200
    assert response.json() == {"updated": 2}
    assert as_alice.get("/messages/").json()[0]["unread_count"] == 0
    assert as_alice.post(f"/messages/{bob.id}/read/").json() == {"updated": 0}
    assert as_bob.get("/messages/").json()[0]["unread_count"] == 1
    assert Message.objects.get(content="mine is not theirs to mark").read is False


def test_mark_read_for_unknown_user_is_404(as_alice):
    assert as_alice.post("/messages/999999/read/").status_code == 404


# --- update and delete ----------------------------------------------------------------------


def test_sender_can_edit_and_the_edit_time_is_recorded(alice, bob):
    sent = message(alice, bob, "typo")
    message(bob, alice, "newer reply")
    with freeze_time("2026-05-01 10:00:00"):
        response = bearer_client(alice).patch(f"/messages/{sent.id}/update/", {"content": "fixed"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["content"] == "fixed"
    assert datetime.fromisoformat(body["edited_at"]) == datetime(2026, 5, 1, 10, tzinfo=UTC)
    assert body["last_message"] == "newer reply"
    sent.refresh_from_db()
    assert sent.content == "fixed"


def test_sender_can_replace_content_with_put_and_add_an_image(as_alice, alice, bob):
    sent = message(alice, bob, "words")
    response = as_alice.put(
        f"/messages/{sent.id}/update/", {"content": "", "image": image_upload("pic.gif", "GIF")}, format="multipart"
    )
    assert response.status_code == 200
    assert response.json()["image"].endswith(".gif")


def test_edit_cannot_leave_a_message_empty(as_alice, alice, bob):
    sent = message(alice, bob, "keep me")
    response = as_alice.patch(f"/messages/{sent.id}/update/", {"content": ""}, format="json")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["A message needs a text, an image, or both."]}
    sent.refresh_from_db()
    assert sent.content == "keep me"


def test_recipient_gets_403_on_update_and_delete(as_bob, alice, bob):
    sent = message(alice, bob, "original")
    update = as_bob.patch(f"/messages/{sent.id}/update/", {"content": "changed"}, format="json")
    assert update.status_code == 403
    assert update.json() == {"detail": "Only the sender can change or delete this message."}
    assert as_bob.delete(f"/messages/{sent.id}/delete/").status_code == 403
    sent.refresh_from_db()
    assert sent.content == "original"


def test_sender_can_delete(as_alice, as_bob, alice, bob):
    sent = message(alice, bob, "oops")
    assert as_alice.delete(f"/messages/{sent.id}/delete/").status_code == 204
    assert not Message.objects.filter(pk=sent.id).exists()
    assert as_bob.get(f"/messages/{alice.id}/").json()["count"] == 0


def test_unknown_message_is_404(as_alice):
    assert as_alice.patch("/messages/999999/update/", {"content": "x"}, format="json").status_code == 404
    assert as_alice.delete("/messages/999999/delete/").status_code == 404


# --- privacy --------------------------------------------------------------------------------


def test_a_stranger_can_never_see_edit_delete_or_infer_a_message(as_carol, alice, bob, carol):
    private = message(alice, bob, "between us")
    message(bob, alice, "indeed")
    assert as_carol.get("/messages/").json() == []
    assert as_carol.get(f"/messages/{alice.id}/").json()["count"] == 0
    assert as_carol.get(f"/messages/{bob.id}/").json()["count"] == 0
    update = as_carol.patch(f"/messages/{private.id}/update/", {"content": "hacked"}, format="json")
    missing = as_carol.patch("/messages/999999/update/", {"content": "hacked"}, format="json")
    assert update.status_code == missing.status_code == 404
    assert update.json() == missing.json()
    assert as_carol.delete(f"/messages/{private.id}/delete/").status_code == 404
    assert as_carol.post(f"/messages/{alice.id}/read/").json() == {"updated": 0}
    private.refresh_from_db()
    assert (private.content, private.read) == ("between us", False)


# --- deleting a chat ------------------------------------------------------------------------


def test_chat_delete_hides_it_for_one_side_then_a_new_message_reopens_it(as_alice, as_bob, alice, bob):
    for text in ("a", "b", "c"):
        message(alice, bob, text)
    message(bob, alice, "d")
    response = as_alice.delete(f"/chats/{bob.id}/delete/")
    assert response.status_code == 204
    assert as_alice.get("/messages/").json() == []
    assert as_alice.get(f"/messages/{bob.id}/").json()["count"] == 0
    assert Message.objects.count() == 4, "nothing was deleted or copied"
    bobs_view = as_bob.get(f"/messages/{alice.id}/").json()
    assert [row["content"] for row in bobs_view["results"]] == ["a", "b", "c", "d"]
    assert as_bob.get("/messages/").json()[0]["last_message"] == "d"

    send(as_bob, alice, "are you there?")
    conversations = as_alice.get("/messages/").json()
    assert [(entry["username"], entry["last_message"], entry["unread_count"]) for entry in conversations] == [
        ("bob", "are you there?", 1)
    ]
    assert [row["content"] for row in as_alice.get(f"/messages/{bob.id}/").json()["results"]] == ["are you there?"]
    assert as_bob.get(f"/messages/{alice.id}/").json()["count"] == 5


def test_hidden_messages_cannot_be_edited_by_their_sender(as_alice, alice, bob):
    sent = message(alice, bob, "gone from my view")
    as_alice.delete(f"/chats/{bob.id}/delete/")
    assert as_alice.patch(f"/messages/{sent.id}/update/", {"content": "x"}, format="json").status_code == 404


def test_chat_delete_again_and_without_messages_is_204(as_alice, alice, bob, carol):
    message(alice, bob)
    assert as_alice.delete(f"/chats/{bob.id}/delete/").status_code == 204
    assert as_alice.delete(f"/chats/{bob.id}/delete/").status_code == 204
    assert as_alice.delete(f"/chats/{carol.id}/delete/").status_code == 204
    assert ChatDeletion.objects.count() == 1


def test_chat_delete_of_unknown_user_is_404(as_alice):
    assert as_alice.delete("/chats/999999/delete/").status_code == 404


# --- speed ----------------------------------------------------------------------------------


def test_conversation_list_uses_constant_queries(as_alice, alice, django_assert_max_num_queries):
    partners = UserFactory.create_batch(100)
    for partner in partners[:10]:
        message(partner, alice, "hi")
        message(alice, partner, "hello")
    # The caller's user, and the one statement that reads the conversations.
    with django_assert_max_num_queries(2):
        assert len(as_alice.get("/messages/").json()) == 10
    for partner in partners[10:]:
        message(partner, alice, "hi")
        message(alice, partner, "hello")
    as_alice.delete(f"/chats/{partners[0].id}/delete/")
    with django_assert_max_num_queries(2):
        assert len(as_alice.get("/messages/").json()) == 99


def test_thread_page_uses_constant_queries(as_alice, alice, bob, django_assert_max_num_queries):
    for index in range(200):
        message(alice if index % 2 else bob, bob if index % 2 else alice, f"m{index}")
    for size in (10, 100):
        for page in (1, 2):
            # The caller, the partner, the count, the page, and (past page 1) the newest message.
            with django_assert_max_num_queries(5):
                response = as_alice.get(f"/messages/{bob.id}/", {"page_size": size, "page": page})
            assert len(response.json()["results"]) == size


def test_after_catches_up_oldest_first_in_pages(alice, bob, as_alice):
    sent = [message(alice if i % 2 else bob, bob if i % 2 else alice, f"m{i}") for i in range(15)]
    first = as_alice.get(f"/messages/{bob.id}/", {"after": sent[2].id}).json()
    assert [row["content"] for row in first["results"]] == [f"m{i}" for i in range(3, 13)]
    assert all(row["last_message"] == "m14" for row in first["results"])
    second = as_alice.get(first["next"]).json()
    assert [row["content"] for row in second["results"]] == ["m13", "m14"]
    assert as_alice.get(f"/messages/{bob.id}/", {"after": sent[-1].id}).json()["results"] == []


@pytest.mark.parametrize("after", ["1.5", "-3", "x"])
def test_after_that_is_not_a_message_id_is_400(bob, as_alice, after):
    response = as_alice.get(f"/messages/{bob.id}/", {"after": after})
    assert response.status_code == 400
    assert response.json() == {"after": ["Enter a whole number."]}


def test_conversation_search_takes_its_text_literally(as_alice, alice):
    """The search text is a value, never SQL or a LIKE pattern: % and _ match only themselves."""
    for name in ("per%cent", "under_score", "plain"):
        MessageFactory(sender=alice, recipient=UserFactory(username=name))
    found = {term: [entry["username"] for entry in as_alice.get("/messages/", {"search": term}).json()]
             for term in ("%", "_", "R%C", "' OR 1=1 --")}
    assert found == {"%": ["per%cent"], "_": ["under_score"], "R%C": ["per%cent"], "' OR 1=1 --": []}
