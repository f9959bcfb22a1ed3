"""users/sessions.py as a specification: how tokens are rotated and revoked, and who may get cookies."""
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from freezegun import freeze_time
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from testing.clients import at_once
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
    joined = RefreshToken(first.json()["refresh"])
    assert SessionFamily.objects.filter(user=user, current_jti=joined["jti"], pk=joined["family"]).exists()


def test_the_refresh_cookie_wins_over_a_token_in_the_body(user):
    body_token = family_token(user)
    client = cookie_client(family_token(user))
    response = cookie_refresh(client, body_token)
    assert response.status_code == 200
    assert refresh(body_token).status_code == 200, "the body's token was not used"


def test_the_same_cookie_again_within_the_grace_gets_an_access_token_and_no_refresh_token(user):
    token = family_token(user)
    first = cookie_refresh(cookie_client(token))
    second = cookie_refresh(cookie_client(token))
    assert first.status_code == second.status_code == 200
    current = first.json()["refresh"]
    assert set(second.json()) == {"access", "access_expiration"}, "no refresh token for a rotated-out one"
    assert REFRESH_COOKIE not in second.cookies, "nor in a cookie: the browser keeps the first answer's"
    assert second.json()["access"] != first.json()["access"], "a fresh access token"
    assert SessionFamily.objects.get().current_jti == RefreshToken(current)["jti"]
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Bearer {second.json()['access']}")
    assert bearer.get("/dj-rest-auth/user/").status_code == 200
    assert refresh(current).status_code == 200, "the first answer's token is the live one"


def test_the_family_keeps_no_usable_token(user):
    token = family_token(user)
    successor = cookie_refresh(cookie_client(token)).json()["refresh"]
    stored = " ".join(str(value) for value in SessionFamily.objects.values_list().get())
    for live in (token, successor):
        assert live not in stored and live.split(".")[2] not in stored


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
def test_of_twenty_concurrent_refreshes_of_one_body_token_exactly_one_wins_outcome_only(make_token):
    token = make_token(UserFactory())
    responses = at_once([lambda: refresh(token)] * 20)
    assert sorted(response.status_code for response in responses) == [200] + [401] * 19


@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a server database")
@pytest.mark.django_db(transaction=True)
def test_a_browser_refreshing_twice_at_once_stays_signed_in_with_one_live_token_outcome_only():
    user = UserFactory()
    token = family_token(user)
    responses = at_once([lambda: cookie_refresh(cookie_client(token))] * 2)
    assert [response.status_code for response in responses] == [200, 200]
    handed_out = [response.json()["refresh"] for response in responses if "refresh" in response.json()]
    assert len(handed_out) == 1, "one answer rotates, the other gets an access token only"
    assert RefreshToken(handed_out[0])["jti"] == SessionFamily.objects.get().current_jti


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


def test_a_dead_refresh_token_is_throttled_by_address_and_cannot_lock_its_user_out(settings, user):
    """Someone holding a revoked or rotated-out token spends the address's count, not the user's."""
    settings.THROTTLING_ENABLED = True
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "token_refresh": "3/min"}
    with freeze_time() as clock:
        rotated_out = family_token(user)
        assert refresh(rotated_out).status_code == 200  # the user's first refresh of the minute
        clock.tick(settings.JWT_REFRESH_GRACE_SECONDS + 1)
        revoked = family_token(user)
        sessions.end_session(revoked)
        attacker = APIClient(REMOTE_ADDR="203.0.113.9")
        answers = [attacker.post("/dj-rest-auth/token/refresh/", {"refresh": dead}, format="json").status_code
                   for dead in [rotated_out, revoked, revoked, revoked]]
        assert answers == [401, 401, 401, 429], "dead tokens are counted by the attacker's address"
        live = family_token(user)
        for _ in range(2):
            response = refresh(live)
            assert response.status_code == 200, "the user's own count is untouched"
            live = response.json()["refresh"]
        assert refresh(live).status_code == 429, "positive control: the user's count is the rate"


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


def test_a_refresh_is_three_queries_the_throttles_read_a_locked_read_of_the_family_and_one_update(settings, user):
    settings.THROTTLING_ENABLED = True
    token = family_token(user)
    with CaptureQueriesContext(connection) as captured:
        assert refresh(token).status_code == 200
    statements = [query["sql"] for query in captured.captured_queries if "SAVEPOINT" not in query["sql"]]
    assert len(statements) == 3, statements
    assert statements[0].startswith("SELECT") and "users_sessionfamily" in statements[0]
    assert statements[1].startswith("SELECT") and "users_sessionfamily" in statements[1]
    assert statements[2].startswith("UPDATE")


# --- a sign-in's lifetime -----------------------------------------------------------------------


def test_a_sign_in_cannot_be_refreshed_past_its_maximum_age(settings, user):
    settings.JWT_SESSION_MAX_DAYS = 30
    with freeze_time() as clock:
        token, refreshed = family_token(user), 0
        for _ in range(10):  # refreshed every six days: each token is young, the sign-in is not
            clock.tick(timedelta(days=6))
            response = refresh(token)
            if response.status_code != 200:
                break
            token, refreshed = response.json()["refresh"], refreshed + 1
        assert (refreshed, response.status_code) == (4, 401), "days 6 to 24 refresh; day 30 is the end"
        assert response.json()["detail"] == "Token is expired", "the last token expired with its sign-in"
        young = family_token(user)
        clock.tick(timedelta(days=6))
        settings.JWT_SESSION_MAX_DAYS = 5  # a shorter maximum applies to sign-ins already made
        assert refresh(young).json()["detail"] == sessions.TOO_OLD


