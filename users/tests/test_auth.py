"""The contract's auth table, end to end, with Bearer tokens and with cookies."""
import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from profiles.models import Profile
from users.authentication import caller_by_id
from users.tests.factories import PASSWORD

ACCESS_COOKIE = "drf-api-auth"
REFRESH_COOKIE = "drf-api-refresh"
USER_KEYS = {"pk", "username", "email", "first_name", "last_name", "profile_id", "profile_image"}

pytestmark = pytest.mark.django_db


def register(client, username="newcomer", password="A-strong-pass-42", **extra):
    return client.post(
        "/dj-rest-auth/registration/",
        {"username": username, "password1": password, "password2": password, **extra},
        format="json",
    )


def login(client, username, password):
    return client.post("/dj-rest-auth/login/", {"username": username, "password": password}, format="json")


def test_bearer_lifecycle_register_login_user_refresh_logout():
    client = APIClient()
    registered = register(client, email="newcomer@example.com")
    assert registered.status_code == 201, registered.content
    assert set(registered.json()) == {"access_token", "refresh_token", "user"}
    assert set(registered.json()["user"]) == USER_KEYS
    user = get_user_model().objects.get(username="newcomer")
    assert registered.json()["user"]["profile_id"] == Profile.objects.get(owner=user).id

    client = APIClient()  # a Postman user: no cookies, only what the body says
    logged_in = login(client, "newcomer", "A-strong-pass-42")
    assert logged_in.status_code == 200
    body = logged_in.json()
    assert set(body) == {"access_token", "refresh_token", "user"}
    assert body["refresh_token"], "the refresh token stays in the body for Bearer clients"
    assert body["user"]["username"] == "newcomer"
    assert body["user"]["profile_image"].startswith("http://testserver/static/images/default_profile")

    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    me = bearer.get("/dj-rest-auth/user/")
    assert me.status_code == 200
    assert me.json() == body["user"]

    anonymous = APIClient()
    refreshed = anonymous.post("/dj-rest-auth/token/refresh/", {"refresh": body["refresh_token"]}, format="json")
    assert refreshed.status_code == 200
    new_tokens = refreshed.json()
    assert {"access", "refresh", "access_expiration", "refresh_expiration"} <= set(new_tokens)
    assert new_tokens["refresh"] != body["refresh_token"]

    reused = APIClient().post("/dj-rest-auth/token/refresh/", {"refresh": body["refresh_token"]}, format="json")
    assert reused.status_code == 401, "rotation blacklists the old refresh token"

    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {new_tokens['access']}")
    logged_out = bearer.post("/dj-rest-auth/logout/", {"refresh": new_tokens["refresh"]}, format="json")
    assert logged_out.status_code == 200
    assert logged_out.json() == {"detail": "Successfully logged out."}

    after = APIClient().post("/dj-rest-auth/token/refresh/", {"refresh": new_tokens["refresh"]}, format="json")
    assert after.status_code == 401


def test_cookie_lifecycle_login_user_refresh_logout(user):
    client = APIClient(enforce_csrf_checks=True)
    logged_in = login(client, user.username, PASSWORD)
    assert logged_in.status_code == 200
    access_cookie = logged_in.cookies[ACCESS_COOKIE]
    refresh_cookie = logged_in.cookies[REFRESH_COOKIE]
    assert access_cookie["httponly"] and refresh_cookie["httponly"]
    assert access_cookie.value == logged_in.json()["access_token"]
    assert refresh_cookie.value == logged_in.json()["refresh_token"]

    me = client.get("/dj-rest-auth/user/")
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    user.refresh_from_db()
    assert user.last_login is not None

    csrf_token = client.get("/csrf/").json()["csrf_token"]
    old_refresh = refresh_cookie.value
    refreshed = client.post("/dj-rest-auth/token/refresh/", {}, format="json", HTTP_X_CSRFTOKEN=csrf_token)
    assert refreshed.status_code == 200
    assert client.cookies[REFRESH_COOKIE].value == refreshed.json()["refresh"] != old_refresh

    logged_out = client.post("/dj-rest-auth/logout/", {}, format="json", HTTP_X_CSRFTOKEN=csrf_token)
    assert logged_out.status_code == 200
    assert logged_out.cookies[ACCESS_COOKIE].value == ""
    assert logged_out.cookies[REFRESH_COOKIE].value == ""
    assert client.get("/dj-rest-auth/user/").status_code == 401

    replay = APIClient().post("/dj-rest-auth/token/refresh/", {"refresh": refreshed.json()["refresh"]}, format="json")
    assert replay.status_code == 401, "logout blacklisted the cookie's refresh token"


