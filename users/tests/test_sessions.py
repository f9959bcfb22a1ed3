"""users/sessions.py as a specification: how tokens are rotated and revoked, and who may get cookies."""
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from freezegun import freeze_time
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from testing import at_once
from users import sessions
from users.models import SessionFamily
from users.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ACCESS_COOKIE = "drf-api-auth"
REFRESH_COOKIE = "drf-api-refresh"
NEW_PASSWORD = "An-even-stronger-pass-77"


def login(client, user, **extra):
    credentials = {"username": user.username, "password": PASSWORD}
    return client.post("/dj-rest-auth/login/", credentials, format="json", **extra)


def refresh(token):
    return APIClient().post("/dj-rest-auth/token/refresh/", {"refresh": token}, format="json")


# --- rotation ---------------------------------------------------------------------------------


def family_token(user):
    return str(sessions.issue_tokens(user))


def cookie_client(token):
    """A browser: the refresh token in its cookie jar (and, like the real app, an old one in the body)."""
    client = APIClient()
    client.cookies[REFRESH_COOKIE] = token
    return client


def cookie_refresh(client, body_token="the-token-from-the-login-body"):
    return client.post("/dj-rest-auth/token/refresh/", {"refresh": body_token}, format="json")


def test_a_refresh_token_is_exchanged_once(user):
    token = family_token(user)
    first = refresh(token)
    assert first.status_code == 200
    second = refresh(token)
    assert second.status_code == 401
    assert second.json()["code"] == "token_not_valid"


def test_reusing_a_rotated_out_token_in_the_body_revokes_its_whole_family(user):
    token = family_token(user)
    successor = refresh(token).json()["refresh"]
    assert refresh(token).status_code == 401, "a body token has no grace"
    assert refresh(successor).status_code == 401, "the family is revoked: its live token too"
    family = SessionFamily.objects.get()
    assert family.revoked_because == SessionFamily.Revoked.REUSE


def test_a_token_from_before_families_is_rotated_once_and_joins_a_family(user):
    legacy = str(RefreshToken.for_user(user))
    first = refresh(legacy)
    assert first.status_code == 200
    assert refresh(legacy).json() == {"detail": "Token is blacklisted", "code": "token_not_valid"}
    assert SessionFamily.objects.filter(user=user, current_token=first.json()["refresh"]).exists()


def test_the_refresh_cookie_wins_over_a_token_in_the_body(user):
    body_token = family_token(user)
    client = cookie_client(family_token(user))
    response = cookie_refresh(client, body_token)
    assert response.status_code == 200
    assert refresh(body_token).status_code == 200, "the body's token was not used"


def test_the_same_cookie_again_within_the_grace_gets_the_current_token_and_mints_nothing(user):
    token = family_token(user)
    first = cookie_refresh(cookie_client(token))
    second = cookie_refresh(cookie_client(token))
    assert first.status_code == second.status_code == 200
    current = first.json()["refresh"]
    assert second.json()["refresh"] == current, "the family's current token, not a second live one"
    assert second.cookies[REFRESH_COOKIE].value == current
    assert second.json()["access"] != first.json()["access"], "a fresh access token"
    assert SessionFamily.objects.get().current_token == current
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {second.json()['access']}")
    assert bearer.get("/dj-rest-auth/user/").status_code == 200
    assert refresh(current).status_code == 200


def test_the_same_cookie_after_the_grace_is_reuse_and_revokes_the_family(settings, user):
    token = family_token(user)
    with freeze_time() as clock:
        current = cookie_refresh(cookie_client(token)).json()["refresh"]
        clock.tick(settings.JWT_REFRESH_GRACE_SECONDS + 1)
        late = cookie_refresh(cookie_client(token))
        assert late.status_code == 401
        assert late.json()["detail"] == "Token was already used: every session of this sign-in has been signed out."
        assert refresh(current).status_code == 401


def test_only_the_cookie_just_rotated_out_has_grace(user):
    oldest = family_token(user)
    middle = cookie_refresh(cookie_client(oldest)).json()["refresh"]
    cookie_refresh(cookie_client(middle))
    assert cookie_refresh(cookie_client(oldest)).status_code == 401


def test_a_refresh_token_of_a_deleted_user_is_401_not_500(user):
    token = str(RefreshToken.for_user(user))
    user.delete()
    response = refresh(token)
    assert response.status_code == 401
    assert response.json() == {"detail": "No active account found for the given token."}