def test_no_refresh_token_outlives_its_sign_in(settings, user):
    settings.JWT_SESSION_MAX_DAYS = 2
    with freeze_time() as clock:
        started = timezone.now()
        token = RefreshToken(family_token(user))
        clock.tick(timedelta(days=1))
        successor = RefreshToken(refresh(str(token)).json()["refresh"])
    for issued in (token, successor):
        assert datetime_from_epoch(issued["exp"]) <= started + timedelta(days=2, seconds=1)


# --- sign-out reaches the access tokens ---------------------------------------------------------


def signed_in_access(user):
    body = login(APIClient(), user).json()
    return body["access_token"], body["refresh_token"]


def reads_me(access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return client.get("/dj-rest-auth/user/")


def logout(refresh_token):
    return APIClient().post("/dj-rest-auth/logout/", {"refresh": refresh_token}, format="json")


def change_password(user, access):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    passwords = {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    assert client.post("/dj-rest-auth/password/change/", passwords, format="json").status_code == 200


def reuse(refresh_token):
    refresh(refresh_token)
    refresh(refresh_token)


def admin_sign_out(user):
    sessions.revoke_families(SessionFamily.objects.filter(user=user), SessionFamily.Revoked.ADMIN)


@pytest.mark.parametrize(
    "end",
    [
        lambda user, access, refresh_token: logout(refresh_token),
        lambda user, access, refresh_token: change_password(user, signed_in_access(user)[0]),
        lambda user, access, refresh_token: reuse(refresh_token),
        lambda user, access, refresh_token: admin_sign_out(user),
    ],
    ids=["logout", "password change elsewhere", "reuse", "admin"],
)
def test_an_access_token_is_refused_as_soon_as_its_sign_in_ends(user, end):
    access, refresh_token = signed_in_access(user)
    assert reads_me(access).status_code == 200
    end(user, access, refresh_token)
    refused = reads_me(access)
    assert refused.status_code == 401
    assert refused.json() == {"detail": sessions.SIGNED_OUT, "code": "token_not_valid"}


def test_logging_out_ends_that_sign_in_only(user):
    access, refresh_token = signed_in_access(user)
    other_access, _ = signed_in_access(user)
    logout(refresh_token)
    assert reads_me(access).status_code == 401
    assert reads_me(other_access).status_code == 200


def test_a_revoked_access_cookie_makes_the_request_anonymous_so_the_browser_can_sign_in_again(user):
    access, refresh_token = signed_in_access(user)
    logout(refresh_token)
    browser = APIClient()
    browser.cookies[ACCESS_COOKIE] = access
    assert browser.get("/dj-rest-auth/user/").status_code == 401
    assert login(browser, user).status_code == 200


def test_checking_the_sign_in_costs_no_query_of_its_own(user):
    access, _ = signed_in_access(user)
    with CaptureQueriesContext(connection) as captured:
        assert reads_me(access).status_code == 200
    family_reads = [query["sql"] for query in captured.captured_queries if "users_sessionfamily" in query["sql"]]
    assert len(family_reads) == 1 and "users_user" in family_reads[0], "read with the caller, in one statement"


# --- logout follows the CSRF rule of login --------------------------------------------------------


def test_a_cross_site_form_cannot_sign_a_browser_out(user):
    """Only the refresh cookie (the access cookie expired): what an HTML form on another site sends."""
    _, refresh_token = signed_in_access(user)
    browser = APIClient(enforce_csrf_checks=True)
    browser.cookies[REFRESH_COOKIE] = refresh_token
    form = browser.post("/dj-rest-auth/logout/", {}, HTTP_ORIGIN="https://evil.example")
    assert form.status_code == 403
    no_origin_form = browser.post("/dj-rest-auth/logout/", {})
    assert no_origin_form.status_code == 403 and no_origin_form.json()["detail"].startswith("CSRF Failed")
    json_from_elsewhere = browser.post("/dj-rest-auth/logout/", {}, format="json", HTTP_ORIGIN="https://evil.example")
    assert json_from_elsewhere.status_code == 403
    assert json_from_elsewhere.json() == {
        "detail": "Signing out from https://evil.example is not allowed: that origin is not trusted."
    }
    assert not SessionFamily.objects.filter(revoked_at__isnull=False).exists()
    assert refresh(refresh_token).status_code == 200, "still signed in"


def test_the_browser_app_and_api_clients_still_sign_out(user):
    _, refresh_token = signed_in_access(user)
    browser = APIClient(enforce_csrf_checks=True)
    browser.cookies[REFRESH_COOKIE] = refresh_token
    assert browser.post("/dj-rest-auth/logout/", {}, format="json", HTTP_ORIGIN="http://testserver").status_code == 200
    _, body_token = signed_in_access(user)
    assert logout(body_token).status_code == 200
    assert SessionFamily.objects.filter(revoked_because=SessionFamily.Revoked.LOGOUT).count() == 2
