"""The outside security audit's findings, one test (or table) each: every one failed before its fix.

Races that need real concurrency are in test_races.py, the database outage in test_server.py,
sessions and login CSRF in users/tests/test_sessions.py.
"""
import json
import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections
from django.db.models.signals import pre_save
from rest_framework.test import APIClient

from comments.models import Comment
from followers.models import Follower
from likes.models import Like
from posts.models import Post
from posts.tests.factories import PostFactory
from users.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


# --- 1. Throttle keys come from the proxies the deployment declares ------------------------------


@pytest.fixture
def strict_login_rate(settings):
    settings.THROTTLING_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "dj_rest_auth": "3/min"}


def wrong_login(client, forwarded_for):
    return client.post(
        "/dj-rest-auth/login/", {"username": "someone", "password": "wrong"}, format="json",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    ).status_code


def test_without_a_proxy_a_forged_x_forwarded_for_does_not_escape_the_login_throttle(strict_login_rate):
    client = APIClient()
    statuses = [wrong_login(client, f"203.0.113.{n}") for n in range(5)]
    assert statuses == [400, 400, 400, 429, 429]


def test_behind_one_proxy_the_address_it_saw_is_the_client(settings, strict_login_rate):
    settings.NUM_PROXIES = 1
    client = APIClient()
    # The client writes whatever it likes on the left; the proxy appends what it saw.
    statuses = [wrong_login(client, f"198.51.100.{n}, 203.0.113.7") for n in range(4)]
    assert statuses == [400, 400, 400, 429]
    assert wrong_login(client, "203.0.113.8") == 400, "another client has its own count"


# --- 4. Deeply nested JSON ------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/dj-rest-auth/login/", "/posts/"])
def test_deeply_nested_json_is_a_400(auth_client, path):
    body = "[" * 100_000 + "]" * 100_000
    for client in (APIClient(), auth_client):
        response = client.post(path, body, content_type="application/json")
        assert response.status_code in (400, 401), response.content[:200]
        if response.status_code == 400:
            assert response.json() == {"detail": "JSON parse error - the document is nested too deeply."}


# --- 5. Ids are whole numbers --------------------------------------------------------------------


