"""users/sessions.py as a specification: how tokens are rotated and revoked, and who may get cookies."""
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from testing import at_once
from users.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ACCESS_COOKIE = "drf-api-auth"
NEW_PASSWORD = "An-even-stronger-pass-77"


def login(client, user, **extra):
    credentials = {"username": user.username, "password": PASSWORD}
    return client.post("/dj-rest-auth/login/", credentials, format="json", **extra)


def refresh(token):
    return APIClient().post("/dj-rest-auth/token/refresh/", {"refresh": token}, format="json")


# --- rotation ---------------------------------------------------------------------------------


def test_a_refresh_token_is_exchanged_once(user):
    token = str(RefreshToken.for_user(user))
    first = refresh(token)
    assert first.status_code == 200
    second = refresh(token)
    assert second.status_code == 401
    assert second.json() == {"detail": "Token is blacklisted", "code": "token_not_valid"}
    assert refresh(first.json()["refresh"]).status_code == 200


def test_a_refresh_token_of_a_deleted_user_is_401_not_500(user):
    token = str(RefreshToken.for_user(user))
    user.delete()
    response = refresh(token)
    assert response.status_code == 401
    assert response.json() == {"detail": "No active account found for the given token."}


def test_a_refresh_token_of_a_deactivated_user_is_401(user):
    token = str(RefreshToken.for_user(user))
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert refresh(token).status_code == 401


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
@pytest.mark.django_db(transaction=True)
def test_of_twenty_concurrent_refreshes_of_one_token_exactly_one_wins():
    token = str(RefreshToken.for_user(UserFactory()))
    responses = at_once([lambda: refresh(token)] * 20)
    assert sorted(response.status_code for response in responses) == [200] + [401] * 19


# --- password change --------------------------------------------------------------------------


def test_a_password_change_revokes_every_refresh_token_issued_before_it(user):
    sessions = [login(APIClient(), user).json() for _ in range(3)]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {sessions[0]['access_token']}")
    changed = client.post(
        "/dj-rest-auth/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )
    assert changed.status_code == 200
    body = changed.json()
    assert body["detail"] == "New password has been saved."
    for session in sessions:
        assert refresh(session["refresh_token"]).status_code == 401
    # The client that changed it stays signed in: fresh tokens in the body and the cookies.
    assert changed.cookies[ACCESS_COOKIE].value == body["access_token"]
    assert refresh(body["refresh_token"]).status_code == 200
    fresh = APIClient()
    fresh.credentials(HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert fresh.get("/dj-rest-auth/user/").status_code == 200


def test_a_refused_password_change_revokes_nothing(user, auth_client):
    session = login(APIClient(), user).json()
    wrong = auth_client.post(
        "/dj-rest-auth/password/change/",
        {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )
    assert wrong.status_code == 400
    assert not BlacklistedToken.objects.exists()
    assert refresh(session["refresh_token"]).status_code == 200


# --- who may get the auth cookies (login CSRF) -------------------------------------------------


def test_a_json_login_from_an_api_client_works(user):
    assert login(APIClient(enforce_csrf_checks=True), user).status_code == 200


@pytest.mark.parametrize("origin", ["http://testserver", "https://app.example.com"])
def test_a_json_login_from_this_or_a_trusted_origin_works(settings, user, origin):
    settings.CSRF_TRUSTED_ORIGINS = ["https://app.example.com"]
    assert login(APIClient(enforce_csrf_checks=True), user, HTTP_ORIGIN=origin).status_code == 200


@pytest.mark.parametrize(
    "path, payload",
    [
        ("/dj-rest-auth/login/", {"username": "victim-gets-this", "password": PASSWORD}),
        ("/dj-rest-auth/registration/", {"username": "x1", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}),
        ("/dj-rest-auth/token/refresh/", {"refresh": "attacker-token"}),
    ],
)
def test_a_cookie_setting_request_from_an_untrusted_origin_is_403(path, payload):
    UserFactory(username="victim-gets-this")
    response = APIClient().post(path, payload, format="json", HTTP_ORIGIN="https://evil.example")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Signing in from https://evil.example is not allowed: that origin is not trusted."
    }
    assert ACCESS_COOKIE not in response.cookies


def test_a_form_encoded_login_without_the_csrf_token_is_403(user):
    """What a cross-site HTML form can send: no Origin check helps when the browser omits it."""
    client = APIClient(enforce_csrf_checks=True)
    response = client.post("/dj-rest-auth/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
    assert ACCESS_COOKIE not in response.cookies


def test_a_form_encoded_login_with_the_csrf_token_works(user):
    """The browsable API's own login form carries the token."""
    client = APIClient(enforce_csrf_checks=True)
    token = client.get("/csrf/").json()["csrf_token"]
    response = client.post(
        "/dj-rest-auth/login/", {"username": user.username, "password": PASSWORD}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 200