def test_cookie_authenticated_write_without_csrf_token_is_403(user):
    client = APIClient(enforce_csrf_checks=True)
    login(client, user.username, PASSWORD)
    response = client.patch(f"/profiles/{user.profile.id}/", {"name": "No token"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
    user.profile.refresh_from_db()
    assert user.profile.name == ""


def test_cookie_authenticated_write_with_csrf_token_succeeds(user):
    client = APIClient(enforce_csrf_checks=True)
    login(client, user.username, PASSWORD)
    token = client.get("/csrf/").json()["csrf_token"]
    response = client.patch(
        f"/profiles/{user.profile.id}/", {"name": "With token"}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
    assert response.json()["name"] == "With token"


def test_bearer_write_needs_no_csrf_token(user):
    client = APIClient(enforce_csrf_checks=True)
    token = login(APIClient(), user.username, PASSWORD).json()["access_token"]
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.patch(f"/profiles/{user.profile.id}/", {"name": "Bearer"}, format="json")
    assert response.status_code == 200


def test_stale_access_cookie_does_not_block_login_or_public_reads(user):
    client = APIClient(enforce_csrf_checks=True)
    client.cookies[ACCESS_COOKIE] = "expired.or.garbage"
    assert client.get("/profiles/").status_code == 200
    assert login(client, user.username, PASSWORD).status_code == 200


def test_invalid_bearer_token_is_401(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert client.get("/profiles/").status_code == 401


def test_the_access_tokens_user_is_read_as_the_orm_reads_it(user):
    """users.authentication reads the token's user by a fixed SQL text: the same values, of the
    same types (aware date-times, booleans), as the ORM's, on SQLite and PostgreSQL alike."""
    user.last_login = timezone.now()
    user.save()
    (read, live), expected = caller_by_id(user.pk), get_user_model().objects.get(pk=user.pk)
    assert live is None, "no family asked about"
    assert [(field.attname, getattr(read, field.attname)) for field in read._meta.concrete_fields] == [
        (field.attname, getattr(expected, field.attname)) for field in expected._meta.concrete_fields
    ]
    assert read.last_login.tzinfo is not None and read.is_active is True and read._state.adding is False
    assert caller_by_id(user.pk + 1000) == (None, None)


@pytest.mark.parametrize("cookie", [False, True])
@pytest.mark.parametrize("gone, detail", [("deactivated", "User is inactive"), ("deleted", "User not found")])
def test_an_access_token_of_a_deactivated_or_deleted_user_is_401(user, cookie, gone, detail):
    token = login(APIClient(), user.username, PASSWORD).json()["access_token"]
    if gone == "deactivated":
        get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    else:
        user.delete()
    client = APIClient()
    if cookie:
        client.cookies[ACCESS_COOKIE] = token
    else:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.get("/posts/")
    assert response.status_code == 401 and response.json()["detail"] == detail


@pytest.mark.parametrize(
    "username, password",
    [("known", "wrong-password"), ("nobody-by-this-name", PASSWORD)],
)
def test_login_failure_is_400_and_does_not_say_which_part_was_wrong(username, password):
    from users.tests.factories import UserFactory

    UserFactory(username="known")
    response = login(APIClient(), username, password)
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Unable to log in with provided credentials."]}
    assert ACCESS_COOKIE not in response.cookies


def test_registration_rejects_duplicate_username_case_insensitively(user):
    response = register(APIClient(), username=user.username.upper())
    assert response.status_code == 400
    assert "username" in response.json()
    assert get_user_model().objects.count() == 1


def test_registration_rejects_mismatched_and_weak_passwords():
    client = APIClient()
    mismatched = client.post(
        "/dj-rest-auth/registration/",
        {"username": "someone", "password1": "A-strong-pass-42", "password2": "A-strong-pass-43"},
        format="json",
    )
    assert mismatched.status_code == 400
    assert mismatched.json() == {"non_field_errors": ["The two password fields didn't match."]}
    weak = register(client, username="someone", password="12345678")
    assert weak.status_code == 400
    assert "password1" in weak.json()
    assert not get_user_model().objects.filter(username="someone").exists()


def test_registration_sets_the_auth_cookies():
    response = register(APIClient())
    assert response.cookies[ACCESS_COOKIE].value == response.json()["access_token"]
    assert response.cookies[REFRESH_COOKIE]["httponly"]


def test_logout_without_any_refresh_token_is_400_and_still_clears_cookies(auth_client):
    response = auth_client.post("/dj-rest-auth/logout/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {"refresh": ['No refresh token: send it as "refresh" or in the refresh cookie.']}
    assert response.cookies[ACCESS_COOKIE].value == ""


def test_logout_with_an_already_dead_refresh_token_is_200(api_client):
    response = api_client.post("/dj-rest-auth/logout/", {"refresh": "garbage"}, format="json")
    assert response.status_code == 200


def test_logout_with_a_non_object_body_is_400(api_client):
    response = api_client.post("/dj-rest-auth/logout/", ["refresh"], format="json")
    assert response.status_code == 400


def test_refresh_without_a_token_is_401(api_client):
    response = api_client.post("/dj-rest-auth/token/refresh/", {}, format="json")
    assert response.status_code == 401
    assert response.json()["detail"] == "No valid refresh token found."


def test_current_user_is_401_for_anonymous(api_client):
    assert api_client.get("/dj-rest-auth/user/").status_code == 401


def test_current_user_update_changes_names_but_not_email(auth_client, user):
    response = auth_client.patch(
        "/dj-rest-auth/user/", {"first_name": "Ada", "email": "evil@example.com"}, format="json"
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.first_name == "Ada"
    assert user.email == f"{user.username}@example.com"


def test_password_change_requires_the_old_password(auth_client, user):
    new = "An-even-stronger-pass-77"
    missing = auth_client.post(
        "/dj-rest-auth/password/change/", {"new_password1": new, "new_password2": new}, format="json"
    )
    assert missing.status_code == 400
    assert missing.json() == {"old_password": ["This field is required."]}
    wrong = auth_client.post(
        "/dj-rest-auth/password/change/",
        {"old_password": "not-it", "new_password1": new, "new_password2": new},
        format="json",
    )
    assert wrong.status_code == 400
    assert "old_password" in wrong.json()
    changed = auth_client.post(
        "/dj-rest-auth/password/change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        format="json",
    )
    assert changed.status_code == 200
    assert login(APIClient(), user.username, new).status_code == 200
    assert login(APIClient(), user.username, PASSWORD).status_code == 400


def test_password_change_is_401_for_anonymous(api_client):
    response = api_client.post("/dj-rest-auth/password/change/", {}, format="json")
    assert response.status_code == 401


def test_login_is_throttled_with_retry_after(settings, user):
    settings.THROTTLING_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "dj_rest_auth": "3/min"}
    client = APIClient()
    statuses = [login(client, user.username, "wrong").status_code for _ in range(4)]
    assert statuses == [400, 400, 400, 429]
    throttled = login(client, user.username, PASSWORD)
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    assert "throttled" in throttled.json()["detail"]