@pytest.mark.parametrize("make_token", [family_token, lambda user: str(RefreshToken.for_user(user))])
def test_a_refresh_token_of_a_deactivated_user_is_401(user, make_token):
    token = make_token(user)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert refresh(token).status_code == 401


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("make_token", [family_token, lambda user: str(RefreshToken.for_user(user))])
def test_of_twenty_concurrent_refreshes_of_one_body_token_exactly_one_wins(make_token):
    token = make_token(UserFactory())
    responses = at_once([lambda: refresh(token)] * 20)
    assert sorted(response.status_code for response in responses) == [200] + [401] * 19


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
@pytest.mark.django_db(transaction=True)
def test_a_browser_refreshing_twice_at_once_stays_signed_in_with_one_live_token():
    user = UserFactory()
    token = family_token(user)
    responses = at_once([lambda: cookie_refresh(cookie_client(token))] * 2)
    assert [response.status_code for response in responses] == [200, 200]
    assert {response.json()["refresh"] for response in responses} == {SessionFamily.objects.get().current_token}


def test_refreshes_are_throttled_per_user_and_generously(settings):
    settings.THROTTLING_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "token_refresh": "3/min", "anon": "1/min"}
    alice, bob = UserFactory(), UserFactory()
    token = family_token(alice)
    statuses = []
    for _ in range(4):
        response = refresh(token)
        statuses.append(response.status_code)
        token = response.json().get("refresh", token)
    assert statuses == [200, 200, 200, 429], "counted per user, not by the anonymous rate"
    assert refresh(family_token(bob)).status_code == 200, "another user has their own count"
    assert settings.THROTTLE_RATES["user"] == "600/min"


def test_the_default_refresh_rate_is_the_user_rate():
    from django.conf import settings

    assert settings.THROTTLE_RATES["token_refresh"] == settings.THROTTLE_RATES["user"]


# --- the csrftoken cookie ------------------------------------------------------------------------


def assert_csrf_cookie(response, settings):
    cookie = response.cookies["csrftoken"]
    assert cookie.value
    assert not cookie["httponly"], "the browser app reads it"
    assert cookie["samesite"] == settings.COOKIE_SAMESITE == response.cookies.get(ACCESS_COOKIE, cookie)["samesite"]


def test_login_registration_refresh_and_the_current_user_hand_out_the_csrf_cookie(settings, user):
    browser = APIClient(enforce_csrf_checks=True)
    logged_in = login(browser, user)
    assert_csrf_cookie(logged_in, settings)
    registered = APIClient().post(
        "/dj-rest-auth/registration/",
        {"username": "newcomer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        format="json",
    )
    assert_csrf_cookie(registered, settings)
    refreshed = browser.post("/dj-rest-auth/token/refresh/", {}, format="json")
    assert refreshed.status_code == 200
    assert_csrf_cookie(refreshed, settings)
    fresh_browser = APIClient(enforce_csrf_checks=True)
    fresh_browser.cookies[ACCESS_COOKIE] = logged_in.cookies[ACCESS_COOKIE].value
    me = fresh_browser.get("/dj-rest-auth/user/")
    assert me.status_code == 200
    assert_csrf_cookie(me, settings)
    # The cookie's token is what a browser app sends back as X-CSRFToken.
    write = browser.patch(
        f"/profiles/{user.profile.id}/", {"name": "From the cookie"}, format="json",
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
    )
    assert write.status_code == 200
    assert browser.patch(f"/profiles/{user.profile.id}/", {"name": "No header"}, format="json").status_code == 403


def test_a_sign_in_gets_a_new_csrf_token(user):
    browser = APIClient()
    before = browser.get("/csrf/").json()["csrf_token"]
    login(browser, user)
    assert browser.cookies["csrftoken"].value != before


# --- password change --------------------------------------------------------------------------


def test_a_password_change_revokes_every_refresh_token_issued_before_it(user):
    signed_in = [login(APIClient(), user).json() for _ in range(3)]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {signed_in[0]['access_token']}")
    changed = client.post(
        "/dj-rest-auth/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        format="json",
    )
    assert changed.status_code == 200
    body = changed.json()
    assert body["detail"] == "New password has been saved."
    for session in signed_in:
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


def test_a_refresh_is_two_queries_one_locked_read_of_the_family_and_one_update(user):
    token = family_token(user)
    with CaptureQueriesContext(connection) as captured:
        assert refresh(token).status_code == 200
    statements = [query["sql"] for query in captured.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert len(statements) == 2, statements
    assert statements[0].startswith("SELECT") and "users_sessionfamily" in statements[0]
    assert statements[1].startswith("UPDATE")