@pytest.mark.parametrize("path, field", [("/likes/", "post"), ("/followers/", "followed"), ("/comments/", "post")])
@pytest.mark.parametrize("raw, type_name", [("1e400", "float"), ("1.5", "float"), ("true", "bool"), ('"1.5"', "str")])
def test_an_id_that_is_not_a_whole_number_is_a_400(auth_client, path, field, raw, type_name):
    PostFactory(id=1)  # what a truncated 1.5 would have liked or commented on
    body = f'{{"{field}": {raw}, "content": "hi"}}'
    response = auth_client.post(path, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {field: [f"Incorrect type. Expected pk value, received {type_name}."]}
    assert not Like.objects.exists() and not Follower.objects.exists() and not Comment.objects.exists()


@pytest.mark.parametrize("value", ["9" * 30, "99999999999999999999"])
def test_an_id_too_large_for_the_database_is_a_plain_does_not_exist(auth_client, value):
    response = auth_client.post("/likes/", f'{{"post": {value}}}', content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"post": [f'Invalid pk "{value}" - object does not exist.']}


# --- 6. Free-text query parameters ---------------------------------------------------------------


@pytest.mark.parametrize("path", ["/messages/", "/posts/", "/profiles/"])
def test_a_nul_character_in_search_is_a_400_naming_the_parameter(auth_client, path):
    response = auth_client.get(path, {"search": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == {"search": ["Null characters are not allowed."]}


# --- 7. A post deleted at the instant it is liked or commented on ---------------------------------


@pytest.fixture
def post_deleted_just_before_insert():
    """Another client deletes the post between validation and INSERT: the instant a delete wins.

    A pre_save receiver (Django's hook, not a patch of our code) runs that delete on its own
    connection in another thread, and commits it, which makes the race deterministic.
    """
    post = PostFactory()

    def delete_post(sender, instance, **kwargs):
        def other_client():
            try:
                Post.objects.filter(pk=instance.post_id).delete()
            finally:
                connections.close_all()

        thread = threading.Thread(target=other_client)
        thread.start()
        thread.join()

    for model in (Like, Comment):
        pre_save.connect(delete_post, sender=model, dispatch_uid=f"audit-race-{model.__name__}")
    yield post
    for model in (Like, Comment):
        pre_save.disconnect(sender=model, dispatch_uid=f"audit-race-{model.__name__}")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections at once need a server database")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path, extra", [("/likes/", {}), ("/comments/", {"content": "too late"})])
def test_a_like_or_comment_that_loses_the_race_with_a_delete_says_the_post_is_gone(
    auth_client, post_deleted_just_before_insert, path, extra
):
    response = auth_client.post(path, {"post": post_deleted_just_before_insert.id, **extra}, format="json")
    assert response.status_code == 400
    assert response.json() == {"post": ["This post has been deleted."]}
    assert not Post.objects.exists() and not Like.objects.exists() and not Comment.objects.exists()


def test_a_second_like_is_still_possible_duplicate(auth_client):
    post = PostFactory()
    assert auth_client.post("/likes/", {"post": post.id}, format="json").status_code == 201
    response = auth_client.post("/likes/", {"post": post.id}, format="json")
    assert response.status_code == 400
    assert response.json() == {"detail": "possible duplicate"}


# --- 8. Renaming to a taken username ---------------------------------------------------------------


def test_renaming_to_a_taken_username_in_any_case_is_the_registration_400(auth_client, user):
    UserFactory(username="Taken")
    response = auth_client.patch("/dj-rest-auth/user/", {"username": "tAKEN"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"username": ["A user with that username already exists."]}
    user.refresh_from_db()
    assert user.username != "tAKEN"


def test_keeping_ones_own_username_is_fine(auth_client, user):
    response = auth_client.put(
        "/dj-rest-auth/user/", {"username": user.username, "first_name": "Ada"}, format="json"
    )
    assert response.status_code == 200, response.content


# --- 9. Django admin's login is throttled like the API's -----------------------------------------


def test_admin_login_is_throttled_per_address(client, strict_login_rate):
    get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-admin-1")
    attempts = [
        client.post("/admin/login/", {"username": "root", "password": "wrong"}).status_code for _ in range(4)
    ]
    assert attempts == [200, 200, 200, 429]
    throttled = client.post("/admin/login/", {"username": "root", "password": "pw-for-admin-1"})
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert throttled.json()["detail"].startswith("Too many sign-in attempts.")
    assert client.get("/admin/login/").status_code == 200, "showing the form is not an attempt"


# --- 11. Responses with tokens or private data are never stored ----------------------------------


def assert_no_store(response):
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"], response.headers


def test_token_responses_are_no_store(user):
    client = APIClient()
    registered = client.post(
        "/dj-rest-auth/registration/",
        {"username": "fresh", "password1": "A-strong-pass-42", "password2": "A-strong-pass-42"},
        format="json",
    )
    credentials = {"username": user.username, "password": PASSWORD}
    logged_in = APIClient().post("/dj-rest-auth/login/", credentials, format="json")
    refreshed = APIClient().post(
        "/dj-rest-auth/token/refresh/", {"refresh": logged_in.json()["refresh_token"]}, format="json"
    )
    for response in (registered, logged_in, refreshed):
        assert response.status_code in (200, 201)
        assert_no_store(response)


@pytest.mark.parametrize("path", ["/messages/", "/dj-rest-auth/user/", "/posts/", "/users/"])
def test_responses_to_signed_in_callers_are_no_store(auth_client, path):
    response = auth_client.get(path)
    assert response.status_code == 200
    assert_no_store(response)


def test_anonymous_public_reads_stay_cacheable(api_client):
    assert "Cache-Control" not in api_client.get("/posts/")


# --- 12. Every response carries the same security headers -----------------------------------------

SECURITY_HEADERS = ["X-Content-Type-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "X-Frame-Options"]


def test_every_kind_of_response_carries_the_same_security_headers(api_client, settings):
    settings.MAX_REQUEST_BODY_BYTES = 1024
    responses = {
        "200": api_client.get("/posts/"),
        "400": api_client.post("/dj-rest-auth/login/", {}, format="json"),
        "401": api_client.get("/users/"),
        "404 unknown URL": api_client.get("/no/such/place/"),
        "404 object": api_client.get("/posts/999999/"),
        "413": api_client.post("/dj-rest-auth/login/", {"username": "x" * 2000}, format="json"),
    }
    assert responses["404 unknown URL"].json() == {"detail": "Not found."}
    assert responses["413"].status_code == 413
    for name, response in responses.items():
        missing = [header for header in SECURITY_HEADERS if header not in response]
        assert not missing, f"{name} lacks {missing}"
    values = {header: {response[header] for response in responses.values()} for header in SECURITY_HEADERS}
    assert all(len(seen) == 1 for seen in values.values()), values


# --- 13. Django's body limit agrees with MAX_REQUEST_BODY_MB ----------------------------------------


@pytest.mark.parametrize(
    "field, limit", [("title", 255), ("content", 10_000)]
)
def test_a_three_megabyte_json_body_gets_its_field_error_not_a_vague_400(auth_client, field, limit):
    payload = {"title": "ok", field: "x" * (3 * 1024 * 1024)}
    response = auth_client.post("/posts/", json.dumps(payload), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {field: [f"Ensure this field has no more than {limit} characters."]}


@pytest.mark.parametrize(
    "path, limit", [("/comments/", 5_000)]
)
def test_long_free_text_is_a_field_error(auth_client, path, limit):
    response = auth_client.post(path, {"post": PostFactory().id, "content": "x" * (limit + 1)}, format="json")
    assert response.json() == {"content": [f"Ensure this field has no more than {limit} characters."]}


def test_a_body_over_the_cap_read_without_content_length_is_a_413(settings):
    """Django's own cap (DATA_UPLOAD_MAX_MEMORY_SIZE) now agrees with ours and says 413."""
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE == settings.MAX_REQUEST_BODY_BYTES
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    client = APIClient()
    client.raise_request_exception = False
    response = client.post("/dj-rest-auth/login/", {"username": "x" * 100, "password": "y"})
    assert response.status_code == 413
    assert response.json() == {"detail": "Request body too large: at most 6 MB is accepted."}


# --- 16. The schema says what the responses are ---------------------------------------------------


@pytest.fixture(scope="module")
def schema():
    import yaml

    from testing import BASE_DIR

    return yaml.safe_load((BASE_DIR / "schema.yml").read_text())


def test_schema_display_dates_are_strings_not_date_times(schema):
    components = schema["components"]["schemas"]
    for name in ("Post", "Profile", "Like", "Follower"):
        assert "format" not in components[name]["properties"]["created_at"], name
    assert "format" not in components["Message"]["properties"]["date"]
    assert components["Message"]["properties"]["timestamp"]["format"] == "date-time"
    assert "format" not in components["CurrentUser"]["properties"]["email"]


def test_schema_login_needs_a_username_and_json_bodies_carry_no_files(schema):
    assert "username" in schema["components"]["schemas"]["LoginRequest"]["required"]
    content = schema["paths"]["/posts/"]["post"]["requestBody"]["content"]
    json_body = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    multipart = content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "image" not in schema["components"]["schemas"][json_body]["properties"]
    assert "image" in schema["components"]["schemas"][multipart]["properties"]


def test_schema_documents_what_each_operation_really_answers(schema):
    paths = schema["paths"]
    assert "404" in paths["/posts/"]["get"]["responses"], "Invalid page."
    assert "401" in paths["/dj-rest-auth/token/refresh/"]["post"]["responses"]
    assert {} in paths["/posts/"]["get"]["security"], "anonymous reads"
    assert {} not in paths["/posts/"]["post"]["security"]
    send_400 = paths["/messages/{user_id}/send/"]["post"]["responses"]["400"]
    assert send_400["content"]["application/json"]["schema"]["$ref"].endswith("/ValidationError")
    for item in paths.values():
        for operation in item.values():
            assert "Retry-After" in operation["responses"]["503"]["headers"]
